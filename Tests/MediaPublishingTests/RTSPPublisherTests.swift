// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
@testable import MediaCapture
@testable import MediaPublishing
import TestSupport
import Testing

/// The camera published over RTSP, read by clients no one here wrote: GStreamer's `rtspsrc` in
/// `gst-launch-1.0` processes and `ffprobe`.
@Suite("RTSP publishing", .serialized, .timeLimit(.minutes(2)))
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

    @Test("two rtspsrc clients at once get 60 frames of 640x480 each, from one encode")
    func twoClients() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try RTSPPublisher(camera: PublishedCamera(track: track), options: .init(port: 0))
        let url = publisher.url
        async let first = Self.play(url)
        async let second = Self.play(url, transport: "udp")
        let results = try await [first, second]
        for result in results {
            #expect(result.status == 0, "\(result.stderr)\n\(String(decoding: result.stdout, as: UTF8.self).suffix(2000))")
            #expect(String(decoding: result.stdout, as: UTF8.self).contains("width=(int)640, height=(int)480"))
        }
        await publisher.close()
        #expect(track.video?.source.capturer.liveEncoders.isEmpty == true)
    }
}
