// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import CTestSupport
import Glibc
@testable import GStreamerWrapper
@testable import MediaCapture
import Locking
import Synchronization
import TestSupport
import Testing
@testable import V4L2

/// The capture core's invariants, each with the bug that once broke it.
@Suite("Capture core", .timeLimit(.minutes(1)))
struct CaptureCoreTests {
    static func fixture(_ name: String) throws -> String {
        try #require(readFile(repositoryRoot + "/Tests/Fixtures/v4l2-devices/\(name)"))
    }

    static func source(of track: MediaStreamTrack) throws -> Capturer {
        guard let source = track.video?.source.capturer else { throw TimedOut(what: "no video source", seconds: 0) }
        return source
    }

    /// A camera with an LED flash and the C920's modes (so a large photo switches modes).
    static func flashCamera() throws -> MediaDevices {
        MediaDevices(
            devices: [.recorded(controls: try fixture("synthetic-flash.ctrls.txt"), formats: try fixture("logitech-c920.formats.txt"))],
            timing: .test)
    }

    @Test("A refused flash fails its photo alone: the mode comes back, the track is not left muted, later calls work")
    func refusedFlashRestores() async throws {
        let track = try await openVideo(try Self.flashCamera())
        defer { track.stop() }
        let device = try RecordedDeviceTests.recordedDevice(of: track)
        device.refuseWrites(to: V4L2ControlID.flashStrobe, .notWritable("strobe: the capacitor is not charged"))
        let capture = try ImageCapture(track)
        let events = track.events
        let refused = try await domException {
            _ = try await capture.takePhoto(PhotoSettings(fillLightMode: .flash, imageHeight: 1080, imageWidth: 1920))
        }
        #expect(refused.name == .unknownError && refused.message.contains("flash"))
        #expect(!track.muted)
        #expect(try Self.source(of: track).currentMode.withLock { $0 }?.width == 640)
        _ = try await within(5) { try await capture.grabFrame() }  // no InvalidStateError: not left muted
        let photo = try await within(10) { try await capture.takePhoto(PhotoSettings(imageHeight: 1080, imageWidth: 1920)) }
        #expect(photo.type == "image/jpeg")
        track.stop()
        let seen = try await collectEvents(until: events, seconds: 5)
        #expect(seen.filter { $0 == .mute }.count == seen.filter { $0 == .unmute }.count)
    }

    @Test("A flash for a high-resolution photo strobes once the new mode's frames arrive")
    func flashAfterModeSwitch() async throws {
        let track = try await openVideo(try Self.flashCamera())
        defer { track.stop() }
        let source = try Self.source(of: track)
        let device = try RecordedDeviceTests.recordedDevice(of: track)
        let atStrobe = Locked<AspectCrop.Size?>(nil)
        device.observeWrites { id, _ in
            if id == V4L2ControlID.flashStrobe { atStrobe.withLock { $0 = source.photo.inputSize } }
        }
        _ = try await within(10) {
            try await ImageCapture(track).takePhoto(PhotoSettings(fillLightMode: .flash, imageHeight: 1080, imageWidth: 1920))
        }
        #expect(atStrobe.withLock { $0 } == AspectCrop.Size(width: 1920, height: 1080))
    }

    @Test("The gate follows the demand under one lock: grabs racing closes always get their frame")
    func gateAgreesWithValve() async throws {
        // No linger: every end of demand schedules a close at once, racing the next wait's open.
        let timing = CaptureTiming(openTimeout: .seconds(5), gateLinger: .zero, modeSwitchTimeout: .seconds(5), stopTimeout: .seconds(5))
        let track = try await openVideo(fakeDevices(timing: timing))
        defer { track.stop() }
        let branch = try #require(track.branch)
        let valve = branch.elements[0]
        let failures = try await within(40) { () async -> Int in
            var failures = 0
            for _ in 0..<30 {
                failures += await withTaskGroup(of: Int.self) { group in
                    // One real grab (a frame newer than any so far)...
                    let newest = branch.hub.latest?.sequence ?? 0
                    group.addTask { (try? await branch.hub.sample(after: newest, timeout: .seconds(1))) == nil ? 1 : 0 }
                    // ...among waits that end at once, each ending the demand and scheduling a close.
                    for index in 0..<20 {
                        group.addTask {
                            _ = try? await branch.hub.sample(after: .max, timeout: .microseconds(index * 20))
                            return 0
                        }
                    }
                    return await group.reduce(0, +)
                }
            }
            return failures
        }
        #expect(failures == 0, "\(failures) grabs timed out behind a closed gate")
        try await Task.sleep(for: .milliseconds(100))  // every pending close has run
        #expect(branch.hub.isGateOpen == !valve.bool("drop"))
        #expect(branch.hub.pendingCount == 0)
    }

