// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import TestSupport
import Testing

/// Frames and photos that know when and how they were taken (capture time, timestamp, frame number,
/// settings in force), and the track's frame counters.
@Suite("Frame metadata and track stats", .timeLimit(.minutes(1)))
struct FrameMetadataTests {
    /// Up to `count` frames of `track`'s stream, each with the instant it was received.
    static func frames(_ track: MediaStreamTrack, _ count: Int) async throws -> [(ImageBitmap, ContinuousClock.Instant)] {
        try await within(15, "\(count) frames") {
            var frames: [(ImageBitmap, ContinuousClock.Instant)] = []
            for await frame in track.frames() {
                frames.append((frame, .now))
                if frames.count == count { break }
            }
            return frames
        }
    }

    static let interval = Duration.milliseconds(1000) / 30

    /// How far apart two durations are.
    static func distance(_ lhs: Duration, _ rhs: Duration) -> Duration { lhs > rhs ? lhs - rhs : rhs - lhs }

    /// The difference of two frame numbers (negative when they go down), without trapping.
    static func step(_ earlier: ImageBitmap, _ later: ImageBitmap) -> Int64 {
        Int64(truncatingIfNeeded: (later.metadata.frameNumber ?? 0) &- (earlier.metadata.frameNumber ?? 0))
    }

    @Test("Frames carry capture times about one frame interval apart, before they were received, with consecutive numbers and matching timestamps")
    func captureTimesAndNumbers() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let frames = try await Self.frames(track, 20)
        #expect(frames.count == 20)
        var consecutive = 0
        for ((earlier, _), (later, received)) in zip(frames, frames.dropFirst()) {
            let (before, after) = (try #require(earlier.metadata.captureTime), try #require(later.metadata.captureTime))
            let numbers = Self.step(earlier, later)
            #expect(numbers >= 1, "frame numbers go up: \(numbers)")
            guard numbers >= 1 else { continue }
            if numbers == 1 { consecutive += 1 }
            // A frame skipped by a slow consumer is a gap of its own interval.
            #expect(Self.distance(after - before, Self.interval * Int(numbers)) < .milliseconds(15), "\(after - before) for \(numbers) frame(s)")
            #expect(Self.distance(later.timestamp - earlier.timestamp, after - before) < .milliseconds(2), "timestamps follow capture times")
            #expect(after <= received, "captured \(after - received) after it was received")
            #expect(received - after < .milliseconds(500), "captured \(received - after) before it was received")
        }
        #expect(consecutive >= 10, "\(consecutive) of 19 steps were to the next frame")
        // A grab: captured before the call returns; a photo: its frame too, with a number.
        let capture = try ImageCapture(track)
        let grabbed = try await within(5) { try await capture.grabFrame() }
        let returned = ContinuousClock.now
        #expect(try #require(grabbed.metadata.captureTime) <= returned)
        #expect(grabbed.metadata.settings?.width == 640 && grabbed.metadata.settings?.deviceId == track.getSettings().deviceId)
        let called = ContinuousClock.now
        let photo = try await within(10) { try await capture.takePhoto() }
        let photoTaken = try #require(photo.metadata?.captureTime)
        #expect(photoTaken <= ContinuousClock.now && photoTaken > called - .milliseconds(100), "a frame from after the call")
        #expect(photo.metadata?.frameNumber != nil && photo.metadata?.settings?.width == 640)
    }

