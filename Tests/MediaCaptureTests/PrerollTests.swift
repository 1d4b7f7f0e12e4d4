// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
@testable import MediaCapture
import TestSupport
import Testing

/// `MediaRecorderOptions.preroll` on the fake camera: what was encoded before `start()` begins the
/// recording, from a key frame, read back by GStreamer's decoders. Key frames come every second
/// (the recorder's default), so a ring holds the pre-roll and at most one second more.
@Suite("Recorder pre-roll", .serialized, .timeLimit(.minutes(1)))
struct PrerollTests {
    typealias R = MediaRecorderTests

    @Test("A 1 s pre-roll: a recording started 2.5 s after the recorder was made begins 1-2 s before start, at a key frame, with no gap")
    func recordingBeginsBeforeStart() async throws {
        let stream = try await R.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(preroll: .seconds(1)))
        try await R.sleep(2.5)  // the ring has turned over: older groups of pictures were let go
        let log = R.EventLog(recorder.events)
        try recorder.start()
        try await R.sleep(1)
        try recorder.stop()
        let events = try await log.wait()
        #expect(R.names(events) == ["start", "dataavailable", "stop"])
        let decoded = try await R.decode(R.EventLog.bytes(of: events))
        #expect(decoded.failure == nil)
        #expect(decoded.width == 640 && decoded.height == 480)
        // 1 s recorded after start, and 1 to 2 s before it (the pre-roll, back to a key frame).
        #expect(decoded.duration >= 1.9 && decoded.duration <= 3.1, "duration \(decoded.duration) s")
        #expect(decoded.longestGap < 0.05, "a gap of \(decoded.longestGap) s")
        #expect(abs(Double(decoded.frames) - decoded.duration * 30) <= 1.5, "\(decoded.frames) frames in \(decoded.duration) s")
        #expect(decoded.first == 0, "the timeline begins at the ring's first frame")
    }

    @Test("Without a pre-roll the same recording lasts its 1 s (the test above can fail)")
    func withoutPrerollNothingBefore() async throws {
        let stream = try await R.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream)
        try await R.sleep(1)
        let log = R.EventLog(recorder.events)
        try recorder.start()
        try await R.sleep(1)
        try recorder.stop()
        let decoded = try await R.decode(R.EventLog.bytes(of: try await log.wait()))
        #expect(decoded.failure == nil)
        #expect(abs(decoded.duration - 1) <= 0.1, "duration \(decoded.duration) s")
    }

    @Test("A pre-roll to a file, twice: each recording begins before its start (the second's ring began at the first's end)")
    func toFilesTwice() async throws {
        let directory = try R.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stream = try await R.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(mimeType: "video/mp4", preroll: .milliseconds(500)))
        for index in 0..<2 {
            try await R.sleep(1.6)
            let log = R.EventLog(recorder.events)
            try recorder.record(to: directory + "/clip-\(index).mp4")
            try await R.sleep(0.5)
            try recorder.stop()
            #expect(R.names(try await log.wait()) == ["start", "stop"])
            let decoded = try await R.decode(try R.readFile(directory + "/clip-\(index).mp4"))
            #expect(decoded.failure == nil, "recording \(index)")
            #expect(decoded.duration >= 0.9 && decoded.duration <= 2.1, "recording \(index): duration \(decoded.duration) s")
            #expect(decoded.longestGap < 0.05, "recording \(index): a gap of \(decoded.longestGap) s")
        }
    }

    @Test("Started at once, a pre-roll has nothing yet: the recording is what came after start; stopping the track ends the pre-roll")
    func startedAtOnce() async throws {
        let stream = try await R.stream()
        let track = try #require(stream.getVideoTracks().first)
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(preroll: .seconds(2)))
        let log = R.EventLog(recorder.events)
        try recorder.start()
        try await R.sleep(1)
        try recorder.stop()
        let decoded = try await R.decode(R.EventLog.bytes(of: try await log.wait()))
        #expect(decoded.failure == nil)
        #expect(decoded.duration >= 0.8 && decoded.duration <= 1.1, "duration \(decoded.duration) s")
        // The next pre-roll runs; the track's end takes it away with nothing left in the pipeline.
        let pipeline = try #require(track.video?.source.capturer.pipeline)
        try await within(5, "the next pre-roll to begin") {
            while pipeline.children.filter({ $0.name.hasPrefix(RecordingBranch.namePrefix) }).isEmpty {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        track.stop()
        try await within(10, "the pre-roll's elements to go") {
            while !pipeline.children.filter({ $0.name.hasPrefix(RecordingBranch.namePrefix) }).isEmpty {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test("Stopped at once after start, the recording is the ring: no frame came after start, and the pre-roll is kept")
    func stoppedAtOnce() async throws {
        let stream = try await R.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(preroll: .seconds(1)))
        try await R.sleep(2.5)
        let log = R.EventLog(recorder.events)
        try recorder.start()
        try recorder.stop()
        let decoded = try await R.decode(R.EventLog.bytes(of: try await log.wait()))
        #expect(decoded.failure == nil)
        #expect(decoded.duration >= 0.9 && decoded.duration <= 2.1, "duration \(decoded.duration) s")
        #expect(decoded.longestGap < 0.05, "a gap of \(decoded.longestGap) s")
    }

    @Test("requestData at once and later: timecodes begin at 0 and never go back")
    func timecodesFromZero() async throws {
        let stream = try await R.stream()
        defer { stream.stopAllTracks() }
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(preroll: .seconds(1)))
        try await R.sleep(2.5)
        let log = R.EventLog(recorder.events)
        try recorder.start()
        try recorder.requestData()
        try await R.sleep(0.5)
        try recorder.requestData()
        try await R.sleep(0.5)
        try recorder.stop()
        let events = try await log.wait()
        let timecodes = events.compactMap { event -> Double? in if case .dataavailable(let piece) = event { piece.timecode } else { nil } }
        #expect(timecodes.count == 3 && timecodes.first == 0, "\(timecodes)")
        #expect(zip(timecodes, timecodes.dropFirst()).allSatisfy { $0 <= $1 }, "\(timecodes)")
        // The pieces concatenated play, pre-roll first.
        let decoded = try await R.decode(R.EventLog.bytes(of: events))
        #expect(decoded.failure == nil && decoded.duration >= 1.9, "duration \(decoded.duration) s")
    }

    @Test("A pre-roll made before the track's size changed is not used: the recording starts fresh at the new size")
    func settingsChanged() async throws {
        let stream = try await R.stream()
        defer { stream.stopAllTracks() }
        let track = try #require(stream.getVideoTracks().first)
        let recorder = try MediaRecorder(stream, options: MediaRecorderOptions(preroll: .seconds(1)))
        try await R.sleep(1.5)
        try await within(10, "applyConstraints") {
            try await track.applyConstraints(MediaTrackConstraints(width: .exact(320), height: .exact(240)))
        }
        let log = R.EventLog(recorder.events)
        try recorder.start()
        try await R.sleep(1)
        try recorder.stop()
        let decoded = try await R.decode(R.EventLog.bytes(of: try await log.wait()))
        #expect(decoded.failure == nil)
        #expect(decoded.width == 320 && decoded.height == 240, "\(decoded.width)x\(decoded.height)")
        #expect(decoded.duration >= 0.8 && decoded.duration <= 1.1, "duration \(decoded.duration) s")
    }

    @Test("A pre-roll that is not positive is a TypeError; one beyond 10 minutes, or whose ring could pass 1 GiB, a NotSupportedError")
    func refusedValues() async throws {
        let stream = try await R.stream()
        defer { stream.stopAllTracks() }
        for (preroll, bits, name) in [
            (Duration.zero, UInt32?.none, DOMException.Name.typeError), (.seconds(-1), nil, .typeError), (.seconds(601), nil, .notSupportedError),
            (.seconds(600), 200_000_000, .notSupportedError),  // a ring of up to 28 GiB
        ] {
            do {
                _ = try MediaRecorder(stream, options: MediaRecorderOptions(videoBitsPerSecond: bits, preroll: preroll))
                Issue.record("a preroll of \(preroll) was accepted")
            } catch {
                #expect(error.name == name, "\(preroll): \(error.message)")
            }
        }
    }
}
