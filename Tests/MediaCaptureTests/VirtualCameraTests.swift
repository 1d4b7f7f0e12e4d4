// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import GStreamerWrapper
import Glibc
import Locking
@testable import MediaCapture
import TestSupport
import Testing
@testable import V4L2

/// The V4L2 path for real: GStreamer's own `v4l2src` and the library's control ioctls on a virtual
/// camera at the kernel interface (Tests/VirtualCamera, preloaded into a child process, since this
/// process cannot be preloaded after it started), configured by each recorded webcam's listings.
///
/// Each test here starts this test binary again with the camera preloaded, running one of the
/// "(virtual camera)" tests below, which are skipped everywhere else.
@Suite("The V4L2 path on a virtual camera", .serialized, .timeLimit(.minutes(3)))
struct VirtualCameraTests {
    /// Every recorded webcam: its controls listing, and its formats listing where there is one.
    static let webcams: [(name: String, controls: String, formats: String?)] = [
        ("logitech-c920", "logitech-c920.ctrls.txt", "logitech-c920.formats.txt"),
        ("logitech-brio", "logitech-brio.ctrls.txt", "logitech-brio.formats.txt"),
        ("logitech-c270", "logitech-c270.ctrls.txt", nil),
        ("laptop-integrated-camera", "laptop-integrated-camera.ctrls.txt", nil),
        ("elgato-facecam-4k", "elgato-facecam-4k.ctrls.txt", nil),
        ("logitech-c920 (--list-ctrls)", "logitech-c920.list-ctrls.txt", nil),
        ("synthetic-flash", "synthetic-flash.ctrls.txt", nil),
    ]

    // MARK: - In this process: start the child

    @Test(
        "Each webcam through v4l2src agrees with its recorded twin: modes, frames, stills, controls, flash",
        arguments: webcams.map(\.name))
    func agreement(_ name: String) async throws {
        try await Self.runChild("agreement", webcam: name)
    }

