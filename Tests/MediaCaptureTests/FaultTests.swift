// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
@testable import GStreamerWrapper
@testable import MediaCapture
import TestSupport
import Testing

/// Faults while calls are in flight: every call settles with the spec's name, fast, and nothing is
/// left waiting or running.
@Suite("Faults", .timeLimit(.minutes(2)))
struct FaultTests {
    /// A camera that stalls after three frames, with photo state that takes 30 s: every call waits.
    private static let waitingCamera = FakeCamera(faults: [.stallAfterFrames(3), .photoStateDelay(.seconds(30))])

    /// One of every asynchronous `ImageCapture` call, started now; each yields the name it rejects
    /// with (nil when it resolves) and how long after `since` it settled.
    private static func everyCall(
        _ capture: ImageCapture, since clock: ContinuousClock = ContinuousClock()
    ) -> [(method: String, task: Task<(DOMException.Name?, ContinuousClock.Instant), Never>)] {
        func start(_ body: @escaping @Sendable () async throws -> Void) -> Task<(DOMException.Name?, ContinuousClock.Instant), Never> {
            Task {
                do {
                    try await body()
                    return (nil, clock.now)
                } catch let error as DOMException {
                    return (error.name, clock.now)
                } catch {
                    return (nil, clock.now)
                }
            }
        }
        return [
            ("grabFrame", start { _ = try await capture.grabFrame() }),
            ("takePhoto", start { _ = try await capture.takePhoto() }),
            ("getPhotoCapabilities", start { _ = try await capture.getPhotoCapabilities() }),
            ("getPhotoSettings", start { _ = try await capture.getPhotoSettings() }),
        ]
    }

    /// Returns once the camera has stalled (a grab with a short deadline fails: the held frame and the
    /// last frames before the stall come first, late on a loaded machine) and the track holds no frame
    /// any more (the gate's linger dropped it), so that every call made next waits.
    /// Grabs until the track's camera has stalled and it holds no frame (later grabs wait).
    static func waitForStall(_ track: MediaStreamTrack) async throws {
        let probe = try ImageCapture(track, options: .init(frameTimeout: .milliseconds(300)))
        var stalled = false
        for _ in 0..<20 where !stalled {
            do {
                _ = try await within(5) { try await probe.grabFrame() }
            } catch let error as DOMException where error.name == .unknownError {
                stalled = true
            }
        }
        #expect(stalled, "the camera did not stall")
        for _ in 0..<100 where track.branch?.hub.latest != nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(track.branch?.hub.latest == nil, "the track still holds a frame")
    }

    /// The spec's name for a call pending when its track ends (grabFrame and takePhoto: "cannot be
    /// completed"; the photo state: "cannot be gathered").
    private static func endedName(_ method: String) -> DOMException.Name {
        method.hasPrefix("getPhoto") ? .operationError : .unknownError
    }

    @Test("A source error mid-stream: ended once; pending calls reject with the spec's names within 100 ms; later calls InvalidStateError")
    func errorWithCallsInFlight() async throws {
        let track = try await openVideo(fakeDevices(Self.waitingCamera))
        let events = track.events
        try await Self.waitForStall(track)
        let capture = try ImageCapture(track, options: .init(frameTimeout: .seconds(30), photoTimeout: .seconds(30)))
        let calls = Self.everyCall(capture)
        try await Task.sleep(for: .milliseconds(150))
        guard let source = track.video?.source.capturer else { Issue.record("not a video track"); return }
        let posted = ContinuousClock.now
        // The source element reports a read error, as a camera driver does when the device fails.
        source.pipeline.element(named: "src")?.postError(
            domain: .resource, code: GStreamerError.ResourceCode.read.rawValue,
            message: "Test: the device failed.", debug: "FaultTests")
        for (method, call) in calls {
            let (name, settled) = try await within(5, method) { await call.value }
            #expect(name == Self.endedName(method), "\(method)")
            #expect(settled >= posted && settled - posted < .milliseconds(100), "\(method) settled \(settled - posted) after the error")
        }
        #expect(try await collectEvents(until: events, seconds: 5) == [.ended])
        #expect(track.readyState == .ended)
        for (method, call) in Self.everyCall(capture) {
            let (name, _) = try await within(5, method) { await call.value }
            #expect(name == .invalidStateError, "\(method)")
        }
    }

