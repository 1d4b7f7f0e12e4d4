// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
@testable import GStreamerWrapper
import Locking
@testable import MediaCapture
@testable import MediaPublishing
import TestSupport
import Testing

/// The camera published over WebRTC through WHEP, watched by a player on GStreamer's own webrtcbin in
/// another process (Tests/Clients/whep_client.py); headless Chromium's turn is in check-browser.sh.
@Suite("WHEP publishing", .serialized, .timeLimit(.minutes(4)))
struct WHEPPublisherTests {
    typealias R = RTSPPublisherTests

    static let client = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Clients/whep_client.py").path

    /// What the player reported.
    struct Report: Decodable {
        var status: String
        var frames: Int
        var width: Int
        var height: Int
        var postStatus: Int?
        var deleteStatus: Int?
        var error: String?
    }

    /// Runs the player against `url`, bounded.
    static func watch(_ url: String, codec: String = "vp8", frames: Int = 30, _ extra: [String] = []) async throws -> (ProcessResult, Report?) {
        let result = try await runProcess(
            "/usr/bin/python3", [client, "--whep", url, "--codec", codec, "--frames", String(frames), "--timeout", "25"] + extra,
            seconds: 40)
        let line = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return (result, try? JSONDecoder().decode(Report.self, from: Data(line.utf8)))
    }

    /// A player's offer to receive VP8 (webrtcbin's, without candidates: it never connects).
    static let offer = """
        v=0\r
        o=- 7658961969147213272 0 IN IP4 0.0.0.0\r
        s=-\r
        t=0 0\r
        a=ice-options:trickle\r
        m=video 9 UDP/TLS/RTP/SAVPF 96\r
        c=IN IP4 0.0.0.0\r
        a=setup:actpass\r
        a=ice-ufrag:WsARqTYralyqqQ8WsRESkxbPimSMqWuT\r
        a=ice-pwd:WuNbiYHmG2duzL0wxKnXUxTKqSZip17L\r
        a=rtcp-mux\r
        a=rtcp-rsize\r
        a=recvonly\r
        a=rtpmap:96 VP8/90000\r
        a=rtcp-fb:96 nack pli\r
        a=rtcp-fb:96 ccm fir\r
        a=mid:video0\r
        a=fingerprint:sha-256 19:E2:C1:6B:35:4C:F1:63:2E:D0:AF:31:7E:D8:C7:0E:22:EC:92:22:3A:64:66:A9:7E:31:98:C2:D0:36:91:7C\r

        """

    static func options(_ change: (inout WHEPPublisher.Options) -> Void = { _ in }) -> WHEPPublisher.Options {
        var options = WHEPPublisher.Options(iceAddresses: ["127.0.0.1"])
        change(&options)
        return options
    }

