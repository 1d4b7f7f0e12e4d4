// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import Locking
import GStreamerWrapper
import TestSupport
import Testing

@Suite("pipelines/", .timeLimit(.minutes(1)))
struct PipelineFileTests {
    static let videoPipelines = ["fake-camera", "source", "camera", "camera-mjpeg"]

    @Test("Every pipelines/*.pipeline file is byte for byte the constant the library parses")
    func filesMatchConstants() throws {
        let files = listDirectory(repositoryRoot + "/pipelines").filter { $0.hasSuffix(".pipeline") }
        #expect(Set(files.map { String($0.dropLast(".pipeline".count)) }) == Set(PipelineDescription.all.keys))
        for (name, constant) in PipelineDescription.all {
            let text = try #require(readFile(repositoryRoot + "/pipelines/\(name).pipeline"))
            #expect(text == constant, "pipelines/\(name).pipeline differs from PipelineDescription")
        }
    }

    @Test(
        "Every canonical pipeline parses and has the named elements the library relies on",
        arguments: videoPipelines)
    func namedElements(_ name: String) throws {
        let pipeline = try Pipeline(description: try #require(PipelineDescription.all[name]), name: "names-\(name)")
        typealias N = PipelineDescription.Name
        for element in [
            N.source, N.sourceCaps, N.tee, N.framesGate, N.framesQueue, N.framesCrop, N.framesScale, N.framesConvert,
            N.frames, N.shutter, N.photoCrop, N.photoCaps, N.encoder, N.photo,
        ] {
            #expect(pipeline.element(named: element) != nil, "\(name) lacks \(element)")
        }
        #expect(pipeline.element(named: N.frames).flatMap(AppSink.init) != nil)
        #expect(pipeline.element(named: N.photo).flatMap(AppSink.init) != nil)
    }

    @Test(
        "Every canonical pipeline is built exactly as gst_parse_launch makes it: elements, links, property values",
        arguments: Array(PipelineDescription.all.keys).sorted())
    func builtEqualsParsed(_ name: String) throws {
        let text = try #require(PipelineDescription.all[name])
        let built = try Pipeline(canonical: text, name: "built-\(name)")
        let parsed = try Pipeline(description: text, name: "parsed-\(name)")
        #expect(built.graphSignature == parsed.graphSignature)
        #expect(built.graphSignature.count > 4)
        for node in try GraphDescription(text).nodes {
            let elementName = try #require(node.name, "\(name): every canonical element is named")
            let (mine, theirs) = (built.element(named: elementName), parsed.element(named: elementName))
            for (key, _) in node.properties where key != "name" {
                let value = try #require(mine?.serializedProperty(key), "\(name): \(elementName).\(key)")
                #expect(value == theirs?.serializedProperty(key), "\(name): \(elementName).\(key)")
            }
        }
    }

    /// Opening builds the pipeline on the calling task when every plugin is loaded (CPU work only), and
    /// on a thread of its own when one would be loaded (file I/O). `alpha` is loaded by nothing else here.
    @Test("Whether building a canonical description would load a plugin: true before its first element, false after")
    func loadsPlugins() throws {
        let text = "videotestsrc ! alpha ! fakesink"
        #expect(Pipeline.canonicalLoadsPlugins(text))
        _ = try Pipeline(canonical: text, name: "loads-alpha")
        #expect(!Pipeline.canonicalLoadsPlugins(text))
        #expect(Pipeline.canonicalLoadsPlugins("videotestsrc ! no-such-factory ! fakesink"))
        #expect(Pipeline.canonicalLoadsPlugins("videotestsrc ! video/x-raw ! fakesink"))  // not canonical
    }

    @Test("A description outside the canonical subset, or naming what is not installed, is refused with the reason")
    func canonicalSubsetRefusals() {
        let refused = [
            "videotestsrc ! ! fakesink": "'!' without",
            "videotestsrc name=\"a b\" ! fakesink": "outside the subset",
            "videotestsrc ! video/x-raw,width=2 ! fakesink": "outside the subset",
            "videotestsrc ! a&b ! fakesink": "not an element factory",
            "videotestsrc !": "ends without",
            "x. ! fakesink": "not named before",
            "no-such-factory ! fakesink": "no element \"no-such-factory\"",
            "videotestsrc no-such-property=1 ! fakesink": "no property 'no-such-property'",
            "videotestsrc is-live=maybe ! fakesink": "not a valid value",
            "fakesink ! fakesink": "no pads to link",
        ]
        for (text, reason) in refused {
            do {
                _ = try Pipeline(canonical: text, name: "refused")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.message.contains(reason), "\(text): \(error.message)")
            }
        }
    }