    @Test("stop() with 100 calls in flight from 20 tasks: every call settles within 100 ms; the device is released")
    func stopUnderLoad() async throws {
        let devices = fakeDevices(Self.waitingCamera)
        let track = try await openVideo(devices)
        try await Self.waitForStall(track)
        let capture = try ImageCapture(track, options: .init(frameTimeout: .seconds(30), photoTimeout: .seconds(30)))
        // 20 tasks, each with five calls of its own in flight.
        let tasks = (0..<20).map { _ in
            Task { () -> [(String, DOMException.Name?, ContinuousClock.Instant)] in
                var calls = Self.everyCall(capture)
                calls.append(("grabFrame", Self.everyCall(capture)[0].task))
                var results: [(String, DOMException.Name?, ContinuousClock.Instant)] = []
                for (method, call) in calls {
                    let (name, settled) = await call.value
                    results.append((method, name, settled))
                }
                return results
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        // The calls are in flight: the 40 grabs wait in the track's hub (the photo calls elsewhere).
        let waiting = track.branch?.hub.pendingCount ?? 0
        #expect(waiting >= 40, "\(waiting) grabs wait before stop()")
        let stopped = ContinuousClock.now
        track.stop()
        for task in tasks {
            let results = try await within(5, "a task's calls") { await task.value }
            for (method, name, at) in results {
                #expect(name == Self.endedName(method) || name == .invalidStateError, "\(method): \(String(describing: name))")
                #expect(at >= stopped && at - stopped < .milliseconds(100), "\(method) settled \(at - stopped) after stop()")
            }
        }
        // (No check of the hub's waiters here: stop() empties them by itself. That every call settled,
        // within 100 ms, is the check above.)
        // Released: the exclusive camera opens again at once.
        let again = try await openVideo(devices)
        again.stop()
    }

    @Test(
        "A stall: pending calls reject after their deadline or AbortError when cancelled, the track stays live, and the next calls work when frames resume"
    )
    func stallAndRecover() async throws {
        // Frames 6 to 155 are lost: about 5 s without a frame, then the camera goes on.
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.dropFrames(after: 5, count: 150)])))
        defer { track.stop() }
        let events = track.events
        let impatient = try ImageCapture(track, options: .init(frameTimeout: .milliseconds(300), photoTimeout: .milliseconds(300)))
        try await Self.waitForStall(track)
        #expect(try await domException { _ = try await impatient.grabFrame() }.name == .unknownError)
        #expect(try await domException { _ = try await impatient.takePhoto() }.name == .unknownError)
        #expect(track.readyState == .live && !track.muted)
        // Cancelled while waiting: AbortError, and no waiter is left behind.
        let waiting = try ImageCapture(track, options: .init(frameTimeout: .seconds(20), photoTimeout: .seconds(20)))
        let grab = Task { try await waiting.grabFrame() }
        let shot = Task { try await waiting.takePhoto() }
        try await Task.sleep(for: .milliseconds(100))
        grab.cancel()
        shot.cancel()
        #expect(try await domException { _ = try await grab.value }.name == .abortError)
        #expect(try await domException { _ = try await shot.value }.name == .abortError)
        #expect(track.branch?.hub.pendingCount == 0)
        let patient = try ImageCapture(track, options: .init(frameTimeout: .seconds(20)))
        _ = try await within(25) { try await patient.grabFrame() }  // a held frame, or the first after the stall
        let resumed = try await within(25, "a frame after the stall") { try await patient.grabFrame() }
        #expect(resumed.width == 640)
        let photo = try await within(20) { try await impatient.takePhoto() }
        #expect(photo.type == "image/jpeg")
        #expect(track.readyState == .live)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5) == [])
    }

    @Test("A stalled camera fails pending photos as fast as grabs: UnknownError at the stall bound, not the photo deadline")
    func stalledPhotos() async throws {
        let track = try await openVideo(fakeDevices(Self.waitingCamera))
        defer { track.stop() }
        try await Self.waitForStall(track)
        let capture = try ImageCapture(track)  // the default 10 s photo deadline
        let started = ContinuousClock.now
        // Two photos of different settings: the second waits behind the first, and fails with it.
        let first = Task { try await capture.takePhoto() }
        let second = Task { try await capture.takePhoto(PhotoSettings(imageWidth: 320)) }
        for photo in [first, second] {
            let error = try await domException { _ = try await photo.value }
            #expect(error.name == .unknownError && error.message.contains("stopped delivering frames"), "\(error)")
        }
        let elapsed = ContinuousClock.now - started
        // The bound at 30 fps: four frame intervals plus a second (1.13 s); far below 10 s.
        #expect(elapsed < .seconds(4), "\(elapsed)")
        #expect(track.readyState == .live && !track.muted)
    }

    /// Runs the isolated test below in a process of its own, where nothing else opens a camera.
    @Test("Failed opens leave no thread, descriptor or pipeline behind (counted in a process of its own)")
    func failedOpensInOwnProcess() async throws {
        // This test binary again, running only the isolated test (it is skipped here).
        let test = "failedOpensLeaveNothing"
        let output = try await runTestChild(test, environment: ["MEDIA_CAPTURE_ISOLATED_TEST=\(test)"] + childEnvironment(), seconds: 120)
        #expect(output.status == 0 && output.stdoutText.contains("failed opens: nothing left"), "\(output.report)")
    }

    @Test("(isolated) Failed opens leave nothing", .enabled(if: isolatedRun == "failedOpensLeaveNothing"))
    func failedOpensLeaveNothing() async throws {
        // Warm up with one open that works and one failure of each kind: what stays is once per process
        // (GStreamer's registry and the plugins each kind loads; the v4l2 plugin's GUdev client makes
        // GLib's default main context, an eventfd), not per open. Tracks live in functions of their
        // own, so that nothing of theirs is referenced after they stop.
        try await openAndStop(fakeDevices())
        let warmUp = fakeDevices()
        _ = try await failingOpens(whileHolding: warmUp, times: 1)
        let before = try await settledCounts()
        let descriptorsBefore = ResourceCounts.descriptorTargets
        #expect(before.pipelines == 0)
        let busyCamera = fakeDevices()
        let during = try await failingOpens(whileHolding: busyCamera, times: 10)
        #expect(during.failed == 60)
        #expect(during.counts == during.holding, "with one track live, after \(during.failed) failed opens")
        let after = try await settledCounts(toAtMost: before)
        #expect(
            after == before || after.fits(in: before) && after.descriptors == before.descriptors,
            "after every track stopped; descriptors before: \(descriptorsBefore), after: \(ResourceCounts.descriptorTargets)")
        print("failed opens: nothing left (\(before))")
    }
}