    @Test("Frames a camera lost show as a gap in frame numbers and capture times, and not in the track's counters")
    func lostFramesShowAsAGap() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.dropFrames(after: 60, count: 6)])))
        defer { track.stop() }
        // Frames until well past the gap (frame numbers 60...65 never come).
        let frames = try await within(15, "frames past the gap") {
            var frames: [ImageBitmap] = []
            for await frame in track.frames() {
                frames.append(frame)
                if (frame.metadata.frameNumber ?? 0) > 80 { break }
            }
            return frames
        }
        let gaps = zip(frames, frames.dropFirst()).map { (Self.step($0, $1), ($1.metadata.captureTime ?? .now) - ($0.metadata.captureTime ?? .now)) }
        // The lost frames make one step of at least 7 (more when the consumer also missed one).
        let gap = try #require(gaps.first { $0.0 >= 7 }, "no gap of 6 lost frames in \(gaps.map(\.0))")
        #expect(Self.distance(gap.1, Self.interval * Int(gap.0)) < .milliseconds(15), "\(gap.1) for \(gap.0) frames")
        // The 6 frames never reached the track: its counters trail the source's numbers by them.
        let stats = track.stats
        let later = try await within(5) { try await ImageCapture(track).grabFrame() }
        let number = try #require(later.metadata.frameNumber)
        #expect(stats.totalFrames + 6 <= number + 1, "\(stats) by frame \(number)")
        #expect(stats.totalFrames + 6 + 10 >= number, "\(stats) by frame \(number): frames missing from the counters")
    }

    @Test(
        "Track stats: delivered counts with no one consuming; a 10 fps track of a 30 fps camera discards two frames in three; frozen while disabled; a clone starts at zero"
    )
    func stats() async throws {
        let devices = fakeDevices()
        let track = try await openVideo(devices)
        defer { track.stop() }
        let slow = try await openVideo(devices, MediaTrackConstraints(frameRate: .exact(10), resizeMode: .exact("crop-and-scale")))
        defer { slow.stop() }
        #expect(slow.getSettings().frameRate == 10)
        let clock = ContinuousClock()
        let (start, slowStart, began) = (track.stats, slow.stats, clock.now)
        try await Task.sleep(for: .seconds(1))
        let (full, decimated, elapsed) = (track.stats, slow.stats, clock.now - began)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Nobody grabs: the counters go on anyway (about 30 a second).
        let fullDelivered = Double(full.deliveredFrames - start.deliveredFrames)
        #expect(fullDelivered >= seconds * 30 * 0.6 && fullDelivered <= seconds * 30 + 3 && full.discardedFrames == 0, "\(full) in \(elapsed)")
        let delivered = Double(decimated.deliveredFrames - slowStart.deliveredFrames)
        let discarded = Double(decimated.discardedFrames - slowStart.discardedFrames)
        #expect(delivered >= seconds * 10 * 0.6 && delivered <= seconds * 10 + 2, "\(decimated) in \(elapsed)")
        #expect(discarded >= 1.5 * delivered - 3 && discarded <= 2.5 * delivered + 3, "\(decimated) in \(elapsed)")
        #expect(decimated.totalFrames == decimated.deliveredFrames + decimated.discardedFrames)
        // The original track's counters do not see the slow track's decimation.
        #expect(track.stats.discardedFrames == 0)
        track.enabled = false
        let frozen = track.stats
        try await Task.sleep(for: .milliseconds(300))
        #expect(track.stats == frozen, "the counters moved while disabled")
        track.enabled = true
        try await Task.sleep(for: .milliseconds(300))
        #expect(track.stats.deliveredFrames > frozen.deliveredFrames, "re-enabling resumes without resetting")
        let clone = track.clone()
        defer { clone.stop() }
        #expect(clone.stats.totalFrames < 5, "a clone starts from zero: \(clone.stats)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(clone.stats.deliveredFrames >= 3 && clone.stats.deliveredFrames < track.stats.deliveredFrames)
        // An audio track has no frames to count.
        let microphone = try await within(10) { try await fakeDevices(microphone: true).getUserMedia(MediaStreamConstraints(audio: true)) }
        let audio = try #require(microphone.getAudioTracks().first)
        defer { audio.stop() }
        #expect(audio.stats == MediaStreamTrackVideoStats())
    }

    @Test("After applyConstraints, frames captured before the write carry the old value, and every frame captured after it returned the new one")
    func settingsInForce() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let old = try #require(track.getSettings().brightness)
        try await Self.expectSettingsFollow(track, brightness: old == 7 ? 3.0 : 7.0)
    }

    /// Writes `brightness` while reading frames: those captured before the write carry the old value,
    /// those captured after it returned the new one, and some do.
    static func expectSettingsFollow(_ track: MediaStreamTrack, brightness new: Double, frameCount: Int = 45) async throws {
        let old = track.getSettings().brightness
        let (first, signal) = AsyncStream.makeStream(of: Void.self)
        let frames = Task {
            try await within(15, "frames") {
                var frames: [ImageBitmap] = []
                for await frame in track.frames() {
                    if frames.isEmpty { signal.yield() }
                    frames.append(frame)
                    if frames.count == frameCount { break }
                }
                return frames
            }
        }
        try await within(5, "the first frame") { for await _ in first { return } }
        let written = ContinuousClock.now
        try await within(5) { try await track.applyConstraints(MediaTrackConstraints(brightness: .exact(new))) }
        let returned = ContinuousClock.now
        let seen = try await frames.value
        #expect(seen.first?.metadata.settings?.brightness == old, "the first frame came before the write")
        for frame in seen {
            let captured = try #require(frame.metadata.captureTime)
            let brightness = frame.metadata.settings?.brightness
            if captured < written { #expect(brightness == old, "captured before the write, it carries \(brightness as Any)") }
            if captured > returned { #expect(brightness == new, "captured after the write returned, it carries \(brightness as Any)") }
        }
        #expect(seen.contains { $0.metadata.settings?.brightness == new })
    }

    @Test("A frame's control changes, kept when it was taken, answer as they did then, after more changes than the record keeps")
    func controlChangesKeptByAFrame() throws {
        let start = ContinuousClock.now
        func at(_ milliseconds: Int) -> Moment { Moment(start + .milliseconds(milliseconds)) }
        // What frames and the record keep instead of an instant: the same instant exactly.
        for instant in [start, start - .seconds(86_400 * 365), start + .nanoseconds(1) / 1000] {
            #expect(Moment(instant).instant == instant)
        }
        func values(_ brightness: Double) -> SettingsSnapshot { SettingsSnapshot(MediaTrackSettings(brightness: brightness)) }
        var record = ControlChanges()
        for index in 0..<3 { record.append(values(Double(index)), landed: at(index * 10)) }
        let kept = record  // what a frame taken now keeps
        for index in 3..<(3 + ControlChanges.kept) { record.append(values(Double(index)), landed: at(index * 10)) }
        // The frame's copy: unchanged by the later changes, never trimmed.
        #expect(kept.values(at: at(15))?.settings.brightness == 1)
        #expect(kept.values(at: at(-5))?.settings.brightness == 0, "before every change, untrimmed: the first")
        #expect(kept.values(at: nil)?.settings.brightness == 2, "no capture time: the latest then")
        #expect(kept.values(at: at(1000))?.settings.brightness == 2)
        // The record now: the oldest changes dropped, so a capture older than those kept is unknown.
        #expect(record.changes.count == ControlChanges.kept && record.trimmed)
        #expect(record.values(at: at(15)) == nil)
        #expect(record.values(at: at(35))?.settings.brightness == 3)
        #expect(record.values(at: nil)?.settings.brightness == Double(2 + ControlChanges.kept))
        // What a frame's metadata makes of it: the track's settings with the controls merged in.
        let track = SettingsSnapshot(MediaTrackSettings(width: 640, brightness: 99))
        let merged = FrameSettings(track: track, controls: kept).inForce(at: at(15))
        #expect(merged?.width == 640 && merged?.brightness == 1)
        // The merge is kept for the next frame of the same pair only: another track's settings (a
        // clone of another size, or after a mode change) get their own.
        #expect(FrameSettings(track: track, controls: kept).inForce(at: at(15)) == merged)
        let other = SettingsSnapshot(MediaTrackSettings(width: 320, brightness: 99))
        #expect(FrameSettings(track: other, controls: kept).inForce(at: at(15))?.width == 320)
        #expect(FrameSettings(track: track, controls: kept).inForce(at: at(15))?.width == 640)
        #expect(FrameSettings(track: track, controls: nil).inForce(at: at(15))?.brightness == 99, "a source without controls")
        #expect(FrameSettings(track: track, controls: record).inForce(at: at(15)) == nil)
    }
}