    @Test("a player gets 30 frames of 640x480 in VP8 and in H.264, and its DELETE ends it and the encode")
    func playsBothCodecs() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try WHEPPublisher(camera: PublishedCamera(track: track), options: Self.options())
        let server = try TinyWHEPServer(publisher)
        defer {
            server.stop()
            Task { await publisher.close() }
        }
        async let vp8 = Self.watch(server.url, codec: "vp8")
        async let h264 = Self.watch(server.url, codec: "h264")
        for (result, report) in try await [vp8, h264] {
            #expect(
                report?.status == "ok" && report?.deleteStatus == 200,
                "\(String(decoding: result.stdout, as: UTF8.self)) \(result.stderr.suffix(2000))")
            #expect(report?.width == 640 && report?.height == 480)
        }
        #expect(publisher.viewerCount == 0)
        let capturer = try #require(track.video?.source.capturer)
        #expect(try await R.eventually { capturer.liveEncoders.isEmpty })
        await publisher.close()
    }

    @Test("while two RTSP clients and a WebRTC viewer watch, grabFrame and takePhoto succeed on one open camera and one H.264 encode")
    func watchedWhileCapturing() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let camera = PublishedCamera(track: track)
        let rtsp = try RTSPPublisher(camera: camera, options: .init(port: 0))
        let whep = try WHEPPublisher(camera: camera, options: Self.options { $0.codecs = [.h264] })
        let server = try TinyWHEPServer(whep)
        defer {
            server.stop()
            Task {
                await whep.close()
                await rtsp.close()
            }
        }
        let capturer = try #require(track.video?.source.capturer)
        async let first = R.play(rtsp.url, frames: 150, seconds: 40)
        async let second = R.play(rtsp.url, frames: 150, transport: "udp", seconds: 40)
        async let viewer = Self.watch(server.url, codec: "h264", frames: 150)
        // Everyone watching: one encode for all three, one camera open.
        #expect(try await R.eventually(15) { rtsp.isStreaming && whep.viewerCount == 1 && capturer.liveEncoders.count == 1 })
        let capture = try ImageCapture(track)
        for _ in 0..<3 {
            let frame = try await within(10, "grabFrame") { try await capture.grabFrame() }
            #expect(frame.width == 640 && frame.height == 480)
            let photo = try await within(10, "takePhoto") { try await capture.takePhoto() }
            #expect(photo.type == "image/jpeg" && photo.bytes.count > 1000)
        }
        #expect(capturer.liveEncoders.count == 1)
        #expect(FakeCameraBackend.openCount == 1)
        let results = try await [first, second]
        for result in results { #expect(R.decoded(result), "\(R.output(result))") }
        let (watched, report) = try await viewer
        #expect(report?.status == "ok", "\(String(decoding: watched.stdout, as: UTF8.self)) \(watched.stderr.suffix(2000))")
        await whep.close()
        await rtsp.close()
        #expect(try await R.eventually { capturer.liveEncoders.isEmpty })
    }

    @Test("a player that leaves without DELETE is ended within the silence timeout; one that never connects, within the connect timeout")
    func vanishedViewers() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try WHEPPublisher(
            camera: PublishedCamera(track: track),
            options: Self.options {
                $0.silenceTimeout = .seconds(3); $0.connectTimeout = .seconds(3)
            })
        let server = try TinyWHEPServer(publisher)
        defer {
            server.stop()
            Task { await publisher.close() }
        }
        let (result, report) = try await Self.watch(server.url, frames: 10, ["--no-delete"])
        #expect(report?.status == "ok", "\(String(decoding: result.stdout, as: UTF8.self))")
        let gone = ContinuousClock.now
        #expect(try await R.eventually(10) { publisher.viewerCount == 0 })
        #expect(ContinuousClock.now - gone < .seconds(7))
        _ = try await publisher.answer(offer: Self.offer)
        #expect(publisher.viewerCount == 1)
        #expect(try await R.eventually(10) { publisher.viewerCount == 0 })
        await publisher.close()
    }

    @Test("a viewer whose camera cannot be opened is ended, not left on a black stream")
    func cameraFailsToOpen() async throws {
        let publisher = try WHEPPublisher(
            camera: PublishedCamera(acquire: { throw DOMException(.notReadableError, "busy") }, release: {}), options: Self.options())
        defer { Task { await publisher.close() } }
        // Refused at once when the camera fails before the answer; otherwise ended right after it.
        do {
            _ = try await publisher.answer(offer: Self.offer)
        } catch {
            #expect(error.name == .notReadableError && error.message.contains("camera could not be opened"), "\(error)")
        }
        #expect(try await R.eventually(5) { publisher.viewerCount == 0 })
    }

    @Test("offers that are not SDP, too large, without video or in a codec not sent, viewers over the limit: each a named error")
    func refusals() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try WHEPPublisher(camera: PublishedCamera(track: track), options: Self.options { $0.maximumViewers = 1 })
        defer { Task { await publisher.close() } }
        let cases: [(String, DOMException.Name)] = [
            ("", .typeError), ("hello", .typeError), ("v=0\r\n", .typeError), (String(repeating: "a", count: 70_000), .typeError),
            (Self.offer + String(repeating: "a=x:y\r\n", count: 12_000), .typeError), ("v=0\r\nm=video\u{0}", .typeError),
            (
                Self.offer.replacingOccurrences(of: "m=video", with: "m=audio").replacingOccurrences(of: "VP8/90000", with: "OPUS/48000"),
                .notSupportedError
            ),
            (Self.offer.replacingOccurrences(of: "VP8/90000", with: "AV1/90000"), .notSupportedError),
            (Self.offer.replacingOccurrences(of: "a=recvonly", with: "a=sendonly"), .notSupportedError),
            (Self.offer.replacingOccurrences(of: "a=rtpmap:96 VP8/90000", with: "a=rtpmap:96 VP8/nan"), .notSupportedError),
            // Payload types beyond the dynamic range, and fmtp values that would reach the caps.
            (Self.offer.replacingOccurrences(of: "96", with: "99999"), .notSupportedError),
            (Self.offer.replacingOccurrences(of: "96", with: "-5"), .notSupportedError),
            (
                Self.offer.replacingOccurrences(of: "a=rtpmap:96 VP8/90000", with: "a=rtpmap:102 H264/90000")
                    .replacingOccurrences(of: "SAVPF 96", with: "SAVPF 102")
                    + "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f,payload=(int)5,encoding-name=(string)VP8\r\n",
                .notSupportedError
            ),
        ]
        for (offer, name) in cases {
            let error = try await domException { _ = try await publisher.answer(offer: offer) }
            #expect(error.name == name, "\(offer.prefix(40)): \(error)")
            #expect(!error.message.isEmpty)
        }
        #expect(publisher.viewerCount == 0)
        _ = try await publisher.answer(offer: Self.offer)
        let full = try await domException { _ = try await publisher.answer(offer: Self.offer) }
        #expect(full.name == .operationError)
        #expect(await publisher.end(session: "nope") == false)
        await publisher.close()
        let closed = try await domException { _ = try await publisher.answer(offer: Self.offer) }
        #expect(closed.name == .invalidStateError)
        for options in [
            Self.options { $0.codecs = [] }, Self.options { $0.maximumViewers = 0 }, Self.options { $0.stunServer = "http://x" },
            Self.options { $0.silenceTimeout = .zero }, Self.options { $0.answerTimeout = .seconds(-1) },
        ] {
            let bad = try await domException { _ = try WHEPPublisher(camera: PublishedCamera(track: track), options: options) }
            #expect(bad.name == .typeError)
        }
    }
}

