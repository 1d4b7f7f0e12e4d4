// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import GStreamerWrapper
@testable import MediaCapture
import TestSupport
import Testing

@Suite("Caller-described sources", .timeLimit(.minutes(1)))
struct CustomSourceTests {
    @Test("The video-file example source plays as a camera")
    func videoFileSource() async throws {
        // Make the file the example reads: 60 frames of a 320×240 solid blue, MJPEG in AVI.
        let path = "/tmp/media-capture-test-\(Identifiers.random()).avi"
        let writer = try Pipeline(
            description:
                "videotestsrc name=src num-buffers=60 pattern=solid-color foreground-color=0xFF0000FF ! video/x-raw,width=320,height=240,framerate=30/1 ! jpegenc ! avimux ! filesink name=sink",
            name: "writer")
        try #require(writer.element(named: "sink")).set("location", path)
        let done = AsyncStream.makeStream(of: Void.self)
        writer.onMessage { if case .endOfStream = $0 { done.continuation.yield() } }
        try await writer.play()
        try await within(10, "writing the file") { for await _ in done.stream { return } }
        await writer.stop()
        defer { unlink(path) }

        let example = try #require(readFile(repositoryRoot + "/pipelines/sources/video-file.source"))
        let description = PipelineSyntax.sourceDescription(fromFile: example)
            .replacing("recording.avi", with: path)
        let device = CaptureDevice.pipeline(description, label: "Recording")
        let track = try await openVideo(MediaDevices(devices: [device]))
        defer { track.stop() }
        #expect(track.label == "Recording")
        let frame = try await nextFrame(track)
        #expect(frame.width == 320 && frame.height == 240)
        let pixels = try frame.rgbaBytes()
        #expect(pixels[2] > 200 && pixels[0] < 40)  // blue, through JPEG
    }

    @Test("A source that is not live plays at its own rate: grabs and frames() keep coming, and its end ends the track once")
    func nonLiveSource() async throws {
        // 150 frames at 60 fps: 2.5 s when paced, a few milliseconds when not.
        let device = CaptureDevice.pipeline(
            "videotestsrc is-live=false num-buffers=150 ! video/x-raw,width=160,height=120,framerate=60/1 ! videoconvert", label: "Not live")
        let track = try await openVideo(MediaDevices(devices: [device]))
        let events = track.events
        let capture = try ImageCapture(track)
        for _ in 0..<10 { _ = try await within(5) { try await capture.grabFrame() } }  // used to stall after about 3
        let clock = ContinuousClock(), started = clock.now
        let received = try await within(10, "100 frames") { () -> Int in
            var count = 0
            for await frame in track.frames() {
                #expect(frame.width == 160)
                count += 1
                if count == 100 { break }
            }
            return count
        }
        let elapsed = clock.now - started
        #expect(received == 100)
        // At 60 fps, 100 frames take about 1.7 s: paced, not decoded as fast as possible.
        #expect(elapsed > .milliseconds(1300) && elapsed < .seconds(4), "100 frames in \(elapsed)")
        try await within(10, "the end of stream") { while track.readyState != .ended { try await Task.sleep(for: .milliseconds(20)) } }
        #expect(try await collectEvents(until: events, seconds: 5) == [.ended])
    }

    @Test("A caller's source takes photos (its photo branch is set between two of its frames)")
    func photoFromCallerSource() async throws {
        let device = CaptureDevice.pipeline("videotestsrc is-live=true ! videoconvert", label: "Test source")
        let track = try await openVideo(MediaDevices(devices: [device]))
        defer { track.stop() }
        let capture = try ImageCapture(track)
        for width in [320.0, 320.0] {  // videotestsrc's default 320x240: photos of the stream's size only
            let photo = try await within(10) { try await capture.takePhoto(PhotoSettings(imageWidth: width)) }
            #expect(photo.type == "image/jpeg")
        }
    }

    @Test(
        "An unusable description: NotSupportedError carrying GStreamer's error",
        arguments: [
            ("no-such-element ! videoconvert", "no element \"no-such-element\""),
            ("videotestsrc ! ! videoconvert", "syntax error"),
            ("audiotestsrc", "no raw-video output"),
            ("fakesrc ! fakesink", "no unlinked output"),
        ])
    func unusableDescription(_ description: String, _ expected: String) async throws {
        let devices = MediaDevices(devices: [.pipeline(description, label: "Broken")])
        let error = try await domException { _ = try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(error.name == .notSupportedError && error.message.contains(expected), "\(error)")
    }

    @Test("A caller's text is never joined to the library's description")
    func injectionIsInert() async throws {
        // A "path" that would add a filesink if it were pasted into a description.
        let error = try await domException {
            _ = try await MediaDevices(devices: [.v4l2(path: "/dev/null ! filesink location=/tmp/pwned")])
                .getUserMedia(MediaStreamConstraints(video: true))
        }
        // The whole string is one device path, and there is no node by that name.
        #expect(error.name == .notFoundError)
        #expect(error.message.contains("/dev/null ! filesink location=/tmp/pwned"))
        #expect(access("/tmp/pwned", F_OK) != 0)
    }
}