    @Test(
        "A change by another program reaches getSettings() with an event; nothing is reset on open",
        arguments: webcams.map(\.name))
    func externalChange(_ name: String) async throws {
        // Written before the child starts: the camera's state when the library opens it (brightness
        // one above its minimum, which no listing has as its value).
        let listing = try #require(
            readFile(repositoryRoot + "/Tests/Fixtures/v4l2-devices/" + (Self.webcams.first { $0.name == name }?.controls ?? "")))
        let brightness = try #require(V4L2Listing.controls(listing).first { $0.control.id == V4L2ControlID.brightness })
        #expect(brightness.value != brightness.control.minimum + 1)
        try await Self.runChild("externalChange", webcam: name, commands: "set 0x00980900 \(brightness.control.minimum + 1)\n")
    }

    @Test("An MJPEG camera: nothing decoded while nobody reads; frames, a crop-and-scale clone and a native still all decode")
    func mjpeg() async throws { try await Self.runChild("mjpeg", webcam: "logitech-c920") }

    @Test("Unplugged with calls pending: one ended within 500 ms, every call settles; a stall before it recovers")
    func unplug() async throws { try await Self.runChild("unplug", webcam: "logitech-c920") }

    @Test("Another application streaming the camera: getUserMedia rejects NotReadableError, then opens once it stops")
    func busy() async throws { try await Self.runChild("busy", webcam: "logitech-c920") }

    @Test("A driver that blocks in open(): getUserMedia rejects NotReadableError within its deadline")
    func blockedOpen() async throws { try await Self.runChild("blockedOpen", webcam: "logitech-c270") }

    /// Runs the "(virtual camera) `scenario`" test in a child process with the virtual camera
    /// preloaded as `webcam`, and fails with its output unless it passed.
    /// - Parameters: `test`, `isolated` and `marker` name another suite's child test (the PipeWire
    ///   tests run one with the camera preloaded); `environment` is added to the child's.
    static func runChild(
        _ scenario: String, webcam: String, commands: String = "", test: String? = nil, isolated: String = "virtual-camera",
        marker: String = "virtual camera", environment: [String] = []
    ) async throws {
        try await withCamera(webcam, commands: commands) { camera, state in
            let output = try await runTestChild(
                test ?? "virtualCamera_\(scenario)", environment: environment + camera + ["MEDIA_CAPTURE_ISOLATED_TEST=\(isolated)"],
                seconds: 150)
            let log = readFile(state + "/log") ?? ""
            #expect(
                output.status == 0 && output.stdoutText.contains("\(marker) \(scenario): done"),
                "\(output.report)\n--- the camera's log ---\n\(log.suffix(3000))")
        }
    }

    /// Runs `body` with a child's environment that preloads the virtual camera as `webcam` (with
    /// the heap checks of ``childEnvironment(preload:)``) and the camera's state folder, removed after.
    static func withCamera(
        _ webcam: String, commands: String = "", _ body: (_ environment: [String], _ state: String) async throws -> Void
    ) async throws {
        let entry = try #require(webcams.first { $0.name == webcam })
        let built = try await runProcess("/bin/bash", [repositoryRoot + "/scripts/build-preload.sh", "virtual-camera"], seconds: 120)
        try #require(built.status == 0, "\(built.stderr)")
        let library = built.stdoutText.trimmingCharacters(in: " \n")
        let state = "/tmp/virtual-camera-test-\(getpid())-\(Identifiers.random())"
        #expect(mkdir(state, 0o700) == 0)
        defer {
            for file in listDirectory(state) { unlink(state + "/" + file) }
            rmdir(state)
        }
        let fixtures = repositoryRoot + "/Tests/Fixtures/v4l2-devices/"
        #expect(write(commands, to: state + "/control"))
        try await body(
            childEnvironment(preload: [library]) + [
                "VIRTUAL_CAMERA=/dev/video42", "VIRTUAL_CAMERA_WEBCAM=\(webcam)",
                "VIRTUAL_CAMERA_CTRLS=\(fixtures + entry.controls)",
                "VIRTUAL_CAMERA_FORMATS=\(entry.formats.map { fixtures + $0 } ?? "")",
                "VIRTUAL_CAMERA_CONTROL=\(state)/control", "VIRTUAL_CAMERA_LOG=\(state)/log",
                "VIRTUAL_CAMERA_LOCK=\(state)/lock",
            ], state)
    }

    // MARK: - In the child: the scenarios

    static let isChild = isolatedRun == "virtual-camera"
    static var path: String { String(cString: getenv("VIRTUAL_CAMERA")) }
    static var webcam: (name: String, controls: String, formats: String?) {
        let name = String(cString: getenv("VIRTUAL_CAMERA_WEBCAM"))
        return webcams.first { $0.name == name }!
    }

    /// The same webcam from its listings, as the recorded-device tests open it.
    static func recordedTwin() throws -> CaptureDevice {
        let fixtures = repositoryRoot + "/Tests/Fixtures/v4l2-devices/"
        return .recorded(
            controls: try #require(readFile(fixtures + webcam.controls)),
            formats: try webcam.formats.map { try #require(readFile(fixtures + $0)) })
    }

    /// Appends a command to the camera's control file (as `echo ... >> $VIRTUAL_CAMERA_CONTROL`).
    static func command(_ line: String) {
        let fd = open(String(cString: getenv("VIRTUAL_CAMERA_CONTROL")), O_WRONLY | O_APPEND)
        _ = line.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        _ = Glibc.write(fd, "\n", 1)
        close(fd)
    }

    /// The camera's log: one line per format, stream and control write (with the writing pid).
    static func log() -> [Substring] {
        (readFile(String(cString: getenv("VIRTUAL_CAMERA_LOG"))) ?? "").split(separator: "\n")
    }

    /// Capabilities and settings without what names the device (a path here, a listing there).
    static func anonymous(_ capabilities: MediaTrackCapabilities) -> MediaTrackCapabilities {
        var copy = capabilities
        copy.deviceId = nil
        copy.groupId = nil
        return copy
    }

    static func anonymous(_ settings: MediaTrackSettings) -> MediaTrackSettings {
        var copy = settings
        copy.deviceId = nil
        copy.groupId = nil
        return copy
    }

    /// The bar pattern the camera sends, checked at each bar's centre on the middle row.
    static func expectPattern(_ frame: ImageBitmap, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pixels = try frame.rgbaBytes()
        let bars: [[Int]] = [[220, 40, 40], [40, 200, 40], [40, 40, 220], [230, 230, 230]]
        for (index, bar) in bars.enumerated() {
            let x = (2 * index + 1) * frame.width / 8, y = frame.height / 2
            let offset = (y * frame.width + x) * 4
            let got = (0..<3).map { Int(pixels[offset + $0]) }
            #expect(
                zip(got, bar).allSatisfy { abs($0 - $1) <= 24 }, "\(context): bar \(index) is \(got), not \(bar)",
                sourceLocation: sourceLocation)
        }
    }

    @Test("(virtual camera) agreement", .enabled(if: isChild))
    func virtualCamera_agreement() async throws {
        let live = MediaDevices(devices: [.v4l2(path: Self.path)], timing: .test)
        let recorded = MediaDevices(devices: [try Self.recordedTwin()], timing: .test)
        let track = try await openVideo(live, MediaTrackConstraints(pan: true))
        let twin = try await openVideo(recorded, MediaTrackConstraints(pan: true))
        defer { track.stop(); twin.stop() }

        // Opened through v4l2src, its controls through the live ioctl backend, nothing written on open.
        let session = try #require(Self.session(track))
        try await within(5, "the controls to attach") {
            while session.v4l2Controls == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(session.v4l2Controls?.cache.device is LiveV4L2Device)
        #expect(Self.log().contains { $0.contains("STREAMON") })
        #expect(!Self.log().contains { $0.contains("S_CTRL") }, "written on open: \(Self.log())")

        // Modes, capabilities and settings: what the recorded twin reports.
        let liveModes = try await V4L2CameraBackend(path: Self.path).resolveModes()
        let twinModes = try await RecordedCameraBackend(
            controls: try #require(readFile(repositoryRoot + "/Tests/Fixtures/v4l2-devices/" + Self.webcam.controls)),
            formats: Self.webcam.formats.map { readFile(repositoryRoot + "/Tests/Fixtures/v4l2-devices/" + $0) ?? "" }
        ).resolveModes()
        func names(_ modes: Set<SourceMode>) -> String {
            modes.map { "\($0.encoding == .mjpeg ? "MJPG" : "raw") \($0.width)x\($0.height)@\($0.rate)" }.sorted().joined(separator: ", ")
        }
        #expect(
            Set(liveModes) == Set(twinModes),
            "only through v4l2src: \(names(Set(liveModes).subtracting(twinModes))); only recorded: \(names(Set(twinModes).subtracting(liveModes)))")
        #expect(Self.anonymous(track.getCapabilities()) == Self.anonymous(twin.getCapabilities()))
        #expect(Self.anonymous(track.getSettings()) == Self.anonymous(twin.getSettings()))
        if let expected = RecordedDeviceTests.expected[Self.webcam.name] {
            #expect(ControlMembers.filter(track.getCapabilities(), panTiltZoom: true) == expected)
        }
        let liveCapture = try ImageCapture(track), twinCapture = try ImageCapture(twin)
        let photoCapabilities = try await within(10) { try await liveCapture.getPhotoCapabilities() }
        #expect(photoCapabilities == (try await within(10) { try await twinCapture.getPhotoCapabilities() }))
        #expect(
            try await within(10) { try await liveCapture.getPhotoSettings() }
                == (try await within(10) { try await twinCapture.getPhotoSettings() }))

        // Frames: the track's size, the camera's picture.
        let settings = track.getSettings()
        let frame = try await nextFrame(track)
        #expect(frame.width == settings.width && frame.height == settings.height)
        try Self.expectPattern(frame, "the first mode")
        // Their metadata: v4l2src numbers frames by the driver's sequence, dates them by its
        // timestamps; about one frame interval apart, each before it was received.
        let interval = Duration.milliseconds(1000) / max(1, settings.frameRate ?? 30)
        let frames = try await FrameMetadataTests.frames(track, 8)
        for ((earlier, _), (later, received)) in zip(frames, frames.dropFirst()) {
            let numbers = FrameMetadataTests.step(earlier, later)
            let elapsed = (later.metadata.captureTime ?? .now) - (earlier.metadata.captureTime ?? .now)
            #expect(numbers >= 1 && numbers < 4, "frame numbers \(earlier.metadata.frameNumber as Any) then \(later.metadata.frameNumber as Any)")
            // The virtual camera stamps a frame when its producer wakes up, which jitters under load.
            #expect(FrameMetadataTests.distance(elapsed, interval * Int(numbers)) < interval, "\(elapsed) for \(numbers) frame(s)")
            #expect(later.metadata.captureTime.map { $0 <= received } == true)
        }

        // A native still larger than the stream: v4l2src switches to the large mode and back.
        if let width = photoCapabilities.imageWidth?.max, let height = photoCapabilities.imageHeight?.max,
            width > Double(settings.width ?? 0)
        {
            let photo = try await within(30) {
                try await liveCapture.takePhoto(PhotoSettings(imageHeight: height, imageWidth: width))
            }
            let decoded = try await decodeJPEG(photo)
            #expect(decoded.width == Int(width) && decoded.height == Int(height))
            let streams = Self.log().filter { $0.contains("STREAMON") }
            #expect(streams.contains { $0.contains("STREAMON \(Int(width))x\(Int(height))") }, "\(streams)")
            #expect(streams.last?.contains("STREAMON \(settings.width!)x\(settings.height!)") == true, "\(streams)")
            #expect(track.getSettings().width == settings.width && track.getSettings().height == settings.height)
            let after = try await nextFrame(track)
            #expect(after.width == settings.width)
            try Self.expectPattern(after, "after the still")
        }

        // Every encoding the listing streams, in a mode only that encoding has: frames checked.
        track.stop()
        let modes = try await V4L2CameraBackend(path: Self.path).resolveModes()
        for encoding in Set(modes.map(\.encoding)) {
            let own = modes.filter { mode in
                mode.encoding == encoding
                    && !modes.contains {
                        $0.encoding != encoding && $0.width == mode.width && $0.height == mode.height && $0.frameRate == mode.frameRate
                    }
            }
            guard let mode = own.max(by: { ($0.width * $0.height, $0.rate) < ($1.width * $1.height, $1.rate) }) else { continue }
            let other = try await openVideo(
                MediaDevices(devices: [.v4l2(path: Self.path)], timing: .test),
                MediaTrackConstraints(
                    width: .exact(UInt32(mode.width)), height: .exact(UInt32(mode.height)), frameRate: .exact(mode.rate)))
            let encoded = try await nextFrame(other, seconds: 10)
            #expect(encoded.width == mode.width && encoded.height == mode.height)
            let fourcc =
                switch encoding {
                case .mjpeg: "MJPG";
                case .raw(let format): format == "NV12" ? "NV12" : "YUYV"
                }
            #expect(Self.log().last { $0.contains("STREAMON") }?.contains("\(mode.width)x\(mode.height) \(fourcc)") == true)
            try Self.expectPattern(encoded, "\(fourcc) \(mode.width)x\(mode.height)")
            // Frames the camera lost show in the driver's numbers, in every encoding (an MJPEG mode's
            // decoder drops them; the library carries them across it).
            let before = try await nextFrame(other, seconds: 10)
            Self.command("stall")
            try await Task.sleep(for: .milliseconds(Int(4000 / mode.rate) + 100))
            Self.command("resume")
            let after = try await nextFrame(other, seconds: 10)
            #expect(
                FrameMetadataTests.step(before, after) >= 4,
                "\(fourcc): frame \(before.metadata.frameNumber as Any) then \(after.metadata.frameNumber as Any) across a stall of 4 frames")
            other.stop()
        }
        print("virtual camera agreement: \(Self.webcam.name) modes \(modes.count)")
        let reopened = try await openVideo(live, MediaTrackConstraints(pan: true))
        defer { reopened.stop() }
        try await within(5, "the controls to attach") {
            while Self.session(reopened)?.v4l2Controls == nil {
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        // Controls: the same requests give the same outcome, and reach the device.
        for request in Self.controlRequests(reopened.getCapabilities()) {
            let liveOutcome = await Self.outcome { try await reopened.applyConstraints(request) }
            let twinOutcome = await Self.outcome { try await twin.applyConstraints(request) }
            #expect(liveOutcome == twinOutcome, "\(request)")
            if request.exposureTime != nil && request.exposureMode == nil {
                #expect(liveOutcome == "OverconstrainedError exposureTime")  // blocked by automatic exposure
            }
            #expect(Self.anonymous(reopened.getSettings()) == Self.anonymous(twin.getSettings()), "after \(request)")
        }
        if !Self.controlRequests(reopened.getCapabilities()).isEmpty {
            #expect(Self.log().contains { $0.contains("S_CTRL") })
        }
        // A frame's settings follow a write through the driver: old before it, new once it returned.
        if let range = reopened.getCapabilities().brightness, let low = range.min, let high = range.max, high > low {
            let current = reopened.getSettings().brightness
            try await FrameMetadataTests.expectSettingsFollow(reopened, brightness: current == high ? low : high, frameCount: 20)
        }

        // A flash photo fires the strobe once, and the torch comes back (synthetic-flash only).
        if try await ImageCapture(reopened).getPhotoCapabilities().fillLightMode?.contains(.flash) == true {
            try await within(10) { try await reopened.applyConstraints(MediaTrackConstraints(torch: true)) }
            _ = try await within(20) { try await ImageCapture(reopened).takePhoto(PhotoSettings(fillLightMode: .flash)) }
            #expect(Self.log().filter { $0.contains("STROBE") }.count == 1, "\(Self.log())")
            #expect(Self.log().last { $0.contains("S_CTRL 0x009c0901") }?.hasSuffix(" 2") == true)  // torch again
            #expect(reopened.getSettings().torch == true)
        }
        print("virtual camera agreement: done")
    }

    static func session(_ track: MediaStreamTrack) -> V4L2Session? {
        guard let source = track.video?.source.capturer else { return nil }
        return source.session as? V4L2Session
    }

    /// What an `applyConstraints` gave: nil, or the error's name and constraint.
    static func outcome(_ body: @escaping @Sendable () async throws -> Void) async -> String? {
        do {
            try await within(10) { try await body() }
            return nil
        } catch let error as DOMException {
            return "\(error.name) \(error.constraint ?? "")"
        } catch {
            return "\(error)"
        }
    }

    /// Requests that cross the driver's rules where the webcam has the controls: a write blocked by
    /// its automatic mode, the same with the mode switched off, step rounding, a plain write.
    static func controlRequests(_ capabilities: MediaTrackCapabilities) -> [MediaTrackConstraints] {
        var requests: [MediaTrackConstraints] = []
        if let low = capabilities.exposureTime?.min {
            requests.append(MediaTrackConstraints(exposureTime: .exact(low + 1)))
            requests.append(MediaTrackConstraints(exposureMode: .exact("manual"), exposureTime: .exact(low + 1)))
            requests.append(MediaTrackConstraints(exposureMode: .exact("continuous")))
        }
        if let low = capabilities.focusDistance?.min, let step = capabilities.focusDistance?.step {
            requests.append(MediaTrackConstraints(focusMode: "manual", focusDistance: .exact(low + step * 2 + 2)))
        }
        if let low = capabilities.brightness?.min, let high = capabilities.brightness?.max {
            requests.append(MediaTrackConstraints(brightness: .exact(((low + high) / 2).rounded())))
        }
        if let high = capabilities.colorTemperature?.max {
            requests.append(MediaTrackConstraints(colorTemperature: .exact(high)))
            requests.append(MediaTrackConstraints(whiteBalanceMode: .exact("manual"), colorTemperature: .exact(high)))
        }
        if let high = capabilities.zoom?.max { requests.append(MediaTrackConstraints(zoom: .double(.exact(high)))) }
        if capabilities.torch?.contains(true) == true { requests.append(MediaTrackConstraints(torch: true)) }
        return requests
    }

    @Test("(virtual camera) externalChange", .enabled(if: isChild))
    func virtualCamera_externalChange() async throws {
        let track = try await openVideo(MediaDevices(devices: [.v4l2(path: Self.path)], timing: .test))
        defer { track.stop() }
        // The value "another program" set before the library opened the camera, read, not reset.
        let brightness = try #require(track.getCapabilities().brightness)
        #expect(track.getSettings().brightness == brightness.min! + 1)
        #expect(!Self.log().contains { $0.contains("S_CTRL") && !$0.contains("another program") }, "\(Self.log())")
        let events = track.events
        Self.command("set 0x00980900 \(Int(brightness.max!))")  // as `v4l2-ctl --set-ctrl brightness=...` would
        let changed = try await within(5, "the settingsChanged event") { () -> Bool in
            for await event in events where event == .settingsChanged { return true }
            return false
        }
        #expect(changed && track.getSettings().brightness == brightness.max)
        // Exposure switched to manual elsewhere: the manual value becomes writable, as on the hardware.
        if let time = track.getCapabilities().exposureTime, track.getSettings().exposureMode == "continuous" {
            let blocked = await Self.outcome { try await track.applyConstraints(MediaTrackConstraints(exposureTime: .exact(time.min! + 1))) }
            #expect(blocked == "OverconstrainedError exposureTime")
            Self.command("set 0x009a0901 1")  // auto_exposure (exposure_auto on older kernels): Manual Mode
            try await within(5, "exposureMode manual") {
                while track.getSettings().exposureMode != "manual" { try await Task.sleep(for: .milliseconds(20)) }
            }
            try await within(10) { try await track.applyConstraints(MediaTrackConstraints(exposureTime: .exact(time.min! + 1))) }
            #expect(track.getSettings().exposureTime == time.min! + 1)
        }
        print("virtual camera externalChange: done")
    }

    @Test("(virtual camera) unplug", .enabled(if: isChild))
    func virtualCamera_unplug() async throws {
        let devices = MediaDevices(devices: [.v4l2(path: Self.path)], timing: .test)
        let track = try await openVideo(devices)
        let clone = track.clone()
        let events = track.events, cloneEvents = clone.events
        let capture = try ImageCapture(track)
        _ = try await nextFrame(track)

        // A stall: calls fail at their bound, the track stays live, frames come back.
        Self.command("stall")
        try await FaultTests.waitForStall(track)
        #expect(track.readyState == .live && !track.muted)
        Self.command("resume")
        let resumed = try await within(5) { try await capture.grabFrame() }
        try Self.expectPattern(resumed, "after the stall")

        // Calls pending when the camera goes: stalled first, so that they wait.
        Self.command("stall")
        try await FaultTests.waitForStall(track)
        let clock = ContinuousClock()
        let grab = Task { await Self.outcome { _ = try await capture.grabFrame() } }
        let photo = Task { await Self.outcome { _ = try await capture.takePhoto() } }
        try await Task.sleep(for: .milliseconds(100))
        let unplugged = clock.now
        Self.command("unplug")
        try await within(5, "ended") {
            while track.readyState != .ended { try await Task.sleep(for: .milliseconds(5)) }
        }
        let ended = clock.now - unplugged
        #expect(ended < .milliseconds(500), "ended \(ended) after the unplug")
        let grabbed = await grab.value, photographed = await photo.value
        let settled = clock.now - unplugged
        #expect(grabbed != nil && photographed != nil, "\(grabbed ?? "resolved") \(photographed ?? "resolved")")
        #expect(settled < .milliseconds(600), "the pending calls settled \(settled) after the unplug")
        #expect(try await collectEvents(until: events, seconds: 5) == [.ended])
        #expect(try await collectEvents(until: cloneEvents, seconds: 5) == [.ended] && clone.readyState == .ended)
        let later = await Self.outcome { _ = try await capture.grabFrame() }
        #expect(later?.hasPrefix("InvalidStateError") == true, "\(later ?? "resolved")")
        let reopen = await Self.outcome { _ = try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(reopen?.hasPrefix("NotFoundError") == true || reopen?.hasPrefix("NotReadableError") == true, "\(reopen ?? "opened")")

        // Plugged back: it opens again.
        Self.command("plug")
        Self.command("resume")
        let again = try await openVideo(devices)
        try Self.expectPattern(try await nextFrame(again), "after replugging")
        again.stop()
        print("virtual camera unplug: ended after \(ended), calls settled after \(settled)")
        print("virtual camera unplug: done")
    }

    @Test("(virtual camera) mjpeg", .enabled(if: isChild))
    func virtualCamera_mjpeg() async throws {
        // The C920's 720p at 30 fps comes only as MJPEG (its YUYV 720p is 10 fps).
        let devices = MediaDevices(devices: [.v4l2(path: Self.path)], timing: .test)
        let track = try await openVideo(devices, MediaTrackConstraints(width: .exact(1280), height: .exact(720), frameRate: .exact(30)))
        defer { track.stop() }
        #expect(Self.log().last { $0.contains("STREAMON") }?.contains("1280x720 MJPG") == true)
        let pipeline = try #require(track.video?.source.capturer.pipeline)
        typealias N = PipelineDescription.Name
        let counts = Locked([String: Int]())
        let cameraJPEGs = Locked([[UInt8]]())  // the newest few, as the camera sent them
        try #require(pipeline.element(named: N.tee)?.staticPad("sink")).addBufferProbe { context in
            if let bytes = try? context.copiedSample()?.copyBytes() {
                cameraJPEGs.withLock { jpegs in
                    if jpegs.count == 4 { jpegs.removeFirst() }
                    jpegs.append(bytes)
                }
            }
            return .pass
        }
        for name in [N.framesDecoder, N.photoDecoder, N.encoder, N.tee] {
            try #require(pipeline.element(named: name)?.staticPad("sink")).addBufferProbe { _ in
                counts.withLock { $0[name, default: 0] += 1 }
                return .pass
            }
        }
        try Self.expectPattern(try await nextFrame(track), "MJPEG 1280x720")
        // Nobody reads: once the gate closed (400 ms after the last read), the camera's frames reach
        // the tee and no decoder.
        try await Task.sleep(for: .milliseconds(800))
        counts.withLock { $0 = [:] }
        try await Task.sleep(for: .seconds(1))
        let idle = counts.withLock { $0 }
        #expect(idle[N.tee, default: 0] >= 20, "the camera sent \(idle[N.tee, default: 0]) frames in 1 s")
        #expect(idle[N.framesDecoder, default: 0] == 0 && idle[N.photoDecoder, default: 0] == 0, "decoded while idle: \(idle)")
        // A reader: its frames decode; a photo decodes its one frame.
        try Self.expectPattern(try await nextFrame(track), "MJPEG 1280x720, read again")
        #expect(counts.withLock { $0[N.framesDecoder, default: 0] } > 0)
        // A photo at the stream's size is the camera's own JPEG, but for the EXIF block: neither
        // decoded nor encoded; with zero shutter lag, of a held frame. Any other size decodes its frame.
        func withoutExif(_ jpeg: [UInt8]) -> [UInt8] {
            guard jpeg.count > 6 else { return jpeg }
            var at = 2
            while at + 4 <= jpeg.count, jpeg[at] == 0xFF, jpeg[at + 1] != 0xE1, jpeg[at + 1] != 0xDA {
                at += 2 + (Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3]))
            }
            guard at + 4 <= jpeg.count, jpeg[at + 1] == 0xE1 else { return jpeg }
            return Array(jpeg[..<at]) + jpeg[(at + 2 + (Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])))...]
        }
        let capture = try ImageCapture(track)
        let lagless = try ImageCapture(track, options: .init(zeroShutterLag: true))
        try await Task.sleep(for: .milliseconds(200))  // frames held
        for (name, taker) in [("next frame", capture), ("zero shutter lag", lagless)] {
            let photo = try await within(10) { try await taker.takePhoto() }
            let bytes = withoutExif(photo.bytes)
            #expect(bytes.count < photo.bytes.count, "\(name): no EXIF block")
            #expect(cameraJPEGs.withLock { $0.contains(bytes) }, "\(name): not a JPEG the camera sent (\(bytes.count) bytes)")
            #expect(try await decodeJPEG(photo).width == 1280)
            #expect(photo.metadata?.photoOrigin == (taker === lagless ? .heldFrame : .nextFrame), "\(name)")
        }
        #expect(counts.withLock { $0[N.photoDecoder, default: 0] + $0[N.encoder, default: 0] } == 0, "\(counts.withLock { $0 })")
        let smaller = try await within(10) { try await capture.takePhoto(PhotoSettings(imageHeight: 600, imageWidth: 800)) }
        #expect(try await decodeJPEG(smaller).width == 800)
        #expect(counts.withLock { $0[N.photoDecoder, default: 0] } == 1, "\(counts.withLock { $0 })")
        // A crop-and-scale clone decodes in its own branch.
        let clone = track.clone()
        defer { clone.stop() }
        try await within(10) {
            try await clone.applyConstraints(MediaTrackConstraints(width: .exact(640), height: .exact(360), resizeMode: .exact("crop-and-scale")))
        }
        let small = try await nextFrame(clone)
        #expect(small.width == 640 && small.height == 360)
        try Self.expectPattern(small, "MJPEG clone 640x360")
        // A native still (the MJPEG 1920x1080 mode: a photo of the mode's own size, so the camera's
        // JPEG; then back to 720p) while a recording runs: the driver takes the new format though the recording's queue holds
        // frames, and the recording keeps its size and decodes its frames in its own branch.
        let recorder = try MediaRecorder(MediaStream(tracks: [track]))
        let events = MediaRecorderTests.EventLog(recorder.events)
        try recorder.start()
        try await Task.sleep(for: .milliseconds(500))
        let still = try await within(30) { try await capture.takePhoto(PhotoSettings(imageHeight: 1080, imageWidth: 1920)) }
        let decoded = try await decodeJPEG(still)
        #expect(decoded.width == 1920 && decoded.height == 1080)
        #expect(Self.log().contains { $0.contains("STREAMON 1920x1080 MJPG") }, "\(Self.log().filter { $0.contains("STREAMON") })")
        try Self.expectPattern(try await nextFrame(track), "MJPEG 1280x720 after the still")
        try await Task.sleep(for: .milliseconds(500))
        try recorder.stop()
        let recorded = try await MediaRecorderTests.decode(MediaRecorderTests.EventLog.bytes(of: try await events.wait()))
        #expect(recorded.failure == nil && recorded.width == 1280 && recorded.height == 720, "\(String(describing: recorded))")
        #expect(recorded.frames >= 20, "\(recorded.frames) frames in \(recorded.duration) s")
        print("virtual camera mjpeg: done")
    }

    @Test("(virtual camera) busy", .enabled(if: isChild))
    func virtualCamera_busy() async throws {
        // A second application: gst-launch-1.0 streaming the same camera (the preload is inherited).
        var pid = try spawnTiedProcess("gst-launch-1.0", ["-q", "v4l2src", "device=\(Self.path)", "!", "fakesink"])
        defer { killGroup(pid) }
        let me = getpid()
        try await within(10, "the other application to stream") {
            while !Self.log().contains(where: { $0.contains(" STREAMON") && !$0.hasPrefix("pid=\(me) ") }) {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let devices = MediaDevices(devices: [.v4l2(path: Self.path)], timing: .test)
        let error = try await domException { _ = try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(error.name == .notReadableError, "\(error)")
        #expect(error.message.contains(Self.path), "\(error.message)")
        print("virtual camera busy: \(error.message)")
        killGroup(pid, SIGTERM)
        pid = 0
        let track = try await openVideo(devices)
        try Self.expectPattern(try await nextFrame(track), "once the other application stopped")
        track.stop()
        print("virtual camera busy: done")
    }

    @Test("(virtual camera) blockedOpen", .enabled(if: isChild))
    func virtualCamera_blockedOpen() async throws {
        Self.command("block-open 8000")
        let devices = MediaDevices(devices: [.v4l2(path: Self.path)], timing: .test)
        let clock = ContinuousClock(), started = clock.now
        let error = try await within(20) { () -> DOMException? in
            do {
                _ = try await devices.getUserMedia(MediaStreamConstraints(video: true))
                return nil
            } catch let error as DOMException {
                return error
            }
        }
        let elapsed = clock.now - started
        #expect(error?.name == .notReadableError, "\(String(describing: error))")
        // The probe's deadline (5 s), not the driver's 8 s.
        #expect(elapsed < .milliseconds(6500), "rejected after \(elapsed)")
        print("virtual camera blockedOpen: rejected after \(elapsed): \(error?.message ?? "")")
        Self.command("block-open 0")
        print("virtual camera blockedOpen: done")
    }
}

extension SourceMode {
    fileprivate var rate: Double { Double(frameRate.numerator) / Double(frameRate.denominator) }
}

/// Writes `text` to a new file at `path`.
private func write(_ text: String, to path: String) -> Bool {
    guard let file = fopen(path, "w") else { return false }
    defer { fclose(file) }
    return fputs(text, file) >= 0
}
