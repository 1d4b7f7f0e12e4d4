// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
import Glibc
@testable import GStreamerWrapper
import Locking
@testable import MediaCapture
import TestSupport
import Testing

/// The W3C MediaRecorder on the fake camera: every recording is read back by GStreamer's own
/// demuxers and decoders (`decodebin`), which count its frames, their size and the time they span.
@Suite("Recorder", .timeLimit(.minutes(1)))
struct MediaRecorderTests {
    /// What a decoder found in a recording.
    struct Decoded: Sendable {
        var frames = 0
        var width = 0
        var height = 0
        var first: UInt64?
        var end: UInt64 = 0
        /// Each frame's luma at an eighth of the width and a quarter of the height, inside the
        /// pattern's first (light) bar (16 is black).
        var luma: [UInt8] = []
        var failure: String?
        /// The longest time between two consecutive frames, in seconds.
        var longestGap: Double = 0
        var last: UInt64?
        /// From the first frame's start to the last one's end.
        var duration: Double { first.map { Double(end - $0) / 1e9 } ?? 0 }
    }

    /// Decodes `bytes` (written to a temporary file) to the end, bounded.
    static func decode(_ bytes: [UInt8], seconds: Double = 15) async throws -> Decoded {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recording-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pipeline = try Pipeline(
            description: "filesrc name=file ! decodebin ! videoconvert ! video/x-raw,format=I420 ! appsink name=sink sync=false",
            name: "decode-\(UUID().uuidString)")
        try #require(pipeline.element(named: "file")).set("location", path)  // set, never parsed
        let sinkElement = try #require(pipeline.element(named: "sink"))
        let sink = try #require(AppSink(sinkElement))
        let found = Locked(Decoded())
        let done = Waiter<String?>()
        sink.setCallbacks(
            onSample: { sample in
                found.withLock { found in
                    found.frames += 1
                    if let layout = sample.videoLayout { (found.width, found.height) = (layout.width, layout.height) }
                    if let time = sample.presentationTime {
                        if found.first == nil { found.first = time }
                        found.end = max(found.end, time + 33_333_333)
                        if let last = found.last, time > last { found.longestGap = max(found.longestGap, Double(time - last) / 1e9) }
                        found.last = time
                    }
                    if let layout = sample.videoLayout,
                        let luma = try? sample.withMappedBytes({ bytes in
                            bytes[layout.planeOffset + layout.height / 4 * layout.bytesPerRow + layout.width / 8]
                        })
                    {
                        found.luma.append(luma)
                    }
                }
            },
            onEndOfStream: { done.resume(nil) })
        pipeline.onMessage { message in
            if case .error(let error) = message { done.resume(error.description) }
        }
        try await pipeline.play()
        let outcome = await done.wait(timeout: .seconds(seconds))
        await pipeline.stop()
        var decoded = found.withLock { $0 }
        switch outcome {
        case nil: decoded.failure = "no end of stream within \(seconds) s"
        case .some(let failure?): decoded.failure = failure
        case .some(nil): break
        }
        return decoded
    }

    /// Collects a recorder's events until they finish (after `stop`), bounded.
    final class EventLog: Sendable {
        let events = Locked<[MediaRecorderEvent]>([])
        let finished = Waiter<Void>()
        init(_ stream: AsyncStream<MediaRecorderEvent>) {
            Task { [self] in
                for await event in stream { self.events.withLock { $0.append(event) } }
                self.finished.resume(())
            }
        }
        func wait(seconds: Double = 10) async throws -> [MediaRecorderEvent] {
            guard await finished.wait(timeout: .seconds(seconds)) != nil else { throw TimedOut(what: "the recorder's stop", seconds: seconds) }
            return events.withLock { $0 }
        }
        var snapshot: [MediaRecorderEvent] { events.withLock { $0 } }
        var bytes: [UInt8] { Self.bytes(of: snapshot) }
        static func bytes(of events: [MediaRecorderEvent]) -> [UInt8] {
            events.flatMap { event -> [UInt8] in if case .dataavailable(let blob) = event { blob.data.bytes } else { [] } }
        }
    }

    static func names(_ events: [MediaRecorderEvent]) -> [String] {
        events.map { event in
            switch event {
            case .start: "start"
            case .dataavailable: "dataavailable"
            case .pause: "pause"
            case .resume: "resume"
            case .stop: "stop"
            case .error(let error): "error(\(error.name))"
            }
        }
    }

