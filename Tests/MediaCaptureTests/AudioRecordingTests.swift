// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
@testable import GStreamerWrapper
import Locking
@testable import MediaCapture
import TestSupport
import Testing

/// A stream with the fake microphone beside the fake camera: the recorder writes Opus beside the
/// video, read back by GStreamer's demuxers and decoders (each stream's span, and the sine's level).
@Suite("Recorder with audio", .serialized, .timeLimit(.minutes(1)))
struct AudioRecordingTests {
    typealias R = MediaRecorderTests

    /// What a decoder found in each stream of a recording.
    struct Streams: Sendable {
        var videoFrames = 0
        var videoSpan: (first: UInt64, end: UInt64)?
        var audioSpan: (first: UInt64, end: UInt64)?
        /// The largest sample, in S16 (the fake microphone's sine is loud).
        var audioPeak = 0
        var failure: String?
        func seconds(_ span: (first: UInt64, end: UInt64)?) -> Double { span.map { Double($0.end - $0.first) / 1e9 } ?? 0 }
    }

    /// Decodes both streams of `bytes` to the end, bounded.
    static func decode(_ bytes: [UInt8]) async throws -> Streams {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recording-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pipeline = try Pipeline(
            description: """
                filesrc name=file ! decodebin name=d
                d. ! queue ! audioconvert ! audio/x-raw,format=S16LE ! appsink name=audio sync=false
                d. ! queue ! videoconvert ! video/x-raw ! appsink name=video sync=false
                """,
            name: "decode-audio-\(UUID().uuidString)")
        try #require(pipeline.element(named: "file")).set("location", path)
        let found = Locked(Streams())
        let ends = Locked(0)
        let done = Waiter<String?>()
        for name in ["audio", "video"] {
            let sink = try #require(pipeline.element(named: name).flatMap(AppSink.init))
            sink.setCallbacks(
                onSample: { sample in
                    guard let time = sample.presentationTime else { return }
                    let size = (try? sample.withMappedBytes { $0.count }) ?? 0
                    let peak =
                        name == "audio"
                        ? ((try? sample.withMappedBytes { bytes in
                            stride(from: 0, to: bytes.count - 1, by: 2).map {
                                abs(Int(Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)))
                            }.max() ?? 0
                        }) ?? 0) : 0
                    found.withLock { found in
                        if name == "audio" {
                            // 48 kHz mono S16 after audioconvert: 96 000 bytes a second.
                            let end = time + UInt64(size) * 1_000_000_000 / 96_000
                            found.audioSpan = (min(found.audioSpan?.first ?? time, time), max(found.audioSpan?.end ?? end, end))
                            found.audioPeak = max(found.audioPeak, peak)
                        } else {
                            found.videoFrames += 1
                            let end = time + 33_333_333
                            found.videoSpan = (min(found.videoSpan?.first ?? time, time), max(found.videoSpan?.end ?? end, end))
                        }
                    }
                },
                onEndOfStream: {
                    if ends.withLock({
                        $0 += 1; return $0
                    }) == 2 {
                        done.resume(nil)
                    }
                })
        }
        pipeline.onMessage { message in
            if case .error(let error) = message { done.resume(error.description) }
        }
        try await pipeline.play()
        let outcome = await done.wait(timeout: .seconds(15))
        await pipeline.stop()
        var streams = found.withLock { $0 }
        switch outcome {
        case nil: streams.failure = "no end of stream within 15 s"
        case .some(let failure?): streams.failure = failure
        case .some(nil): break
        }
        return streams
    }

    static func stream() async throws -> MediaStream {
        try await within(10, "getUserMedia") {
            try await fakeDevices(microphone: true).getUserMedia(
                MediaStreamConstraints(video: .constraints(MediaTrackConstraints(width: .exact(640), height: .exact(480))), audio: true))
        }
    }

    @Test(
        "WebM and MP4 of a stream with the microphone: Opus beside the video, each lasting the recording, the sine heard",
        arguments: ["video/webm", "video/mp4"])
    func opusBesideVideo(_ type: String) async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        #expect(stream.getAudioTracks().count == 1)
        let (recorder, events) = try await R.record(stream, seconds: 2, options: MediaRecorderOptions(mimeType: type))
        #expect(recorder.mimeType.hasSuffix(",opus"), "\(recorder.mimeType)")
        let errors = events.compactMap { event -> String? in if case .error(let error) = event { error.message } else { nil } }
        #expect(R.names(events).last == "stop" && errors.isEmpty, "\(R.names(events)) \(errors)")
        let streams = try await Self.decode(R.EventLog.bytes(of: events))
        #expect(streams.failure == nil, "\(streams.failure ?? "")")
        #expect(abs(streams.seconds(streams.videoSpan) - 2) <= 0.15, "video \(streams.seconds(streams.videoSpan)) s")
        #expect(abs(streams.seconds(streams.audioSpan) - 2) <= 0.2, "audio \(streams.seconds(streams.audioSpan)) s")
        // The two begin together (audio within a buffer or two of the first frame).
        if let audio = streams.audioSpan, let video = streams.videoSpan {
            #expect(abs(Double(audio.first) - Double(video.first)) / 1e9 <= 0.1, "audio from \(audio.first), video from \(video.first)")
        }
        #expect(streams.audioPeak > 3000, "peak \(streams.audioPeak)")
    }

    @Test("Segments to files carry the audio too: each file decodes with both streams")
    func segmentsWithAudio() async throws {
        let directory = try R.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(videoKeyFrameIntervalDuration: .milliseconds(500)))
        let log = R.EventLog(recorder.events)
        try recorder.record(to: directory + "/clip.webm", segmentDuration: .milliseconds(500))
        try await R.sleep(1.3)
        try recorder.stop()
        let events = try await log.wait()
        let errors = events.compactMap { event -> String? in if case .error(let error) = event { error.message } else { nil } }
        #expect(R.names(events) == ["start", "stop"], "\(errors)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files.count >= 2, "\(files)")
        for file in files {
            let streams = try await Self.decode(try R.readFile(directory + "/" + file))
            #expect(streams.failure == nil, "\(file): \(streams.failure ?? "")")
            #expect(streams.seconds(streams.audioSpan) > 0.2 && streams.videoFrames > 5, "\(file): audio \(streams.seconds(streams.audioSpan)) s")
        }
    }

    @Test("Pause cuts the audio as it cuts the video; a disabled microphone records silence")
    func pauseAndSilence() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let microphone = try #require(stream.getAudioTracks().first)
        microphone.enabled = false
        let recorder = try MediaRecorder(stream)
        let log = R.EventLog(recorder.events)
        try recorder.start()
        try await R.sleep(0.5)
        try recorder.pause()
        try await R.sleep(0.5)
        try recorder.resume()
        try await R.sleep(0.5)
        try recorder.stop()
        let streams = try await Self.decode(R.EventLog.bytes(of: try await log.wait()))
        #expect(streams.failure == nil, "\(streams.failure ?? "")")
        #expect(abs(streams.seconds(streams.videoSpan) - 1) <= 0.15, "video \(streams.seconds(streams.videoSpan)) s")
        #expect(abs(streams.seconds(streams.audioSpan) - 1) <= 0.2, "audio \(streams.seconds(streams.audioSpan)) s")
        #expect(streams.audioPeak < 100, "peak \(streams.audioPeak): silence expected")
    }

    @Test("codecs=vp8 alone records no audio; a pre-roll with a microphone is refused; isTypeSupported takes opus beside a video codec")
    func videoOnlyAndRefusals() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let (recorder, events) = try await R.record(stream, seconds: 0.5, options: MediaRecorderOptions(mimeType: "video/webm;codecs=vp8"))
        #expect(recorder.mimeType == "video/webm;codecs=vp8")
        let decoded = try await R.decode(R.EventLog.bytes(of: events))
        #expect(decoded.failure == nil && decoded.frames > 10)
        do {
            _ = try MediaRecorder(stream, options: MediaRecorderOptions(preroll: .seconds(1)))
            Issue.record("a pre-roll of a stream with a microphone was accepted")
        } catch {
            #expect(error.name == .notSupportedError)
        }
        #expect(MediaRecorder.isTypeSupported("video/webm;codecs=vp8,opus"))
        #expect(MediaRecorder.isTypeSupported("video/webm;codecs=\"vp9, opus\""))
        #expect(MediaRecorder.isTypeSupported("video/mp4;codecs=avc1,opus"))
        #expect(!MediaRecorder.isTypeSupported("video/webm;codecs=opus,opus"))
        #expect(!MediaRecorder.isTypeSupported("audio/webm;codecs=opus"))
    }
}
