// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import GStreamerWrapper
@testable import MediaCapture
import TestSupport
import Testing

@Suite("MediaStreamTrack life-cycle", .timeLimit(.minutes(1)))
struct TrackLifecycleTests {
    @Test("stop(): ended at once, no ended event, idempotent; settings keep deviceId and groupId")
    func stopDoesNotFireEnded() async throws {
        let track = try await openVideo()
        let events = track.events
        let before = track.getSettings()
        track.stop()
        track.stop()
        #expect(track.readyState == .ended)
        #expect(try await collectEvents(until: events, seconds: 5) == [])
        let after = track.getSettings()
        #expect(after == MediaTrackSettings(deviceId: before.deviceId, groupId: before.groupId))
        #expect(after.deviceId != nil)
        // Its frames stop too, and the ended track's clone is ended.
        #expect(track.clone().readyState == .ended)
    }

    @Test("A source that fails ends the track with exactly one ended event")
    func sourceFailureFiresEndedOnce() async throws {
        // 20 frames (0.67 s) leave getUserMedia, which waits for the first, time to return even on a loaded machine.
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.endAfterFrames(20)])))
        let first = track.events, second = track.events
        let seen = try await collectEvents(until: first, seconds: 15)
        #expect(seen == [.ended])
        #expect(try await collectEvents(until: second, seconds: 1) == [.ended])
        #expect(track.readyState == .ended)
        track.stop()  // no second event, no crash
        #expect(try await collectEvents(until: track.events, seconds: 1) == [])
    }

    @Test("A stalled camera keeps the track live but delivers nothing")
    func stalledCamera() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.stallAfterFrames(3)])))
        defer { track.stop() }
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: TimedOut.self) { _ = try await nextFrame(track, seconds: 0.5) }
        #expect(track.readyState == .live)
    }

    @Test("A clone shares the source, has its own id, and keeps running when the original stops")
    func cloneOutlivesOriginal() async throws {
        let original = try await openVideo()
        let clone = original.clone()
        defer { clone.stop() }
        #expect(clone.id != original.id && clone.kind == original.kind && clone.label == original.label)
        #expect(clone.getSettings() == original.getSettings())
        #expect(clone.getCapabilities() == original.getCapabilities())
        // One device opened: the clone is another branch of the same pipeline.
        guard let source = original.video?.source, let cloneSource = clone.video?.source else {
            Issue.record("not video tracks")
            return
        }
        #expect(source === cloneSource)
        _ = try await nextFrame(clone)
        original.stop()
        #expect(original.readyState == .ended && clone.readyState == .live)
        // Frames after the original stopped.
        let frame = try await nextFrame(clone)
        #expect(frame.width == 640)
        #expect(!source.isEnded)
        clone.stop()
        #expect(source.isEnded)
    }

    @Test("A source error ends the original and its clones, each with one ended event")
    func errorEndsClones() async throws {
        let original = try await openVideo(fakeDevices(FakeCamera(faults: [.endAfterFrames(20)])))
        let clone = original.clone()
        let a = original.events, b = clone.events
        #expect(try await collectEvents(until: a, seconds: 15) == [.ended])
        #expect(try await collectEvents(until: b, seconds: 15) == [.ended])
        #expect(clone.readyState == .ended)
    }

    @Test("Waiting for a release that never ends stops at its deadline")
    func releaseWaitIsBounded() async throws {
        let resource = "test:wedged-\(Identifiers.random())"
        ReleaseTracker.shared.release(resource) { try? await Task.sleep(for: .seconds(3)) }
        // The harness's own bound (1 s) fails the test if the wait outlives its 200 ms deadline.
        try await within(1, "the bounded release wait") {
            await ReleaseTracker.shared.wait(for: resource, timeout: .milliseconds(200))
        }
    }

    @Test("The device is released at stop: it reopens at once, 20 times in a row; while live, another MediaDevices gets NotReadableError")
    func reopenAfterStop() async throws {
        let devices = fakeDevices()
        for _ in 0..<20 {
            let track = try await openVideo(devices)
            track.stop()
        }
        // The fake camera is exclusive like a device node across instances (the same instance shares
        // it): the loop above would fail if stop() released nothing.
        let live = try await openVideo(devices)
        let other = fakeDevices()
        let busy = try await domException { _ = try await other.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(busy.name == .notReadableError && busy.message.contains("in use"))
        live.stop()
        try await openVideo(other).stop()
    }

    @Test("A device can be opened twice and have the same device ID; each track has its own settings and lifetime")
    func openedTwice() async throws {
        // As mediacapture-streams' MediaStreamTrack-getSettings.https.html: "A device can be opened
        // twice and have the same device ID", "... with different resolutions requested".
        let devices = fakeDevices(FakeCamera(pattern: .ball))
        let first = try await openVideo(devices, MediaTrackConstraints(width: .exact(640), height: .exact(480)))
        let second = try await openVideo(devices, MediaTrackConstraints(width: .exact(320), height: .exact(240)))
        #expect(first.getSettings().deviceId == second.getSettings().deviceId)
        #expect(first.getSettings().width == 640 && second.getSettings().width == 320)
        #expect(try await nextFrame(first).width == 640)
        #expect(try await nextFrame(second).width == 320)
        #expect(second.enabled && second.readyState == .live)
        // A request the open mode cannot serve exactly is served from it: the camera's mode does not
        // switch under the tracks already open (no mute), as browsers serve a second request.
        let third = try await openVideo(devices, MediaTrackConstraints(width: .ideal(1280), height: .ideal(720)))
        #expect(third.getSettings().width.map { $0 <= 640 } == true, "\(third.getSettings())")
        #expect(try await nextFrame(first).width == 640 && !first.muted)
        third.stop()
        #expect(first.getSettings().width == 640)
        // One goes; the other stays live, and the camera is released only with the last.
        first.stop()
        #expect(try await nextFrame(second).width == 320)
        let other = fakeDevices(FakeCamera(pattern: .ball))
        let busy = try await domException { _ = try await other.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(busy.name == .notReadableError)
        second.stop()
        try await openVideo(other).stop()
    }

    @Test("The graph the library builds is the graph of pipelines/fake-camera.pipeline")
    func libraryGraphMatchesFile() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        guard let source = track.video?.source.capturer else { throw TimedOut(what: "no source", seconds: 0) }
        let reference = try Pipeline(description: try #require(readFile(repositoryRoot + "/pipelines/fake-camera.pipeline")), name: "reference")
        #expect(source.pipeline.graphSignature == reference.graphSignature)
        #expect(source.pipeline.graphSignature.count > 20)
    }

    /// Every frames branch comes from `PipelineDescription.framesBranch`: the first with the pipeline,
    /// the clones' from `TrackBranch.make`. The first must equal a fresh build of that text, and each
    /// clone the first: the same elements in the same order, linked in that order from the tee, with
    /// every readable and writable property equal, but for the names' suffix, the track's own caps (its
    /// size), the gate's state (`drop`) and a clone sink's `async=false`.
    @Test("Every frames branch built at run time, the first and its clones', equals its description", arguments: ["fake", "source"])
    func branchesEqualDescription(_ kind: String) async throws {
        let devices =
            kind == "fake" ? fakeDevices() : MediaDevices(devices: [.pipeline("videotestsrc is-live=true", label: "Generic")], timing: .test)
        let track = try await openVideo(devices)
        let clones = [track.clone(), track.clone()]
        defer { ([track] + clones).forEach { $0.stop() } }
        for clone in clones { _ = try await within(15) { try await ImageCapture(clone).grabFrame() } }
        // Only the fake camera streams through its emulated controls.
        let pipeline = try #require(track.video?.source.capturer.pipeline)
        #expect((pipeline.element(named: PipelineDescription.Name.balance) != nil) == (kind == "fake"))
        let description = try GraphDescription(PipelineDescription.framesBranch)
        #expect(description.nodes.count == 6)
        let reference = try Pipeline(description: PipelineDescription.framesBranch, name: "reference-branch")
        let expected = try description.nodes.map { node in try #require(reference.element(named: node.name ?? "")) }
        let branches = try ([track] + clones).map { try #require($0.branch?.addedElements) }
        var suffixes: Set<String> = []
        for (index, elements) in branches.enumerated() {
            try #require(elements.count == expected.count, "branch \(index)")
            #expect(elements[0].staticPad("sink")?.peer?.parentElement?.name == PipelineDescription.Name.tee, "branch \(index)")
            for (upstream, downstream) in zip(elements, elements.dropFirst()) {
                #expect(upstream.staticPad("src")?.peer?.parentElement?.name == downstream.name, "branch \(index): \(upstream.name) !")
            }
            let model = index == 0 ? expected : branches[0]
            let suffix = index == 0 ? "" : String(elements[0].name.dropFirst(expected[0].name.count))
            #expect(index == 0 || suffix.hasPrefix("-") && suffixes.insert(suffix).inserted, "branch \(index): \(elements[0].name)")
            for (element, other) in zip(elements, model) {
                #expect(element.factoryName == other.factoryName, "branch \(index): \(element.name)")
                #expect(element.name == (index == 0 ? other.name : other.name + suffix), "branch \(index): \(element.name)")
                let names = element.readWritePropertyNames
                #expect(names.count > 2, "\(element.name) lists its properties")
                for key in names where !["name", "parent", "caps", "drop", "async"].contains(key) {
                    #expect(element.serializedProperty(key) == other.serializedProperty(key), "branch \(index): \(element.name).\(key)")
                }
                if element.factoryName == "appsink" { #expect(element.bool("async") == (index == 0), "branch \(index): async") }
            }
        }
    }

    @Test("An idle track converts nothing after the linger; a later grab still gets a fresh frame")
    func idleTrackGate() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let hub = try #require(track.branch?.hub)
        #expect(hub.latest != nil)  // the frame getUserMedia waited for
        try await Task.sleep(for: CaptureTiming.test.gateLinger + .milliseconds(500))
        #expect(hub.latest == nil)  // gate closed, the stale frame dropped
        try await Task.sleep(for: .milliseconds(300))
        #expect(hub.latest == nil)  // and nothing delivered since
        let frame = try await within(5) { try await ImageCapture(track).grabFrame() }
        #expect(frame.width == 640)
    }

    @Test("A frame stream keeps the gate open past the linger")
    func streamKeepsGateOpen() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let lastFrameAt = try await within(10) { () async -> Duration in
            var last = Duration.zero
            for await _ in track.frames() {
                last = clock.now - start
                if last > CaptureTiming.test.gateLinger + .milliseconds(500) { break }
            }
            return last
        }
        #expect(lastFrameAt > CaptureTiming.test.gateLinger)
    }

    @Test("frames(): frames keep coming, each a new one")
    func frameStream() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(pattern: .ball)))
        defer { track.stop() }
        // The ball moves: each frame's pixels differ from the one before (a frame handed out twice
        // would be equal).
        let (count, repeats) = try await within(5) {
            var count = 0, repeats = 0
            var previous: [UInt8]?
            for await frame in track.frames() {
                #expect(frame.width == 640)
                let pixels = try frame.rgbaBytes()
                if pixels == previous { repeats += 1 }
                previous = pixels
                count += 1
                if count == 5 { break }
            }
            return (count, repeats)
        }
        #expect(count == 5)
        #expect(repeats == 0, "\(repeats) of 4 frames repeated the one before")
    }

    @Test("A solid-colour camera at an odd width: every pixel of a frame is that colour")
    func solidColourOddWidth() async throws {
        let camera = FakeCamera(pattern: .solidColor(argb: 0xFF00_00FF), modes: [VideoMode(width: 333, height: 77)])
        let track = try await openVideo(fakeDevices(camera))
        defer { track.stop() }
        let frame = try await nextFrame(track)
        #expect(frame.width == 333 && frame.height == 77 && frame.bytesPerRow >= 333 * 4)
        let pixels = try frame.rgbaBytes()
        #expect(pixels.count == 333 * 77 * 4)
        var wrong = 0
        for index in stride(from: 0, to: pixels.count, by: 4)
        where pixels[index] > 2 || pixels[index + 1] > 2 || pixels[index + 2] < 253 || pixels[index + 3] != 255 {
            wrong += 1
        }
        #expect(wrong == 0)
        frame.close()
        #expect(throws: DOMException.self) { _ = try frame.rgbaBytes() }
    }

    @Test("The quadrants pattern: red, green, blue, white from the top-left, clockwise")
    func quadrants() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(pattern: .quadrants)))
        defer { track.stop() }
        let pixels = try await nextFrame(track).rgbaBytes()
        func pixel(_ x: Int, _ y: Int) -> [Int] { (0..<3).map { Int(pixels[(y * 640 + x) * 4 + $0]) } }
        func near(_ a: [Int], _ b: [Int]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) <= 8 } }  // YUV rounding
        #expect(near(pixel(160, 120), [255, 0, 0]))
        #expect(near(pixel(480, 120), [0, 255, 0]))
        #expect(near(pixel(480, 360), [0, 0, 255]))
        #expect(near(pixel(160, 360), [255, 255, 255]))
    }
}
