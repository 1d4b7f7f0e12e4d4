// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import Locking
@testable import MediaCapture
import TestSupport
import Testing

/// A real RTSP server on 127.0.0.1 (Tests/Network/rtsp_server.py, GStreamer's RTSP server through
/// python3-gi), started and stopped by each test whatever happens.
final class RTSPServer: Sendable {
    let port: Int
    private let pid: Locked<pid_t>
    private let options: [String]

    static let script = repositoryRoot + "/Tests/Network/rtsp_server.py"

    /// Why no server can run here (python3-gi or the RTSP server's typelib missing), nil when it can.
    static let unavailable: String? = {
        let probe = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
        var pid: pid_t = 0
        guard let spawned = try? spawnProcess("/usr/bin/python3", ["-c", probe]) else { return "/usr/bin/python3 is missing" }
        pid = spawned
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status != 0 else { return nil }
        let reason = "python3-gi or gir1.2-gst-rtsp-server-1.0 is missing (bash scripts/setup.sh installs them)"
        print("Network cameras over RTSP: skipped: \(reason)")  // the test command fails when they did not run
        return reason
    }()

    /// Starts a server (on `port`, or a free one for 0) and waits until it listens.
    init(port: Int = 0, options: [String] = []) async throws {
        let output = "/tmp/media-capture-rtsp-\(getpid())-\(Identifiers.random())"
        defer { unlink(output) }
        let pid = try spawnTiedProcess("/usr/bin/python3", [Self.script, "--port", String(port)] + options, stdout: output, stderr: output + ".err")
        self.pid = Locked(pid)
        self.options = options
        defer { unlink(output + ".err") }
        var bound: Int?
        for _ in 0..<250 where bound == nil {
            try await Task.sleep(for: .milliseconds(20))
            bound = readFile(output)?.split(separator: "\n").first { $0.hasPrefix("port ") }.flatMap { Int($0.dropFirst(5)) }
        }
        guard let bound else {
            killGroup(pid)
            throw TimedOut(what: "the RTSP server: \(readFile(output + ".err") ?? "")", seconds: 5)
        }
        self.port = bound
    }

    func url(_ path: String = "/cam", credentials: String = "") -> String { "rtsp://\(credentials)127.0.0.1:\(port)\(path)" }

    /// Kills the server (the camera drops off the network); idempotent.
    func stop() {
        let pid = self.pid.withLock { pid in
            defer { pid = 0 }
            return pid
        }
        killGroup(pid)
    }

    /// The same server again, on the same port.
    func restarted() async throws -> RTSPServer {
        stop()
        return try await RTSPServer(port: port, options: options)
    }

    deinit { stop() }
}

@Suite("Network cameras over RTSP", .serialized, .timeLimit(.minutes(2)), .enabled(if: RTSPServer.unavailable == nil))
struct NetworkCameraTests {
    /// The server's picture, 0xff2080e0, after JPEG and I420 on the way.
    static let colour: [Int] = [0x20, 0x80, 0xE0]

    static func expectColour(_ frame: ImageBitmap, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pixels = try frame.rgbaBytes()
        let offset = (frame.height / 2 * frame.width + frame.width / 2) * 4
        let got = (0..<3).map { Int(pixels[offset + $0]) }
        #expect(zip(got, colour).allSatisfy { abs($0 - $1) <= 16 }, "the centre is \(got)", sourceLocation: sourceLocation)
    }

    /// The name `body` rejects with (nil when it resolves), bounded.
    /// Stops the track and waits until its pipeline has stopped, before the test kills its server: a
    /// server that dies while rtspsrc tears down can make rtspsrc print a `GStreamer-CRITICAL` (an
    /// end-of-stream given an invalid seqnum; still in 1.28), which the test command refuses.
    static func stopAndRelease(_ track: MediaStreamTrack) async {
        track.stop()
        await ReleaseTracker.shared.wait()
    }

    static func rejection(_ body: @escaping @Sendable () async throws -> Void) async -> DOMException.Name? {
        do {
            try await within(10) { try await body() }
            return nil
        } catch let error as DOMException {
            return error.name
        } catch {
            return nil
        }
    }