/// Opens a track, waits for a frame, stops it and waits for its release.
private func openAndStop(_ devices: MediaDevices) async throws {
    let track = try await openVideo(devices)
    _ = try await nextFrame(track)
    track.stop()
    await ReleaseTracker.shared.wait()
}

/// Holds a track on `busyCamera`, makes opens that fail (`times` of each of six kinds), and returns
/// the counts with the track live before and after them; the track is stopped on return.
private func failingOpens(
    whileHolding busyCamera: MediaDevices, times: Int
) async throws -> (failed: Int, holding: ResourceCounts, counts: ResourceCounts) {
    let holder = try await openVideo(busyCamera)
    defer { holder.stop() }
    _ = try await nextFrame(holder)
    let holding = try await settledCounts()
    let kinds: [(String, MediaDevices, DOMException.Name)] = [
        ("busy", fakeDevices(), .notReadableError),  // another instance: the holder's own would share the camera
        ("missing node", MediaDevices(devices: [.v4l2(path: "/dev/video-gone-\(Identifiers.random())")]), .notFoundError),
        ("refusing", fakeDevices(FakeCamera(label: "Refusing", faults: [.failToOpen(.notReadableError)])), .notReadableError),
        ("syntax", MediaDevices(devices: [.pipeline("videotestsrc ! ! videoconvert", label: "Broken")]), .notSupportedError),
        ("no video", MediaDevices(devices: [.pipeline("audiotestsrc", label: "Audio")]), .notSupportedError),
        (
            "missing file", MediaDevices(devices: [.pipeline("filesrc location=/nonexistent-\(Identifiers.random()) ! decodebin", label: "File")]),
            .notFoundError
        ),
    ]
    var failed = 0
    for (what, devices, expected) in kinds {
        for _ in 0..<times {
            let error = try await domException { _ = try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
            #expect(error.name == expected, "\(what): \(error)")
            failed += 1
        }
    }
    await ReleaseTracker.shared.wait()
    return (failed, holding, try await settledCounts(toAtMost: holding))
}

/// What a process holds: threads, file descriptors, GStreamer pipelines.
struct ResourceCounts: Equatable, CustomStringConvertible {
    var threads: Int
    var descriptors: Int
    var pipelines: Int

    static var now: ResourceCounts {
        ResourceCounts(
            threads: listDirectory("/proc/self/task").count, descriptors: listDirectory("/proc/self/fd").count - 1,
            pipelines: Pipeline.aliveCount)
    }

    var description: String { "\(threads) threads, \(descriptors) descriptors, \(pipelines) pipelines" }

    /// What each open descriptor refers to, for the message of a failed comparison.
    static var descriptorTargets: String {
        listDirectory("/proc/self/fd").map { fd in
            var buffer = [CChar](repeating: 0, count: 256)
            let count = readlink("/proc/self/fd/" + fd, &buffer, buffer.count - 1)
            return fd + "→" + (count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?")
        }.joined(separator: " ")
    }

    func fits(in bound: ResourceCounts) -> Bool {
        threads <= bound.threads && descriptors <= bound.descriptors && pipelines <= bound.pipelines
    }
}

/// The counts once they fit `bound`, or without one once they have not changed for 300 ms (waiting at
/// most 5 s: threads end and descriptors close a moment after the call that used them returned).
func settledCounts(toAtMost bound: ResourceCounts? = nil) async throws -> ResourceCounts {
    var last = ResourceCounts.now, unchanged = 0
    for _ in 0..<50 {
        try await Task.sleep(for: .milliseconds(100))
        let current = ResourceCounts.now
        if let bound, current.fits(in: bound) { return current }
        unchanged = current == last ? unchanged + 1 : 0
        if bound == nil && unchanged == 3 { return current }
        last = current
    }
    return last
}

/// The name of the isolated test this process was started for, if any.
let isolatedRun = getenv("MEDIA_CAPTURE_ISOLATED_TEST").map { String(cString: $0) }