    /// Parsing links the elements, and each link intersects caps: with the raw source caps open on
    /// format, videoconvert and videoscale answer with every format they know, and parsing the fake
    /// camera took 40-100 ms instead of 2-3 ms (the open path's largest cost). The mode's own caps
    /// replace these right after parsing.
    @Test(
        "Every raw canonical source names its format, so that parsing does not intersect every format",
        arguments: videoPipelines)
    func sourceCapsNameAFormat(_ name: String) throws {
        let text = try #require(PipelineDescription.all[name])
        let caps = try #require(text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("caps=") && $0.contains("framerate") })
        if caps.hasPrefix("caps=video/x-raw") {
            #expect(caps.contains(",format="), "\(name): \(caps)")
        } else {
            #expect(caps.hasPrefix("caps=image/jpeg"), "\(name): \(caps)")
        }
    }

    @Test("The fake camera pipeline runs for exactly 30 buffers to end of stream")
    func fakeCameraRuns30Buffers() async throws {
        let pipeline = try Pipeline(description: PipelineDescription.fakeCamera, name: "thirty")
        try #require(pipeline.element(named: "src")).set("num-buffers", Int32(30))
        let frames = try #require(pipeline.element(named: "frames").flatMap(AppSink.init))
        let collector = SampleCollector(frames)
        try await pipeline.play()
        let samples = try await within(10, "30 buffers") { await collector.wait(for: 31) }
        await pipeline.stop()
        #expect(samples.count == 30)
        #expect(collector.ended)
    }

    @Test("The fake microphone pipeline runs for 30 buffers")
    func fakeMicrophoneRuns30Buffers() async throws {
        let pipeline = try Pipeline(description: PipelineDescription.fakeMicrophone, name: "microphone-30")
        try #require(pipeline.element(named: "src")).set("num-buffers", Int32(30))
        let ended = AsyncStream.makeStream(of: Void.self)
        pipeline.onMessage { if case .endOfStream = $0 { ended.continuation.yield() } }
        let seen = Counter()
        try #require(pipeline.element(named: "sink")?.staticPad("sink")).addBufferProbe { _ in
            seen.increment()
            return .pass
        }
        try await pipeline.play()
        try await within(10, "end of stream") { for await _ in ended.stream { return } }
        await pipeline.stop()
        #expect(seen.value == 30)
    }

    @Test(
        "The camera pipelines run for 30 buffers on a real camera",
        .enabled(if: access("/dev/video0", R_OK) == 0, "no camera at /dev/video0"),
        arguments: ["camera", "camera-mjpeg"])
    func cameraRuns30Buffers(_ name: String) async throws {
        let pipeline = try Pipeline(description: try #require(PipelineDescription.all[name]), name: "real-\(name)")
        try #require(pipeline.element(named: "src")).set("num-buffers", Int32(30))
        // The driver picks its own mode: the file's caps are an example.
        try #require(pipeline.element(named: "caps")).set("caps", Caps(name == "camera" ? "video/x-raw" : "image/jpeg"))
        let frames = try #require(pipeline.element(named: "frames").flatMap(AppSink.init))
        let collector = SampleCollector(frames)
        try await pipeline.play()
        let samples = try await within(20, "30 buffers") { await collector.wait(for: 31) }
        await pipeline.stop()
        #expect(samples.count == 30)
    }

    @Test(
        "pipelines/sources holds the network and PipeWire cameras' sources the library builds",
        arguments: [
            ("rtsp-camera.source", PipelineDescription.networkCameraSource), ("pipewire.source", PipelineDescription.pipeWireSource),
        ])
    func librarySourceFiles(_ file: String, _ constant: String) throws {
        let text = try #require(readFile(repositoryRoot + "/pipelines/sources/" + file))
        #expect(PipelineSyntax.sourceDescription(fromFile: text) == constant)
    }

    @Test("Every example source in pipelines/sources parses; only plugins absent here may be missing")
    func exampleSourcesParse() throws {
        let files = listDirectory(repositoryRoot + "/pipelines/sources").filter { $0.hasSuffix(".source") }
        #expect(files.count >= 4)
        for file in files {
            let text = try #require(readFile(repositoryRoot + "/pipelines/sources/\(file)"))
            let description = PipelineSyntax.sourceDescription(fromFile: text)
            let missing = try PipelineSyntax.missingElements(in: description)
            for factory in missing {
                #expect(!GStreamer.hasElement(factory), "\(file): \(factory) reported missing but is installed")
            }
        }
    }
}

final class Counter: Sendable {
    private let count = Locked(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
