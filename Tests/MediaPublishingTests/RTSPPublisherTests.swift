// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
import Locking
@testable import MediaCapture
@testable import MediaPublishing
import TestSupport
import Testing

/// The camera published over RTSP, read by clients no one here wrote: GStreamer's `rtspsrc` in
/// `gst-launch-1.0` processes and `ffprobe`.
@Suite("RTSP publishing", .serialized, .timeLimit(.minutes(3)))
struct RTSPPublisherTests {
    /// `gst-launch-1.0` playing `url` until `frames` decoded frames, bounded: its status and output.
    static func play(_ url: String, frames: Int = 60, transport: String = "tcp", seconds: Double = 30) async throws -> ProcessResult {
        try await runProcess(
            "gst-launch-1.0",
            [
                "-v", "rtspsrc", "location=\(url)", "protocols=\(transport)", "latency=100", "!", "rtph264depay", "!", "h264parse", "!",
                "openh264dec", "!", "videoconvert", "!", "identity", "eos-after=\(frames)", "!", "fakesink", "sync=false",
            ], seconds: seconds)
    }

    /// Whether the client decoded every frame it asked for (its end of stream came after them). Its
    /// exit status alone does not say: once it has its frames it stops reading its TCP connection, and
    /// on a busy machine its closing PAUSE can find the connection already closed by the server (seen
    /// once in about 30 runs, after all 60 frames: "Could not send message. (Received end-of-file)");
    /// any other error, or an end before the frames, is a failure.
    static func decoded(_ result: ProcessResult) -> Bool {
        let text = String(decoding: result.stdout, as: UTF8.self) + result.stderr
        guard result.status != 0 else { return true }
        let errors = text.split(separator: "\n").filter { $0.contains("ERROR:") }
        return text.contains("Got EOS from element \"pipeline0\"")
            && text.components(separatedBy: "Could not send message. (Received end-of-file)").count - 1 == errors.count
    }

    static func output(_ result: ProcessResult) -> String {
        result.stderr + "\n" + String(decoding: result.stdout, as: UTF8.self).suffix(3000)
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ seconds: Double = 10, _ condition: @Sendable () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test("two rtspsrc clients at once (TCP and UDP) get 60 frames of 640x480 each, from one encode")
    func twoClients() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try RTSPPublisher(camera: PublishedCamera(track: track), options: .init(port: 0))
        defer { Task { await publisher.close() } }
        let capturer = try #require(track.video?.source.capturer)
        // Nothing is encoded while nobody watches.
        try await Task.sleep(for: .milliseconds(500))
        #expect(capturer.liveEncoders.isEmpty)
        let url = publisher.url
        async let first = Self.play(url)
        async let second = Self.play(url, transport: "udp")
        let results = try await [first, second]
        for result in results {
            #expect(Self.decoded(result), "\(Self.output(result))")
            #expect(String(decoding: result.stdout, as: UTF8.self).contains("width=(int)640, height=(int)480"))
        }
        // The last client gone, the encode stops.
        #expect(try await Self.eventually { capturer.liveEncoders.isEmpty })
    }