    @Test("An aspect crop's margins are those of the last change, whatever thread made it")
    func aspectCropUnderOneLock() async throws {
        let crop = try #require(Element(factory: "videocrop"))
        let aspect = AspectCrop(crop)
        aspect.setInput(AspectCrop.Size(width: 1920, height: 1080))
        DispatchQueueless.concurrentPerform(iterations: 50_000) { index in
            if index % 3 == 0 {
                aspect.setInput(index % 2 == 0 ? AspectCrop.Size(width: 1920, height: 1080) : AspectCrop.Size(width: 640, height: 480))
            } else {
                aspect.setTarget(index % 2 == 0 ? AspectCrop.Size(width: 100, height: 100) : AspectCrop.Size(width: 400, height: 100))
            }
        }
        let (left, right, top, bottom) = aspect.margins
        let expected = aspect.expectedMargins
        #expect(left == expected.0 && right == expected.1 && top == expected.2 && bottom == expected.3)
    }

    @Test("A clone whose branch cannot be attached leaves nothing in the pipeline")
    func failedAttachRemovesItsElements() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let source = try Self.source(of: track)
        let template = try #require(track.branch)
        let branch = try #require(TrackBranch.make(index: 9999, like: template, linger: .seconds(1)))
        // A tee of another pipeline: its pads are outside this one's hierarchy, so linking fails.
        let other = try Pipeline(description: "videotestsrc ! tee name=t ! fakesink", name: "other")
        let foreignTee = try #require(other.element(named: "t"))
        let before = source.pipeline.children.count
        let attached = await source.pipeline.perform(timeout: .seconds(5)) { branch.attach(to: source.pipeline, tee: foreignTee) }
        #expect(attached == false)
        #expect(source.pipeline.children.count == before + 6)  // added, then the link failed
        _ = await source.pipeline.perform(timeout: .seconds(5)) { branch.detach(from: source.pipeline, tee: foreignTee) }
        #expect(source.pipeline.children.count == before)
        #expect(branch.addedElements.isEmpty)
        #expect(branch.elements.allSatisfy { $0.referenceCount == 1 })  // only the branch's own reference
    }

    @Test("A clone racing the last stop gets a live source or none: it never keeps a stopped camera open")
    func cloneRacingLastStop() async throws {
        let devices = fakeDevices(FakeCamera(modes: [VideoMode(width: 64, height: 48)]))
        var lateClones = 0
        // How late the stop starts, in µs: searched for the delay at which the clone's branch and the
        // stop's decision meet (where the outcome flips), then tried around it.
        var (early, late) = (0, 400)
        for attempt in 0..<50 {
            let delay = attempt < 10 ? (early + late) / 2 : max(0, (early + late) / 2 + Int.random(in: -3...3))
            let track = try await openVideo(devices)
            let made = Locked<MediaStreamTrack?>(nil)
            DispatchQueueless.race(
                {
                    spin(microseconds: delay); track.stop()
                },
                { made.withLock { $0 = track.clone() } })
            let copy = try #require(made.withLock { $0 })
            if copy.readyState == .live {
                lateClones += 1
                if attempt < 10 { late = delay }  // the clone got in first: the stop can start earlier
                _ = try await within(5) { try await ImageCapture(copy).grabFrame() }
            } else if attempt < 10 {
                early = delay
            }
            copy.stop()
        }
        // Every camera was let go: it opens again.
        try await openVideo(devices).stop()
        #expect(lateClones > 0, "no clone got in before the stop: the race was never run")
    }

    @Test("Seven clones made at once all deliver frames")
    func manyClonesAtOnce() async throws {
        let track = try await openVideo()
        let clones = (0..<7).map { _ in track.clone() }
        defer { ([track] + clones).forEach { $0.stop() } }
        for (index, clone) in clones.enumerated() {
            let frame = try await within(5, "a frame from clone \(index)") { try await ImageCapture(clone).grabFrame() }
            #expect(frame.width == 640)
        }
    }

    @Test("An unplugged camera ends each of its tracks with one ended event, and can be opened again")
    func unplugEndsTracks() async throws {
        let devices = MediaDevices(devices: [.recorded(controls: try Self.fixture("logitech-c920.ctrls.txt"), formats: nil)], timing: .test)
        let track = try await openVideo(devices)
        let clone = track.clone()
        let first = track.events, second = clone.events
        try RecordedDeviceTests.recordedDevice(of: track).unplug()
        #expect(try await collectEvents(until: first, seconds: 5) == [.ended])
        #expect(try await collectEvents(until: second, seconds: 5) == [.ended])
        #expect(track.readyState == .ended && clone.readyState == .ended)
        let error = try await domException { _ = try await ImageCapture(track).grabFrame() }
        #expect(error.name == .invalidStateError)
        try await openVideo(devices).stop()
    }

    @Test("grabFrame and getSettings make no device read: settings come from what the library keeps fresh")
    func noDeviceReadsPerGrab() async throws {
        let devices = MediaDevices(devices: [.recorded(controls: try Self.fixture("logitech-c920.ctrls.txt"), formats: nil)], timing: .test)
        let track = try await openVideo(devices)
        defer { track.stop() }
        let device = try RecordedDeviceTests.recordedDevice(of: track)
        let capture = try ImageCapture(track)
        _ = try await within(5) { try await capture.grabFrame() }
        let reads = device.readCount
        for _ in 0..<20 {
            _ = try await within(5) { try await capture.grabFrame() }
            _ = track.getSettings()
            _ = try await within(5) { try await capture.getPhotoSettings() }
        }
        #expect(device.readCount == reads)
        // A write reads back what the driver took (one read per written control), no more.
        try await within(5) { try await track.applyConstraints(MediaTrackConstraints(brightness: .exact(77))) }
        #expect(device.readCount == reads + 1)
        #expect(track.getSettings().brightness == 77)
    }

    @Test("Grabs and photos do not grow the process: a finished call's deadline is gone with it")
    func noGrowthPerCall() async throws {
        // Non-live: frames as fast as the pipeline runs, so hundreds of calls take a second. Tiny
        // frames: a buffer pool growing by one buffer must not pass for a leak.
        let camera = FakeCamera(isLive: false, modes: [VideoMode(width: 64, height: 48)])
        let track = try await openVideo(fakeDevices(camera))
        defer { track.stop() }
        let capture = try ImageCapture(track)
        @Sendable func grown(_ calls: Int, _ body: () async throws -> Void) async throws -> Int {
            for _ in 0..<300 { try await body() }  // warm-up: pools, caches, arenas, table capacities
            let before = CTestSupport_allocated_bytes()
            for _ in 0..<calls { try await body() }
            return Int(CTestSupport_allocated_bytes()) - Int(before)
        }
        // A sleeping task per deadline kept about 1 kB per photo for its whole 10 s.
        let photos = try await within(30) { try await grown(500) { _ = try await capture.takePhoto() } }
        #expect(photos < 100_000, "\(photos) bytes stayed allocated after 500 photos")
        let grabs = try await within(30) { try await grown(1000) { _ = try await capture.grabFrame() } }
        #expect(grabs < 100_000, "\(grabs) bytes stayed allocated after 1000 grabs")
        #expect(Deadlines.shared.pendingCount < 5)  // the gate's close at most, and a stray one
    }

    @Test("Switching to a smaller mode under a digital zoom renegotiates: the track stays live")
    func smallerModeUnderZoom() async throws {
        let track = try await openVideo(fakeDevices(), MediaTrackConstraints(width: .exact(640), height: .exact(480), zoom: true))
        let events = track.events
        // The zoom's crop is set for 640x480 frames when the source asks downstream about 320x240 ones.
        for (width, height) in [(320, 240), (1280, 720), (320, 240), (640, 480)] {
            try await within(10) {
                try await track.applyConstraints(
                    MediaTrackConstraints(
                        width: .exact(UInt32(width)), height: .exact(UInt32(height)), zoom: .double(.exact(2))))
            }
            let frame = try await within(5) { try await ImageCapture(track).grabFrame() }
            #expect(frame.width == width && frame.height == height)
        }
        #expect(track.readyState == .live)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5).allSatisfy { $0 == .mute || $0 == .unmute })
    }

    @Test("A wait on an ended hub leaves nothing behind")
    func waitOnEndedHub() async throws {
        let hub = SampleHub()
        hub.end()
        await #expect(throws: SampleHub.Failure.ended) { _ = try await hub.sample(after: 0, timeout: .seconds(5)) }
        #expect(hub.pendingCount == 0)
    }

    @Test("A source that blocks in open(): NotReadableError within the open deadline, and the process goes on")
    func sourceBlockingInOpen() async throws {
        let path = "/tmp/media-capture-fifo-\(getpid())-\(Identifiers.random())"
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        // filesrc opens its file going to PAUSED; a FIFO without a writer blocks open() for good.
        let device = CaptureDevice.pipeline("filesrc location=\(path) ! rawvideoparse width=64 height=48 ! videoconvert", label: "Wedged")
        let timing = CaptureTiming(
            openTimeout: .milliseconds(500), gateLinger: .seconds(1), modeSwitchTimeout: .seconds(1), stopTimeout: .milliseconds(500))
        let error = try await domException {
            _ = try await MediaDevices(devices: [device], timing: timing).getUserMedia(MediaStreamConstraints(video: true))
        }
        #expect(error.name == .notReadableError && error.message.contains("did not answer"))
        // Unblock the wedged thread so it can finish its work and end.
        let writer = open(path, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
    }
}

