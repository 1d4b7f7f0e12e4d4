// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import GStreamerWrapper
import TestSupport
import Testing

@Suite("Frames through the wrapper", .timeLimit(.minutes(1)))
struct FrameTests {
    /// Builds the fake-camera pipeline with a solid colour at `width`×`height` and the frames sink in `format`.
    func solidColourPipeline(width: Int, height: Int, format: String, argb: UInt32) throws -> (Pipeline, AppSink) {
        let pipeline = try Pipeline(description: PipelineDescription.fakeCamera, name: "frame-test")
        let source = try #require(pipeline.element(named: "src"))
        source.set("pattern", parsing: "solid-color")
        source.set("foreground-color", argb)
        let caps = try #require(pipeline.element(named: "caps"))
        caps.set("caps", Caps("video/x-raw,format=I420,width=\(width),height=\(height),framerate=30/1"))
        try #require(pipeline.element(named: "ptz-caps")).set("caps", Caps("video/x-raw,width=\(width),height=\(height)"))
        let framesElement = try #require(pipeline.element(named: "frames"))
        let sink = try #require(AppSink(framesElement))
        sink.element.set("caps", Caps("video/x-raw,format=\(format)"))
        return (pipeline, sink)
    }

    @Test("A solid-colour frame has the expected size and colour, rows read with their stride")
    func solidColourAtOddWidth() async throws {
        // RGB at width 63: rows are 192 bytes apart, not 189, so ignoring the stride shears the image.
        let (pipeline, sink) = try solidColourPipeline(width: 63, height: 47, format: "RGB", argb: 0xFFFF_0000)
        let collector = SampleCollector(sink)
        try await pipeline.play()
        let samples = try await within(5, "first frame") { await collector.wait(for: 1) }
        await pipeline.stop()
        let sample = try #require(samples.first)
        let layout = try #require(sample.videoLayout)
        #expect(layout.width == 63 && layout.height == 47 && layout.format == "RGB")
        #expect(layout.bytesPerRow == 192)
        var wrong = 0
        try sample.withMappedBytes { bytes in
            for row in 0..<layout.height {
                for column in 0..<layout.width {
                    let at = layout.planeOffset + row * layout.bytesPerRow + column * 3
                    let (r, g, b) = (Int(bytes[at]), Int(bytes[at + 1]), Int(bytes[at + 2]))
                    if abs(r - 0xFF) > 2 || g > 2 || b > 2 {
                        wrong += 1
                    }
                }
            }
        }
        #expect(wrong == 0, "\(wrong) pixels differ from #FF0000")
    }

    @Test("A missing V4L2 device fails the state change with the resource error NOT_FOUND")
    func missingDevice() async throws {
        let pipeline = try Pipeline(description: PipelineDescription.camera, name: "missing-device")
        try #require(pipeline.element(named: "src")).set("device", "/dev/video99")
        do {
            try await pipeline.play(timeoutMilliseconds: 2000)
            Issue.record("a missing device started")
        } catch {
            #expect(error.domain == .resource)
            #expect(error.resourceCode == .notFound)
            #expect(error.message.contains("/dev/video99"))
            #expect(error.source == "src")
        }
        await pipeline.stop()
    }

    @Test("A source error reaches the bus handler with its domain, code and message")
    func busErrorsReachTheHandler() async throws {
        let pipeline = try Pipeline(description: PipelineDescription.fakeCamera, name: "bus-error")
        let received = AsyncStream.makeStream(of: GStreamerError.self)
        pipeline.onMessage { message in
            if case .error(let error) = message { received.continuation.yield(error) }
        }
        try await pipeline.play()
        try #require(pipeline.element(named: "src")).postError(
            domain: .resource, code: GStreamerError.ResourceCode.busy.rawValue, message: "injected", debug: "test")
        let error = try await within(5, "bus error") {
            for await error in received.stream { return error }
            throw TimedOut(what: "stream", seconds: 0)
        }
        await pipeline.stop()
        #expect(error.domain == .resource && error.resourceCode == .busy)
        #expect(error.message == "injected" && error.debug == "test" && error.source == "src")
    }

    @Test("A factory-made element is sunk on wrap, so a bin adds only its own reference")
    func floatingReferencesAreSunk() throws {
        let element = try #require(Element(factory: "queue", name: "owned"))
        #expect(element.referenceCount == 1)
        let pipeline = try Pipeline(description: "fakesrc name=a ! fakesink name=b", name: "ownership")
        #expect(pipeline.add(element))
        #expect(element.referenceCount == 2)
        #expect(pipeline.remove(element))
        #expect(element.referenceCount == 1)
        #expect(Element(factory: "no-such-element") == nil)
    }
}