    static func stream(
        _ constraints: MediaTrackConstraints = MediaTrackConstraints(width: .exact(640), height: .exact(480))
    ) async throws -> MediaStream {
        try await within(10, "getUserMedia") {
            try await fakeDevices().getUserMedia(MediaStreamConstraints(video: .constraints(constraints)))
        }
    }

    static func sleep(_ seconds: Double) async throws {
        try await within(seconds + 5, "sleep") { try await Task.sleep(for: .seconds(seconds)) }
    }

    @Test("A 2 s WebM/VP8 recording lasts 2 s within a frame or two, of 640x480 frames, events start, dataavailable, stop")
    func webmLastsItsTime() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream)
        #expect(recorder.mimeType == "video/webm;codecs=vp8")
        let log = EventLog(recorder.events)
        let second = EventLog(recorder.events)  // another subscription sees the same events
        let began = ContinuousClock.now
        try recorder.start()
        #expect(recorder.state == .recording)
        try await Self.sleep(2)
        try recorder.stop()
        let wall = Double((ContinuousClock.now - began).components.attoseconds) / 1e18 + Double((ContinuousClock.now - began).components.seconds)
        #expect(recorder.state == .inactive)
        let events = try await log.wait()
        #expect(Self.names(events) == ["start", "dataavailable", "stop"])
        #expect(Self.names(try await second.wait()) == Self.names(events))
        // Nothing of the recording is left in the camera's pipeline.
        let pipeline = try #require(stream.getVideoTracks().first?.video?.source.capturer.pipeline)
        #expect(pipeline.children.filter { $0.name.hasPrefix(RecordingBranch.namePrefix) }.isEmpty)
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(decoded.width == 640 && decoded.height == 480)
        #expect(decoded.longestGap < 0.05, "a gap of \(decoded.longestGap) s")
        #expect(abs(decoded.duration - 2) <= 0.1, "duration \(decoded.duration) s (wall \(wall) s)")
        #expect(abs(Double(decoded.frames) - decoded.duration * 30) <= 1.5, "\(decoded.frames) frames in \(decoded.duration) s")
    }

    /// Records `seconds` with `options` and returns the events, bounded.
    static func record(
        _ stream: MediaStream, seconds: Double, options: MediaRecorderOptions = .init(), timeslice: Duration? = nil
    ) async throws -> (MediaRecorder, [MediaRecorderEvent]) {
        let recorder = try MediaRecorder(stream, options: options)
        let log = EventLog(recorder.events)
        try recorder.start(timeslice: timeslice)
        try await sleep(seconds)
        try recorder.stop()
        return (recorder, try await log.wait())
    }

    @Test("Pause and resume: 0.5 s, 0.5 s paused, 0.5 s gives a 1 s file, events start, pause, resume, dataavailable, stop")
    func pauseCutsTheSpan() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(0.5)
        try recorder.pause()
        try recorder.pause()  // paused already: nothing happens (no second event)
        #expect(recorder.state == .paused)
        try await Self.sleep(0.5)
        try recorder.resume()
        try recorder.resume()
        #expect(recorder.state == .recording)
        try await Self.sleep(0.5)
        try recorder.stop()
        let events = try await log.wait()
        #expect(Self.names(events) == ["start", "pause", "resume", "dataavailable", "stop"])
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(abs(decoded.duration - 1.0) <= 0.12, "duration \(decoded.duration) s")
        #expect(abs(Double(decoded.frames) - decoded.duration * 30) <= 1.5, "\(decoded.frames) frames in \(decoded.duration) s")
    }

    @Test("A timeslice of 250 ms gives a dataavailable about every 250 ms, timecodes from 0 upwards; the pieces concatenated play")
    func timesliceGivesPieces() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let (_, events) = try await Self.record(stream, seconds: 1.3, timeslice: .milliseconds(250))
        let names = Self.names(events)
        #expect(names.first == "start" && names.last == "stop")
        let pieces = events.compactMap { event -> BlobEvent? in if case .dataavailable(let blob) = event { blob } else { nil } }
        #expect(pieces.count >= 5, "\(pieces.count) pieces")
        #expect(pieces.first?.timecode == 0)
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.timecode <= $1.timecode }, "\(pieces.map(\.timecode))")
        #expect(pieces.allSatisfy { $0.data.type == "video/webm;codecs=vp8" })
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(abs(decoded.duration - 1.3) <= 0.12, "duration \(decoded.duration) s")
    }

    @Test("requestData gives what was gathered so far, and the rest comes at stop; both together play")
    func requestDataSplits() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(0.6)
        try recorder.requestData()
        try await Self.sleep(0.6)
        try recorder.stop()
        let events = try await log.wait()
        #expect(Self.names(events) == ["start", "dataavailable", "dataavailable", "stop"])
        let pieces = events.compactMap { event -> BlobEvent? in if case .dataavailable(let blob) = event { blob } else { nil } }
        #expect(pieces.allSatisfy { !$0.data.bytes.isEmpty })
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(abs(decoded.duration - 1.2) <= 0.12, "duration \(decoded.duration) s")
    }

    @Test("The spec's exceptions: InvalidStateError from the wrong state, NotSupportedError for types, options and streams")
    func exceptions() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        for type in ["video/ogg", "audio/webm;codecs=opus", "video/webm;codecs=vp8,vorbis", "video/mp4;codecs=vp8", "nonsense"] {
            let error = try await domException { _ = try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: type)) }
            #expect(error.name == .notSupportedError, "\(type)")
            #expect(error.message.contains("isTypeSupported"))
        }
        let both = try await domException {
            _ = try MediaRecorder(
                stream, options: MediaRecorderOptions(videoKeyFrameIntervalDuration: .seconds(1), videoKeyFrameIntervalCount: 30))
        }
        #expect(both.name == .notSupportedError)
        let recorder = try MediaRecorder(stream)
        #expect(recorder.state == .inactive)
        for (call, operation) in [("pause", recorder.pause), ("resume", recorder.resume), ("requestData", recorder.requestData)] {
            let error = try await domException { try operation() }
            #expect(error.name == .invalidStateError, "\(call)")
        }
        try recorder.stop()  // inactive: nothing happens (the spec since 2021; it threw before)
        let log = EventLog(recorder.events)
        try recorder.start()
        #expect(try await domException { try recorder.start() }.name == .invalidStateError)
        try recorder.stop()
        #expect(Self.names(try await log.wait()).first == "start")
        stream.stopAllTracks()
        #expect(try await domException { try recorder.start() }.name == .notSupportedError)
        #expect(recorder.state == .inactive)
    }

    @Test("Ported from WPT mediacapture-record: bit rates and mimeType as given, requestData while paused, stop() twice")
    func webPlatformTestsPorted() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        // MediaRecorder-bitrate: a video-only recording gets the whole bitsPerSecond; defaults are set.
        #expect(try MediaRecorder(stream, options: MediaRecorderOptions(bitsPerSecond: 1_000_000)).videoBitsPerSecond == 1_000_000)
        #expect(try MediaRecorder(stream, options: MediaRecorderOptions(videoBitsPerSecond: 700_000)).videoBitsPerSecond == 700_000)
        #expect(try MediaRecorder(stream, options: MediaRecorderOptions(audioBitsPerSecond: 64_000)).audioBitsPerSecond == 64_000)
        let defaults = try MediaRecorder(stream)
        #expect(defaults.videoBitsPerSecond > 0 && defaults.audioBitsPerSecond > 0)
        // MediaRecorder-mimetype: the type in use, with its codec.
        #expect(try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "video/webm;codecs=vp9")).mimeType == "video/webm;codecs=vp9")
        #expect(try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "")).mimeType == "video/webm;codecs=vp8")
        #expect(try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "video/x-matroska")).mimeType == "video/x-matroska;codecs=vp8")
        // MediaRecorder-pause-resume and -requestdata: requestData is allowed while paused.
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(0.2)
        try recorder.pause()
        try recorder.requestData()
        try recorder.resume()
        try recorder.stop()
        try recorder.stop()  // inactive already: no second stop
        let events = try await log.wait()
        #expect(Self.names(events) == ["start", "pause", "dataavailable", "resume", "dataavailable", "stop"])
        if case .dataavailable(let first) = events[2] { #expect(first.timecode == 0 && !first.data.bytes.isEmpty) }
    }

    @Test(
        "isTypeSupported: containers and codecs installed, opus beside video, case and quotes ignored; audio alone, other and mismatched codecs refused"
    )
    func typeSupport() {
        for type in [
            "", "video/webm", "video/webm;codecs=vp8", "video/webm;codecs=vp9", "VIDEO/WEBM; CODECS=\"vp8\"",
            "video/webm;codecs=vp09.00.10.08", "video/x-matroska", "video/x-matroska;codecs=avc1", "video/mp4",
            "video/mp4;codecs=avc1.42E01F", "video/webm;codecs=vp8,opus", "video/mp4;codecs=\"avc1, opus\"",
        ] {
            #expect(MediaRecorder.isTypeSupported(type), "\(type)")
        }
        for type in [
            "video/webm;codecs=h264", "video/mp4;codecs=vp8", "audio/webm", "audio/webm;codecs=opus",
            "video/webm;codecs=vp8,vorbis", "video/webm;codecs=vp8,vp9", "image/jpeg", "video", "video/webm;codecs", "garbage",
        ] {
            #expect(!MediaRecorder.isTypeSupported(type), "\(type)")
        }
    }

    @Test("Stopping the recorded track ends the recording: dataavailable then stop, and the file plays")
    func trackStopEndsRecording() async throws {
        let stream = try await Self.stream()
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(1)
        stream.stopAllTracks()
        let events = try await log.wait()
        #expect(Self.names(events) == ["start", "dataavailable", "stop"])
        #expect(recorder.state == .inactive)
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(abs(decoded.duration - 1) <= 0.12, "duration \(decoded.duration) s")
    }

    @Test("grabFrame and takePhoto work during a recording, and the recording loses no frame meanwhile")
    func grabsDuringRecording() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let track = try #require(stream.getVideoTracks().first)
        let capture = try ImageCapture(track)
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        for _ in 0..<5 {
            let frame = try await within(5, "grabFrame") { try await capture.grabFrame() }
            #expect(frame.width == 640 && frame.height == 480)
            frame.close()
        }
        let photo = try await within(10, "takePhoto") { try await capture.takePhoto() }
        #expect(photo.type == "image/jpeg" && photo.size > 1000)
        try await Self.sleep(0.5)
        try recorder.stop()
        let decoded = try await Self.decode(EventLog.bytes(of: try await log.wait()))
        #expect(decoded.failure == nil)
        #expect(decoded.duration > 0.5)
        #expect(abs(Double(decoded.frames) - decoded.duration * 30) <= 1.5, "\(decoded.frames) frames in \(decoded.duration) s")
    }

    @Test("A disabled track records black frames")
    func disabledRecordsBlack() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let (_, lit) = try await Self.record(stream, seconds: 0.5)
        let litFrames = try await Self.decode(EventLog.bytes(of: lit))
        #expect(!litFrames.luma.isEmpty && litFrames.luma.allSatisfy { $0 > 100 }, "\(litFrames.luma)")
        let track = try #require(stream.getVideoTracks().first)
        let clone = track.clone()  // enabled: the same camera's frames must stay lit for it
        defer { clone.stop() }
        track.enabled = false
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        for _ in 0..<5 {
            let frame = try await within(5, "grabFrame") { try await ImageCapture(clone).grabFrame() }
            let pixels = try frame.rgbaBytes()
            let red = pixels[(frame.height / 4 * frame.width + frame.width / 8) * 4]
            #expect(red > 100, "the clone's frame was blackened too (red \(red))")
            frame.close()
        }
        try await Self.sleep(0.3)
        try recorder.stop()
        let darkFrames = try await Self.decode(EventLog.bytes(of: try await log.wait()))
        #expect(darkFrames.failure == nil)
        #expect(!darkFrames.luma.isEmpty && darkFrames.luma.allSatisfy { $0 <= 24 }, "\(darkFrames.luma)")
    }

    @Test("A clone records on its own: two recorders on a track and its clone, each file whole; stopping one leaves the other")
    func cloneRecordsIndependently() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let clone = MediaStream(tracks: [try #require(stream.getVideoTracks().first).clone()])
        defer { clone.stopAllTracks() }
        let first = try MediaRecorder(stream), second = try MediaRecorder(clone)
        let firstLog = EventLog(first.events), secondLog = EventLog(second.events)
        try first.start()
        try second.start()
        try await Self.sleep(0.5)
        try first.stop()
        #expect(second.state == .recording)
        try await Self.sleep(0.5)
        try second.stop()
        let short = try await Self.decode(EventLog.bytes(of: try await firstLog.wait()))
        let long = try await Self.decode(EventLog.bytes(of: try await secondLog.wait()))
        #expect(short.failure == nil && long.failure == nil)
        #expect(abs(short.duration - 0.5) <= 0.1 && abs(long.duration - 1) <= 0.1, "\(short.duration) s, \(long.duration) s")
    }

    @Test("Fragmented MP4/H.264: the bytes gathered before a crash play up to their last fragment; the whole file plays")
    func mp4SurvivesACut() async throws {
        try #require(MediaRecorder.isTypeSupported("video/mp4"), "openh264enc (gstreamer1.0-plugins-bad) is not installed")
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "video/mp4"))
        #expect(recorder.mimeType == "video/mp4;codecs=avc1.42E01F")
        let log = EventLog(recorder.events)
        try recorder.start(timeslice: .milliseconds(100))
        try await Self.sleep(1.6)
        // What a process killed now would have left on disk.
        let cut = try await Self.decode(log.bytes)
        #expect(cut.frames >= 30, "\(cut.frames) frames in the cut file (\(cut.failure ?? "no error"))")
        try recorder.stop()
        let whole = try await Self.decode(EventLog.bytes(of: try await log.wait()))
        #expect(whole.failure == nil)
        #expect(whole.width == 640 && whole.height == 480)
        #expect(abs(whole.duration - 1.6) <= 0.15, "duration \(whole.duration) s")
    }

    @Test("VP9 in WebM and H.264 in Matroska record and play", arguments: ["video/webm;codecs=vp9", "video/x-matroska;codecs=avc1"])
    func otherFormats(type: String) async throws {
        try #require(MediaRecorder.isTypeSupported(type))
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let (recorder, events) = try await Self.record(
            stream, seconds: 0.6, options: MediaRecorderOptions(mimeType: type, videoBitsPerSecond: 500_000))
        #expect(recorder.videoBitsPerSecond == 500_000)
        #expect(Self.names(events) == ["start", "dataavailable", "stop"])
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(decoded.width == 640 && decoded.height == 480)
        #expect(abs(decoded.duration - 0.6) <= 0.12, "duration \(decoded.duration) s")
    }

    @Test("A failure in the recording's elements: error(UnknownError), dataavailable, stop; the camera goes on")
    func failureEndsTheRecordingOnly() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let track = try #require(stream.getVideoTracks().first)
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(0.5)
        let pipeline = try #require(track.video?.source.capturer.pipeline)
        let encoder = try #require(pipeline.children.first { $0.name.hasPrefix(RecordingBranch.namePrefix) && $0.name.hasSuffix("-vp8enc") })
        encoder.postError(domain: .stream, code: 1, message: "injected encoder failure", debug: "")
        let events = try await log.wait()
        #expect(Self.names(events) == ["start", "error(UnknownError)", "dataavailable", "stop"])
        if case .error(let error) = events[1] { #expect(error.message.contains("injected encoder failure")) }
        #expect(recorder.state == .inactive)
        #expect(track.readyState == .live)
        let frame = try await within(5, "grabFrame") { try await ImageCapture(track).grabFrame() }
        #expect(frame.width == 640)
        frame.close()
        // The recorder records again on the same camera.
        let again = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(0.3)
        try recorder.stop()
        #expect(Self.names(try await again.wait()) == ["start", "dataavailable", "stop"])
    }

    @Test("720p30 VP8: every frame the camera delivered is in the file (no gap), 1280x720")
    func noFrameLostAt720p() async throws {
        let stream = try await Self.stream(MediaTrackConstraints(width: .exact(1280), height: .exact(720), frameRate: .exact(30)))
        defer { stream.stopAllTracks() }
        var before = rusage()
        getrusage(RUSAGE_SELF.rawValue, &before)
        let (_, events) = try await Self.record(stream, seconds: 1)
        var after = rusage()
        getrusage(RUSAGE_SELF.rawValue, &after)
        let cpu =
            Double(after.ru_utime.tv_sec - before.ru_utime.tv_sec + after.ru_stime.tv_sec - before.ru_stime.tv_sec)
            + Double(after.ru_utime.tv_usec - before.ru_utime.tv_usec + after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6
        print("MediaRecorderTests: 720p30 VP8, 1 s recorded: process CPU \(cpu) s (camera, encoder and test together)")
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(decoded.width == 1280 && decoded.height == 720)
        #expect(decoded.longestGap < 0.05, "a gap of \(decoded.longestGap) s")
        #expect(abs(decoded.duration - 1) <= 0.1, "duration \(decoded.duration) s")
        #expect(abs(Double(decoded.frames) - decoded.duration * 30) <= 1.5, "\(decoded.frames) frames in \(decoded.duration) s")
    }

    @Test("A full-resolution photo switches the camera's mode mid-recording: the recording keeps its size and plays")
    func photoModeSwitchKeepsTheRecording() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let track = try #require(stream.getVideoTracks().first)
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(0.3)
        let photo = try await within(15, "takePhoto") {
            try await ImageCapture(track).takePhoto(PhotoSettings(imageHeight: 2448, imageWidth: 3264))
        }
        #expect(photo.size > 1000)
        try await Self.sleep(0.3)
        try recorder.stop()
        let events = try await log.wait()
        #expect(Self.names(events) == ["start", "dataavailable", "stop"])
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(decoded.width == 640 && decoded.height == 480)
        #expect(decoded.duration > 0.5)
    }

    @Test("Ten start/stop cycles leave no recording element in the pipeline, and every cycle ends with stop")
    func cyclesLeaveNothing() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let pipeline = try #require(stream.getVideoTracks().first?.video?.source.capturer.pipeline)
        let children = pipeline.children.count
        let recorder = try MediaRecorder(stream)
        for _ in 0..<10 {
            let log = EventLog(recorder.events)
            try recorder.start()
            try await Self.sleep(0.05)
            try recorder.stop()
            #expect(Self.names(try await log.wait()).last == "stop")
        }
        #expect(pipeline.children.count == children)
        #expect(pipeline.children.filter { $0.name.hasPrefix(RecordingBranch.namePrefix) }.isEmpty)
    }

    /// pipelines/recording-webm.pipeline is the recording branch as the library builds it (the model:
    /// the pipeline files checked against the built graph).
    @Test("A running recording's graph is pipelines/recording-webm.pipeline: elements, links, the values set there")
    func branchMatchesPipelineFile() async throws {
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let pipeline = try #require(stream.getVideoTracks().first?.video?.source.capturer.pipeline)
        let recorder = try MediaRecorder(stream)
        let log = EventLog(recorder.events)
        try recorder.start()
        try await Self.sleep(0.3)
        let text = String(decoding: try Self.readFile(repositoryRoot + "/pipelines/recording-webm.pipeline"), as: UTF8.self)
        let reference = try Pipeline(description: text, name: "reference-recording")
        // The library names a recording's elements by a counter and the factory.
        let numbered = try Regex("swift-media-capture-recorder-[0-9]+-")
        let built = pipeline.graphSignature.map { $0.replacing(numbered, with: "recorder-") }.sorted()
        #expect(built == reference.graphSignature)
        #expect(built.filter { $0.hasPrefix("recorder-") }.count >= 14, "8 elements and their 7 links, and the tee's")
        let elements = Dictionary(
            pipeline.children.map { ($0.name.replacing(numbered, with: "recorder-"), $0) }, uniquingKeysWith: { first, _ in first })
        for node in try GraphDescription(text).nodes {
            guard let name = node.name, name.hasPrefix("recorder-") else { continue }
            let mine = try #require(elements[name], "\(name) is in the running graph")
            for (key, _) in node.properties where key != "name" {
                #expect(mine.serializedProperty(key) == reference.element(named: name)?.serializedProperty(key), "\(name).\(key)")
            }
        }
        try recorder.stop()
        #expect(Self.names(try await log.wait()).last == "stop")
    }

    @Test("A crop-and-scale track at 10 fps on a 30 fps camera records 10 frames a second, by capture time")
    func lowerRateTrack() async throws {
        let stream = try await Self.stream(
            MediaTrackConstraints(width: .exact(640), height: .exact(480), frameRate: .exact(10), resizeMode: .exact("crop-and-scale")))
        defer { stream.stopAllTracks() }
        #expect(stream.getVideoTracks().first?.getSettings().frameRate == 10)
        let (_, events) = try await Self.record(stream, seconds: 1)
        let decoded = try await Self.decode(EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(abs(Double(decoded.frames) - 10) <= 1, "\(decoded.frames) frames")
        #expect(abs(decoded.longestGap - 0.1) <= 0.02, "a gap of \(decoded.longestGap) s")
    }

    @Test(
        "A real headless Chromium plays a WebM/VP8 and an MP4/H.264 recording to the end: their size, every frame, their length",
        .enabled(if: access("/usr/bin/chromium", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0))
    func chromiumPlaysRecordings() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let webm = try MediaRecorder(stream), mp4 = try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "video/mp4"))
        let webmLog = EventLog(webm.events), mp4Log = EventLog(mp4.events)
        try webm.start(timeslice: .milliseconds(300))  // several pieces: their concatenation is the file
        try mp4.start()
        try await Self.sleep(1)
        try webm.stop()
        try mp4.stop()
        var decoded: [String: Decoded] = [:]
        for (name, log) in [("a.webm", webmLog), ("a.mp4", mp4Log)] {
            let bytes = EventLog.bytes(of: try await log.wait())
            #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(bytes)))
            decoded[name] = try await Self.decode(bytes)
        }
        let output = try await runProcess(
            "/usr/bin/python3", [repositoryRoot + "/Tests/Browser/play_recordings.py", directory, "a.webm", "a.mp4"], seconds: 90)
        // Its report (exit status, fatal lines, output) when it printed no JSON.
        let played = try #require(
            (try? JSONSerialization.jsonObject(with: Data(output.stdout))) as? [String: [String: Any]], "\(output.report)")
        print(
            "MediaRecorderTests: Chromium played \(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)); GStreamer decoded webm \(decoded["a.webm"]?.frames ?? 0), mp4 \(decoded["a.mp4"]?.frames ?? 0) frames"
        )
        for name in ["a.webm", "a.mp4"] {
            let video = try #require(played[name], "\(name) did not play: \(output.stdoutText)")
            let frames = try #require(decoded[name]).frames
            #expect(video["width"] as? Int == 640 && video["height"] as? Int == 480, "\(name): \(video)")
            #expect((video["frames"] as? Int).map { abs($0 - frames) <= 1 } == true, "\(name): \(video), GStreamer decoded \(frames)")
            #expect((video["currentTime"] as? Double).map { abs($0 - Double(frames) / 30) <= 0.1 } == true, "\(name): \(video)")
        }
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recordings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func readFile(_ path: String) throws -> [UInt8] { [UInt8](try #require(FileManager.default.contents(atPath: path))) }

    @Test("record(to:segmentDuration:maxFiles:): 0.3 s segments cut at key frames, at most 3 kept, each plays on its own")
    func segmentsOnDisk() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(videoKeyFrameIntervalDuration: .milliseconds(300)))
        let log = EventLog(recorder.events)
        try recorder.record(to: directory + "/clip%d.webm", segmentDuration: .milliseconds(300), maxFiles: 3)
        try await Self.sleep(1.4)
        try recorder.stop()
        #expect(Self.names(try await log.wait()) == ["start", "stop"])
        // The indices wrap at maxFiles: the newest segment overwrote the oldest name.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["clip%d-00000.webm", "clip%d-00001.webm", "clip%d-00002.webm"])
        var durations: [Double] = []
        for file in files {
            let decoded = try await Self.decode(try Self.readFile(directory + "/" + file))
            #expect(decoded.failure == nil, "\(file)")
            #expect(decoded.width == 640)
            durations.append(decoded.duration)
        }
        // Two whole segments and the last one, cut by stop() (1.4 s: segments 3 and 4 overwrote 0 and 1).
        #expect(durations.filter { abs($0 - 0.3) <= 0.05 }.count >= 2, "\(durations)")
        #expect(durations.allSatisfy { $0 > 0.05 && $0 <= 0.35 }, "\(durations)")
    }

    @Test("record(to:) one MP4 file that plays whole; an unwritable path and a full disk: error naming the path, then stop")
    func oneFileAndAnUnwritablePath() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = try await Self.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "video/mp4"))
        let log = EventLog(recorder.events)
        try recorder.record(to: directory + "/one.mp4")
        try await Self.sleep(1)
        try recorder.stop()
        #expect(Self.names(try await log.wait()) == ["start", "stop"])
        let decoded = try await Self.decode(try Self.readFile(directory + "/one.mp4"))
        #expect(decoded.failure == nil)
        #expect(abs(decoded.duration - 1) <= 0.12, "\(decoded.duration) s")

        let missing = directory + "/no such directory/clip.webm"
        let failing = try MediaRecorder(stream)
        let failures = EventLog(failing.events)
        try failing.record(to: missing)
        let events = try await failures.wait()
        #expect(Self.names(events) == ["start", "error(UnknownError)", "stop"])
        if case .error(let error) = events.dropFirst().first {
            #expect(error.message.contains(missing), "\(error.message)")
        }
        #expect(failing.state == .inactive)
        // A full disk (/dev/full: every write fails with ENOSPC) is an error naming the path, then stop.
        let full = try MediaRecorder(stream)
        let fullLog = EventLog(full.events)
        try full.record(to: "/dev/full")
        let fullEvents = try await fullLog.wait()
        #expect(Self.names(fullEvents) == ["start", "error(UnknownError)", "stop"])
        if case .error(let error) = fullEvents.dropFirst().first {
            #expect(error.message.contains("/dev/full") && error.message.contains("No space left"), "\(error.message)")
        }
        // The camera goes on: the failed writes' error stopped at the recording, never reaching the tee.
        try await Self.sleep(0.3)
        let track = try #require(stream.getVideoTracks().first)
        #expect(track.readyState == .live)
        _ = try await within(5) { try await ImageCapture(track).grabFrame() }
        #expect(try await domException { try recorder.record(to: "") }.name == .typeError)
        #expect(try await domException { try recorder.record(to: missing, maxFiles: 2) }.name == .typeError)
        #expect(try await domException { try recorder.record(to: missing, segmentDuration: .zero) }.name == .typeError)
    }

    @Test("Killed with SIGKILL 2 s into a recording (a process of its own): its MP4 and WebM files play up to the end")
    func killedMidRecording() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mp4 = directory + "/killed.mp4", webm = directory + "/killed.webm"
        let test = "recorderKilledChild"
        let output = try await runProcess(
            CommandLine.arguments[0], ["--testing-library", "swift-testing", "--filter", test],
            environment: ["MEDIA_CAPTURE_ISOLATED_TEST=\(test)", "RECORDER_KILLED_DIRECTORY=\(directory)"] + childEnvironment(),
            seconds: 30
        ) { pid in
            // Both files exist once both recordings run (at most 10 s); 2 s later, the kill.
            for _ in 0..<1000 where access(mp4, F_OK) != 0 || access(webm, F_OK) != 0 {
                try? await Task.sleep(for: .milliseconds(10))
            }
            try? await Task.sleep(for: .seconds(2))
            kill(pid, SIGKILL)
        }
        #expect(output.status & 0x7f == SIGKILL, "the child was not killed: \(output.report)")
        let fragmented = try await Self.decode(try Self.readFile(mp4))
        #expect(fragmented.frames >= 30, "\(fragmented.frames) frames in the killed MP4 (\(fragmented.failure ?? "no error"))")
        let streamed = try await Self.decode(try Self.readFile(webm))
        print("MediaRecorderTests: killed 2 s after its files appeared: MP4 \(fragmented.frames) frames, WebM \(streamed.frames)")
        #expect(streamed.frames >= 54, "\(streamed.frames) frames in the killed WebM (\(streamed.failure ?? "no error"))")
    }

    @Test("(isolated) records to an MP4 and a WebM file until it is killed", .enabled(if: isolatedRun == "recorderKilledChild"))
    func recorderKilledChild() async throws {
        let directory = try #require(getenv("RECORDER_KILLED_DIRECTORY").map { String(cString: $0) })
        let stream = try await Self.stream()
        let mp4 = try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "video/mp4"))
        let webm = try MediaRecorder(stream)
        try mp4.record(to: directory + "/killed.mp4")
        try webm.record(to: directory + "/killed.webm")
        try await Self.sleep(20)  // killed long before
        stream.stopAllTracks()
    }
}