/// Busy-waits (a sleep is far coarser than the race being timed).
func spin(microseconds: Int) {
    let clock = ContinuousClock()
    let end = clock.now + .microseconds(microseconds)
    while clock.now < end {}
}

/// `concurrentPerform` without Dispatch: `iterations` calls spread over four threads.
enum DispatchQueueless {
    static func concurrentPerform(iterations: Int, threads count: Int = 4, _ body: @escaping @Sendable (Int) -> Void) {
        let next = Atomic<Int>(0)
        var threads: [pthread_t] = []
        let context = Unmanaged.passRetained(Work(iterations: iterations, next: next, body: body))
        for _ in 0..<count {
            var thread = pthread_t()
            if pthread_create(
                &thread, nil,
                { raw in
                    let work = Unmanaged<Work>.fromOpaque(raw!).takeUnretainedValue()
                    while case let index = work.next.add(1, ordering: .relaxed).oldValue, index < work.iterations { work.body(index) }
                    return nil
                }, context.toOpaque()) == 0
            {
                threads.append(thread)
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        context.release()
    }

    /// Runs `first` and `second` on two threads released at the same moment, and waits for both.
    static func race(_ first: @escaping @Sendable () -> Void, _ second: @escaping @Sendable () -> Void) {
        let ready = Atomic<Int>(0)
        concurrentPerform(iterations: 2, threads: 2) { index in
            ready.add(1, ordering: .relaxed)
            while ready.load(ordering: .relaxed) < 2 {}
            index == 0 ? first() : second()
        }
    }

    private final class Work: Sendable {
        let iterations: Int
        let next: Atomic<Int>
        let body: @Sendable (Int) -> Void
        init(iterations: Int, next: consuming Atomic<Int>, body: @escaping @Sendable (Int) -> Void) {
            self.iterations = iterations
            self.next = next
            self.body = body
        }
    }
}