    @Test("An RTSP camera: frames of its picture, a photo, a label without credentials")
    func grabAndPhotograph() async throws {
        let server = try await RTSPServer()
        defer { server.stop() }
        let devices = MediaDevices(devices: [.network(url: server.url())], timing: .test)
        let track = try await openVideo(devices)
        defer { track.stop() }
        #expect(track.label == "Network camera (\(server.url()))")
        #expect(track.getSettings().width == 640 && track.getSettings().height == 480)
        let capture = try ImageCapture(track)
        let frame = try await within(10) { try await capture.grabFrame() }
        #expect(frame.width == 640 && frame.height == 480)
        try Self.expectColour(frame)
        let photo = try await within(10) { try await capture.takePhoto() }
        let decoded = try await decodeJPEG(photo)
        #expect(decoded.width == 640 && decoded.height == 480)
        let smaller = try await within(10) { try await capture.takePhoto(PhotoSettings(imageHeight: 240, imageWidth: 320)) }
        #expect(try await decodeJPEG(smaller).width == 320)
        // Capture times about one frame interval (30 fps) apart and before each frame was received,
        // frame numbers going up by one (the library's own count: RTP carries none).
        let frames = try await FrameMetadataTests.frames(track, 12)
        let steps = zip(frames, frames.dropFirst()).compactMap { earlier, later -> (UInt64, Duration)? in
            guard let a = earlier.0.metadata.frameNumber, let b = later.0.metadata.frameNumber,
                let x = earlier.0.metadata.captureTime, let y = later.0.metadata.captureTime
            else { return nil }
            return (b &- a, y - x)
        }
        #expect(steps.count == 11, "every frame has a number and a capture time")
        #expect(steps.filter { $0.0 == 1 }.count >= 8, "\(steps.map(\.0))")
        for (numbers, elapsed) in steps where numbers == 1 {
            #expect(elapsed > .milliseconds(10) && elapsed < .milliseconds(70), "\(elapsed) between two frames")
        }
        // Never after it was received (RTP's mapped times can run ahead: clamped), and not long before.
        #expect(
            frames.allSatisfy { frame, received in
                frame.metadata.captureTime.map { $0 <= received && received - $0 < .seconds(1) } == true
            })
        await Self.stopAndRelease(track)
    }

    @Test("Refusals are NotReadableError with the server's answer, bounded; a URL that is not RTSP is a TypeError")
    func refusals() async throws {
        let server = try await RTSPServer()
        defer { server.stop() }
        let clock = ContinuousClock()
        func open(_ url: String) async throws -> DOMException {
            let devices = MediaDevices(devices: [.network(url: url)], timing: .test)
            return try await domException { _ = try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
        }
        var started = clock.now
        let missing = try await open(server.url("/nothing-here"))
        #expect(missing.name == .notReadableError && missing.message.contains("404"), "\(missing)")
        #expect(clock.now - started < .seconds(5))
        // A port where nothing listens: the server that was there has gone.
        let gone = try await RTSPServer()
        let closedURL = gone.url()
        gone.stop()
        started = clock.now
        let refused = try await open(closedURL)
        #expect(refused.name == .notReadableError && refused.message.contains("connect"), "\(refused)")
        #expect(clock.now - started < .seconds(5))
        for bad in ["http://127.0.0.1/cam", "rtsp://", "rtsp:///cam", "rtsp://127.0.0.1/a b", "not a url"] {
            let error = try await open(bad)
            #expect(error.name == .typeError, "\(bad): \(error)")
        }
    }

    @Test("Pipeline syntax in a URL opens nothing and writes nothing")
    func pipelineSyntaxInURL() async throws {
        let target = "/tmp/media-capture-injected-\(Identifiers.random())"
        for url in [
            "rtsp://127.0.0.1:1/cam ! filesink location=\(target)", "rtsp://127.0.0.1:1/cam!filesink location=\(target)",
            "rtsp://127.0.0.1:1/\"cam\" ! filesink location=\(target)",
        ] {
            let devices = MediaDevices(devices: [.network(url: url)], timing: .test)
            let error = try await domException { _ = try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
            #expect(error.name == .typeError || error.name == .notReadableError, "\(error)")
            #expect(access(target, F_OK) != 0, "\(url) wrote \(target)")
        }
    }

    @Test("URLs: credentials split and percent-decoded, hostile text refused without trapping")
    func urls() {
        let plain = NetworkCameraURL("rtsp://viewer:p%40ss:w@rd@192.0.2.1:554/live?x=1")
        #expect(plain?.location == "rtsp://192.0.2.1:554/live?x=1" && plain?.user == "viewer" && plain?.password == "p@ss:w@rd")
        #expect(NetworkCameraURL("RTSP://[::1]:8554/cam")?.location == "rtsp://[::1]:8554/cam")
        #expect(NetworkCameraURL("rtsp://user@host/cam")?.user == "user" && NetworkCameraURL("rtsp://user@host/cam")?.password == nil)
        for hostile in [
            "", "rtsp://", "rtsp://@", "rtsp://:554/x", "rtsp://%zz@host/", "rtsp://a:%@host/", "rtsp://a:%4@host/",
            "rtsp://host/a b", "rtsp://host/\u{0}", "rtsp://host/!", "rtsp://host\\x", "file:///etc/passwd",
            "rtsp://" + String(repeating: "a", count: 5000), "rtsp://%ff%fe@host/", "rtsp://h/\u{7F}",
        ] {
            #expect(NetworkCameraURL(hostile) == nil, "\(hostile.prefix(40))")
        }
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...60)).map { _ in UInt8.random(in: 0...127) }
            _ = NetworkCameraURL("rtsp://" + String(decoding: bytes, as: UTF8.self))  // must not trap
        }
    }

    @Test("Credentials from the URL open a protected camera, and appear in no label, message or description")
    func credentials() async throws {
        let server = try await RTSPServer(options: ["--user", "viewer", "--password", "s3cr3t"])
        defer { server.stop() }
        let device = CaptureDevice.network(url: server.url(credentials: "viewer:s3cr3t@"))
        let devices = MediaDevices(devices: [device], timing: .test)
        let track = try await openVideo(devices)
        defer { track.stop() }
        try Self.expectColour(try await nextFrame(track))
        let info = try #require(try await devices.enumerateDevices().first)
        for text in [track.label, info.label, "\(device)", String(reflecting: device), "\(info)"] {
            #expect(!text.contains("s3cr3t") && !text.contains("viewer"), "\(text)")
        }
        let wrong = MediaDevices(devices: [.network(url: server.url(credentials: "viewer:wrong-password@"))], timing: .test)
        let error = try await domException { _ = try await wrong.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(error.name == .notReadableError && error.message.contains("401"), "\(error)")
        #expect(!error.message.contains("wrong-password") && !"\(error)".contains("wrong-password"))
        let anonymous = MediaDevices(devices: [.network(url: server.url())], timing: .test)
        let refused = try await domException { _ = try await anonymous.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(refused.name == .notReadableError && refused.message.contains("401"), "\(refused)")
        await Self.stopAndRelease(track)
    }

    @Test("The server goes: mute, grabs reject at their bound; it returns: unmute and frames; gone for good: one ended")
    func reconnection() async throws {
        var server = try await RTSPServer()
        defer { server.stop() }
        let devices = MediaDevices(devices: [.network(url: server.url(), reconnectFor: .seconds(20))], timing: .test)
        let track = try await openVideo(devices)
        defer { track.stop() }
        let events = track.events
        let capture = try ImageCapture(track)
        try Self.expectColour(try await within(10) { try await capture.grabFrame() })

        server.stop()
        try await within(10, "mute") { while !track.muted { try await Task.sleep(for: .milliseconds(20)) } }
        #expect(track.readyState == .live)
        // A muted track refuses grabs at once (as Chromium does; the spec leaves it open, w3c/mediacapture-image#213).
        let clock = ContinuousClock(), started = clock.now
        let outage = await Self.rejection { _ = try await capture.grabFrame() }
        #expect(outage == .invalidStateError, "\(String(describing: outage))")
        #expect(clock.now - started < .seconds(1), "a grab during the outage took \(clock.now - started)")

        server = try await server.restarted()
        try await within(15, "unmute") { while track.muted { try await Task.sleep(for: .milliseconds(20)) } }
        try Self.expectColour(try await within(10) { try await capture.grabFrame() })
        let photo = try await within(10) { try await capture.takePhoto() }
        #expect(try await decodeJPEG(photo).width == 640)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5) == [.mute, .unmute])

        // A camera that does not come back within its reconnect time ends its track, once.
        let short = MediaDevices(devices: [.network(url: server.url(), reconnectFor: .seconds(2))], timing: .test)
        let doomed = try await openVideo(short)
        let doomedEvents = doomed.events
        server.stop()
        try await within(15, "ended") { while doomed.readyState != .ended { try await Task.sleep(for: .milliseconds(20)) } }
        #expect(try await collectEvents(until: doomedEvents, seconds: 5) == [.mute, .ended])
    }

    @Test("The tool takes --device rtsp://...")
    func tool() async throws {
        let server = try await RTSPServer()
        defer { server.stop() }
        let output = ToolTests.temporary("network.png")
        defer { unlink(output) }
        let result = try await ToolTests.run("grab", "-o", output, "--device", server.url(), seconds: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let image = try await decodeImage(try #require(readBytes(output)))
        #expect(image.width == 640)
        #expect(image.pixel(320, 240).prefix(3).map(Int.init).elementsEqual(Self.colour) { abs($0 - $1) <= 16 })
        let missing = try await ToolTests.run("grab", "-o", output, "--device", server.url("/nothing", credentials: "me:pw123@"), seconds: 30)
        #expect(missing.status == 1 && missing.stderr.contains("NotReadableError") && !missing.stderr.contains("pw123"), "\(missing.stderr)")
    }
}