/// 20 players at a time, connecting and leaving (a third without DELETE) for a minute (8 under a
/// sanitizer, whose server runs several times slower on 2 cores: the point there is what is left after).
@Suite("WHEP churn", .serialized, .timeLimit(.minutes(4)))
struct WHEPChurnTests {
    final class Outcomes: Sendable {
        let state = Locked((played: 0, failed: [String]()))
    }

    static func count(_ directory: String) -> Int { (try? FileManager.default.contentsOfDirectory(atPath: directory).count) ?? -1 }

    @Test("20 players connecting and leaving for a minute leave threads, descriptors and pipelines where they were")
    func churn() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let publisher = try WHEPPublisher(
            camera: PublishedCamera(track: track), options: WHEPPublisherTests.options { $0.silenceTimeout = .seconds(3) })
        let server = try TinyWHEPServer(publisher)
        defer {
            server.stop()
            Task { await publisher.close() }
        }
        // One round first: the encoders, DTLS and GLib's pools are made once per process.
        _ = try await WHEPPublisherTests.watch(server.url, frames: 5)
        #expect(try await RTSPPublisherTests.eventually { publisher.viewerCount == 0 })
        try await Task.sleep(for: .seconds(1))
        let (threads, descriptors, pipelines) = (Self.count("/proc/self/task"), Self.count("/proc/self/fd"), Pipeline.aliveCount)
        let deadline = ContinuousClock.now + .seconds(60)
        let outcomes = Outcomes()
        await withTaskGroup(of: Void.self) { group in
            let url = server.url
            for player in 0..<(sanitized ? 8 : 20) {
                group.addTask {
                    var round = 0
                    while ContinuousClock.now < deadline {
                        round += 1
                        let leave = (player + round) % 3 == 0 ? ["--no-delete"] : []
                        let codec = player % 2 == 0 ? "vp8" : "h264"
                        guard let (result, report) = try? await WHEPPublisherTests.watch(url, codec: codec, frames: 5, leave) else {
                            outcomes.state.withLock { $0.failed.append("player \(player) timed out") }
                            continue
                        }
                        outcomes.state.withLock { outcomes in
                            if report?.status == "ok" {
                                outcomes.played += 1
                            } else {
                                outcomes.failed.append(String(decoding: result.stdout, as: UTF8.self) + result.stderr.suffix(300))
                            }
                        }
                    }
                }
            }
        }
        let (played, failed) = outcomes.state.withLock { ($0.played, $0.failed) }
        #expect(played >= (sanitized ? 16 : 40), "\(played) sessions played")
        #expect(failed.count <= played / 20, "\(failed.count) of \(played + failed.count) failed: \(failed.prefix(3))")
        #expect(try await RTSPPublisherTests.eventually(15) { publisher.viewerCount == 0 }, "\(publisher.viewerCount) viewers left")
        let capturer = try #require(track.video?.source.capturer)
        #expect(
            try await RTSPPublisherTests.eventually(15) {
                capturer.liveEncoders.isEmpty && Self.count("/proc/self/fd") <= descriptors && Pipeline.aliveCount == pipelines
            }, "descriptors \(Self.count("/proc/self/fd")) (were \(descriptors)), pipelines \(Pipeline.aliveCount) (were \(pipelines))")
        // GLib keeps a few idle pool threads for a while; more than that is a viewer's thread left behind.
        #expect(
            try await RTSPPublisherTests.eventually(20) { Self.count("/proc/self/task") <= threads + 6 },
            "threads \(Self.count("/proc/self/task")) (were \(threads))")
        print(
            "churn: \(played) sessions played, \(failed.count) failed; threads \(threads) → \(Self.count("/proc/self/task")), descriptors \(descriptors) → \(Self.count("/proc/self/fd"))"
        )
        await publisher.close()
    }
}