    @Test("the MJPEG mount gives rtspsrc JPEGs of 640x480, from a JPEG encode of its own beside the H.264 one")
    func mjpegMount() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try RTSPPublisher(camera: PublishedCamera(track: track), options: .init(port: 0))
        defer { Task { await publisher.close() } }
        let capturer = try #require(track.video?.source.capturer)
        async let jpeg = runProcess(
            "gst-launch-1.0",
            [
                "-v", "rtspsrc", "location=\(publisher.url)/mjpeg", "protocols=tcp", "!", "rtpjpegdepay", "!", "jpegdec", "!", "identity",
                "eos-after=30", "!", "fakesink", "sync=false",
            ], seconds: 30)
        async let h264 = Self.play(publisher.url, frames: 30)
        #expect(try await Self.eventually { capturer.liveEncoders.count == 2 })
        let (mjpeg, video) = try await (jpeg, h264)
        #expect(Self.decoded(mjpeg) && Self.decoded(video), "\(Self.output(mjpeg)) \(Self.output(video))")
        #expect(String(decoding: mjpeg.stdout, as: UTF8.self).contains("width=(int)640, height=(int)480"))
        // An MJPEG camera's own JPEGs go out as they are: nothing decoded or encoded for them.
        #expect(EncodingBranch.factories(.jpeg, decodesJPEG: true) == ["queue", "capsfilter", "appsink"])
        #expect(EncodingBranch.factories(.h264, decodesJPEG: true).contains("jpegdec"))
    }

    @Test("a client killed mid-stream (TCP or UDP) is gone within seconds, and the encode with it")
    func killedClient() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try RTSPPublisher(camera: PublishedCamera(track: track), options: .init(port: 0))
        defer { Task { await publisher.close() } }
        let capturer = try #require(track.video?.source.capturer)
        for transport in ["tcp", "udp"] {
            let pid = try spawnTiedProcess(
                "gst-launch-1.0", ["rtspsrc", "location=\(publisher.url)", "protocols=\(transport)", "!", "rtph264depay", "!", "fakesink"])
            #expect(try await Self.eventually { publisher.isStreaming && capturer.liveEncoders.count == 1 }, "\(transport)")
            killGroup(pid, SIGKILL)
            let killed = ContinuousClock.now
            #expect(try await Self.eventually { publisher.clientCount == 0 && capturer.liveEncoders.isEmpty }, "\(transport)")
            #expect(ContinuousClock.now - killed < .seconds(5), "\(transport): \(ContinuousClock.now - killed)")
        }
    }

    @Test("ffprobe reads the stream's parameters: H.264, 640x480")
    func ffprobeReadsParameters() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try RTSPPublisher(camera: PublishedCamera(track: track), options: .init(port: 0))
        defer { Task { await publisher.close() } }
        let result = try await runProcess(
            "ffprobe",
            [
                "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height",
                "-of", "default=noprint_wrappers=1", publisher.url,
            ], seconds: 30)
        #expect(Self.decoded(result), "\(Self.output(result))")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("codec_name=h264") && text.contains("width=640") && text.contains("height=480"), "\(text)")
    }

    @Test("with credentials, a client without them or with a wrong password gets nothing; with them, frames")
    func credentials() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let acquired = Counter()
        let camera = PublishedCamera(
            acquire: {
                acquired.add()
                return track
            }, release: {})
        let publisher = try RTSPPublisher(
            camera: camera, options: .init(port: 0, credentials: .init(user: "viewer", password: "s3cret-pass")))
        defer { Task { await publisher.close() } }
        let bare = try await Self.play(publisher.url, frames: 5, seconds: 20)
        #expect(bare.status != 0 && Self.output(bare).contains("Unauthorized"), "\(Self.output(bare))")
        let wrong = try await Self.play(publisher.url.replacingOccurrences(of: "rtsp://", with: "rtsp://viewer:nope@"), frames: 5, seconds: 20)
        #expect(wrong.status != 0, "\(Self.output(wrong))")
        // Refused before any media was built: the camera was never asked for.
        #expect(acquired.value == 0)
        let good = try await Self.play(publisher.url.replacingOccurrences(of: "rtsp://", with: "rtsp://viewer:s3cret-pass@"), frames: 30)
        #expect(Self.decoded(good), "\(Self.output(good))")
        #expect(acquired.value == 1)
    }

    @Test("garbage on the RTSP port gets a 4xx or a closed connection, never a crash; clients still play after")
    func garbageRequests() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try RTSPPublisher(camera: PublishedCamera(track: track), options: .init(port: 0))
        defer { Task { await publisher.close() } }
        let requests = [
            "GARBAGE\r\n\r\n", "DESCRIBE\r\n\r\n", "DESCRIBE rtsp://127.0.0.1/camera RTSP/9.9\r\nCSeq: x\r\n\r\n",
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 99999999999\r\n\r\n",
            "SETUP rtsp://127.0.0.1:\(publisher.port)/camera/stream=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: nonsense;;;\r\n\r\n",
            "DESCRIBE rtsp://127.0.0.1:\(publisher.port)/../../etc/passwd RTSP/1.0\r\nCSeq: 3\r\n\r\n",
            String(repeating: "\u{1}\u{ff}x", count: 30000),
        ]
        for request in requests {
            let answer = try await within(10, "the server's answer") { try RawSocket.exchange(port: publisher.port, request) }
            #expect(
                answer.isEmpty || answer.hasPrefix("RTSP/1.0 4") || answer.hasPrefix("RTSP/1.0 5"), "\(request.prefix(60)): \(answer.prefix(200))")
        }
        let after = try await Self.play(publisher.url, frames: 30)
        #expect(Self.decoded(after), "\(Self.output(after))")
    }

    @Test("the camera is acquired for the first client and released after the last")
    func cameraReleasedAfterLastClient() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let (acquired, released) = (Counter(), Counter())
        let camera = PublishedCamera(
            acquire: {
                acquired.add()
                return track
            }, release: { released.add() })
        let publisher = try RTSPPublisher(camera: camera, options: .init(port: 0))
        defer { Task { await publisher.close() } }
        #expect(acquired.value == 0)
        let result = try await Self.play(publisher.url, frames: 30)
        #expect(Self.decoded(result), "\(Self.output(result))")
        #expect(try await Self.eventually { released.value == 1 })
        #expect(acquired.value == 1)
    }

    @Test("a camera that cannot be opened fails the client's request instead of hanging it")
    func cameraFailsToOpen() async throws {
        let camera = PublishedCamera(acquire: { throw DOMException(.notReadableError, "busy") }, release: {})
        let publisher = try RTSPPublisher(camera: camera, options: .init(port: 0))
        defer { Task { await publisher.close() } }
        let clock = ContinuousClock(), start = clock.now
        let result = try await Self.play(publisher.url, frames: 5, seconds: 30)
        #expect(result.status != 0)
        #expect(clock.now - start < .seconds(5), "the client waited \(clock.now - start)")
    }

    @Test("refusals: beyond loopback without credentials, a bad path or port, a port in use")
    func refusals() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let camera = PublishedCamera(track: track)
        let remote = try await domException { _ = try RTSPPublisher(camera: camera, options: .init(host: "0.0.0.0", port: 0)) }
        #expect(remote.name == .notAllowedError && remote.message.contains("--no-auth"))
        let allowed = try RTSPPublisher(camera: camera, options: .init(host: "0.0.0.0", port: 0, allowsUnauthenticatedRemoteAccess: true))
        await allowed.close()
        for path in ["camera", "/a b", "/../x", "/\u{0}", "/" + String(repeating: "a", count: 300), "/a\r\nCSeq: 9"] {
            let bad = try await domException { _ = try RTSPPublisher(camera: camera, options: .init(port: 0, path: path)) }
            #expect(bad.name == .typeError, "\(path)")
        }
        for port in [-1, 65536, Int.max, Int.min] {
            let bad = try await domException { _ = try RTSPPublisher(camera: camera, options: .init(port: port)) }
            #expect(bad.name == .typeError)
        }
        let empty = try await domException {
            _ = try RTSPPublisher(camera: camera, options: .init(port: 0, credentials: .init(user: "a:b", password: "")))
        }
        #expect(empty.name == .typeError)
        let first = try RTSPPublisher(camera: camera, options: .init(port: 0))
        let taken = try await domException { _ = try RTSPPublisher(camera: camera, options: .init(port: first.port)) }
        #expect(taken.name == .operationError && taken.message.contains("\(first.port)"))
        await first.close()
    }
}

/// A count shared with `@Sendable` closures.
final class Counter: Sendable {
    private let count = Locked(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
