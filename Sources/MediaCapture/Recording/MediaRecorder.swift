// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// W3C `MediaRecorder` (MediaStream Recording, https://w3c.github.io/mediacapture-record/): records a
/// stream's video track from the camera the track already holds.
///
/// The recording is one more branch of the track's pipeline (the library's `RecordingBranch`): nothing encodes
/// while the recorder is inactive, and `grabFrame`, `frames()` and `takePhoto` go on meanwhile.
/// Frames keep their capture times (a recording lasts what it recorded, dropped frames included), a
/// paused span is cut out, and a disabled or muted track records black frames. The concatenated
/// ``BlobEvent/data`` of one recording, in order, is a file that plays; WebM and Matroska are written
/// as they go and MP4 in 1 s fragments, so what was gathered before a crash plays too.
///
/// Events come in the spec's order on every subscription of ``events``: `start`; `dataavailable`
/// every `timeslice` (or on ``requestData()``); `pause`/`resume`; at the end `dataavailable` with the
/// rest, then `stop`. A failure fires `error` (`UnknownError`) before those two; a recorded track
/// that ends (stopped, or its camera lost) ends the recording the same way, without `error`.
///
/// ``record(to:segmentDuration:maxFiles:)`` writes files (segments, a ring) instead of Blobs.
///
/// With ``MediaRecorderOptions/preroll``, the recorder encodes from the moment it is made (and again
/// from each recording's end), keeping the last `preroll` of encoded video: a recording started by a
/// trigger begins that much (up to twice that much) before it, at a key frame.
///
/// A stream's first live audio track (a microphone) is recorded as Opus beside the video, unless the
/// type's codecs name video alone. A recording needs a live video track.
public final class MediaRecorder: Sendable {
    public var stream: MediaStream { recorded }
    /// The type in use, with its codecs (`video/webm;codecs=vp8` when none was asked for).
    public var mimeType: String { typeInUse }
    public var videoBitsPerSecond: UInt32 { videoBits }
    /// The audio bit rate asked for (128 kbit/s by default), Opus's when the stream has a microphone.
    public var audioBitsPerSecond: UInt32 { audioBits }
    private let recorded: MediaStream
    private let typeInUse: String
    private let videoBits: UInt32
    private let audioBits: UInt32
    private let format: RecordingFormat
    private let options: MediaRecorderOptions
    /// Whether the stream's microphone is recorded beside its video (Opus).
    private let recordsAudio: Bool

    /// One recording, from `start()` until its branch ended (after `stop()`, while the muxer finishes).
    private struct Run {
        var generation: UInt64
        var branch: RecordingBranch?
        var capturer: Capturer?
        var pending: [UInt8] = []
        /// Where `pending` begins on the recording's timeline.
        var pendingTimecode: Double?
        /// No dataavailable yet: the first piece begins the file, at 0.
        var firstPiece = true
        var timeslice: Duration?
        /// Writing files: no Blobs, no dataavailable.
        var toFiles = false
        var sliceStarted = ContinuousClock.now
        /// Set while a timer will send what is pending when the timeslice is over (a muxer writes a
        /// fragment in several buffers at once, then nothing for a while).
        var sliceTimer: RecordingTimer?
        /// The current timer's number: a timer that fired as it was cancelled finds another number.
        var sliceTimerNumber: UInt64 = 0
    }

    private struct State {
        var recording = RecordingState.inactive
        var run: Run?
        var generation: UInt64 = 0
        var subscribers: [UInt64: AsyncStream<MediaRecorderEvent>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
        /// With a pre-roll: the branch encoding for the next recording, and the generation it will be.
        var preroll: (generation: UInt64, branch: RecordingBranch, capturer: Capturer, track: UInt64)?
    }

    /// Events are fired under this lock, so every subscriber sees them in the order of the changes.
    private let guarded = Locked(State())

    /// The shortest timeslice: a piece per frame or two at most.
    static let minimumTimeslice = Duration.milliseconds(10)
    /// The longest pre-roll.
    static let maximumPreroll = Duration.seconds(600)
    /// The most a pre-roll's ring may hold: twice the pre-roll at the bit rate (see ``prerollProfile(for:)``).
    static let maximumPrerollBytes = 1 << 30

    /// Implements MediaStream Recording §"MediaRecorder constructor".
    /// With `options.preroll`, encoding begins now, on the stream's first live video track (see ``MediaRecorderOptions/preroll``).
    /// - Throws: `NotSupportedError` when `options.mimeType` is not a type ``isTypeSupported(_:)``
    ///   accepts, when both key-frame options are given, or when `options.preroll` is longer than 10
    ///   minutes or its ring could pass 1 GiB; `TypeError` when `options.preroll` is not positive.
    public init(_ stream: MediaStream, options: MediaRecorderOptions = .init()) throws(DOMException) {
        if options.videoKeyFrameIntervalDuration != nil && options.videoKeyFrameIntervalCount != nil {
            throw DOMException(
                .notSupportedError,
                "videoKeyFrameIntervalDuration and videoKeyFrameIntervalCount were both given; give one of them.")
        }
        if let preroll = options.preroll {
            guard preroll > .zero else { throw DOMException(.typeError, "preroll must be positive (it was \(preroll)); leave it nil for none.") }
            guard preroll <= Self.maximumPreroll else {
                throw DOMException(
                    .notSupportedError,
                    "A preroll of \(preroll) is longer than the \(Self.maximumPreroll) kept in memory; record to files with segments instead.")
            }
        }
        let format: RecordingFormat
        if let type = options.mimeType, !type.isEmpty {
            guard let parsed = RecordingFormat(parsing: type), parsed.isAvailable else {
                throw DOMException(
                    .notSupportedError,
                    "\"\(type)\" is not a type this library records here. Ask MediaRecorder.isTypeSupported(_:) first; "
                        + "video/webm (vp8, vp9) and video/x-matroska need gstreamer1.0-plugins-good, video/mp4 (avc1) "
                        + "openh264enc from gstreamer1.0-plugins-bad.")
            }
            format = parsed
        } else {
            format = .preferred
        }
        self.recorded = stream
        self.format = format
        self.options = options
        let settings = stream.getVideoTracks().first?.getSettings()
        let size = settings.flatMap { settings in
            settings.width.flatMap { width in settings.height.map { AspectCrop.Size(width: width, height: $0) } }
        }
        // Audio when the stream has a live audio track, unless the type's codecs name video alone.
        self.recordsAudio = format.audio != false && Self.microphone(of: stream) != nil
        self.typeInUse = format.mimeType(size: size, audio: recordsAudio)
        // A tenth of a bit per pixel: about 2.8 Mbit/s at 720p30, what browsers choose for VP8.
        let pixelsPerSecond = size.map { Double($0.width * $0.height) * (settings?.frameRate ?? 30) }
        let chosen = options.bitsPerSecond ?? options.videoBitsPerSecond ?? pixelsPerSecond.map { UInt32(clamping: Int($0 / 10)) } ?? 2_500_000
        self.videoBits = min(max(chosen, 100_000), 200_000_000)
        self.audioBits = options.audioBitsPerSecond ?? 128_000
        if options.preroll != nil, recordsAudio {
            throw DOMException(
                .notSupportedError,
                "A preroll keeps video only, and this stream has an audio track: record a MediaStream of its video track alone, or ask for video/webm;codecs=vp8 (no audio)."
            )
        }
        if let preroll = options.preroll, Double(videoBits) / 4 * Self.seconds(preroll) > Double(Self.maximumPrerollBytes) {
            throw DOMException(
                .notSupportedError,
                "A preroll of \(preroll) at \(videoBits) bit/s would keep up to \(Int(Double(videoBits) / 4 * Self.seconds(preroll)) >> 20) MiB in memory (1 GiB at most); ask for a shorter preroll or a lower videoBitsPerSecond."
            )
        }
        startPreroll()
    }

    deinit {
        // A recorder dropped while recording lets its branch go (nobody hears its events any more).
        let (run, preroll, subscribers) = guarded.withLock { ($0.run, $0.preroll, Array($0.subscribers.values)) }
        if let branch = run?.branch, let capturer = run?.capturer { capturer.stopRecording(branch) }
        if let preroll { preroll.capturer.stopRecording(preroll.branch) }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// Whether the library can record `mimeType` here: an empty string (the library's choice), or a
    /// video type whose container and codec it knows and whose GStreamer elements are installed:
    /// `video/webm` (`codecs=vp8` or `vp9`), `video/x-matroska` (`vp8`, `vp9`, `avc1`), `video/mp4`
    /// (`avc1`, through `openh264enc`), each with `opus` beside its video codec (`opusenc`).
    /// Implements MediaStream Recording §"isTypeSupported".
    public static func isTypeSupported(_ mimeType: String) -> Bool {
        mimeType.isEmpty || (RecordingFormat(parsing: mimeType)?.isAvailable ?? false)
    }

    public var state: RecordingState { guarded.withLock { $0.recording } }

    /// Every event from now on; finishes after the next `stop` (or when the recorder goes).
    public var events: AsyncStream<MediaRecorderEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: MediaRecorderEvent.self)
        let id = guarded.withLock { state in
            state.nextSubscriber += 1
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in self?.guarded.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
        return stream
    }

    // MARK: - Control

    /// Starts recording the stream's first live video track. Implements MediaStream Recording
    /// §"start()": `start` fires at once; with a `timeslice`, `dataavailable` fires each time at
    /// least that much was gathered (at least 10 ms).
    /// - Throws: `InvalidStateError` when not inactive (or the previous recording is still being
    ///   finished: wait for its `stop`); `NotSupportedError` when the stream is inactive or has no
    ///   live video track.
    public func start(timeslice: Duration? = nil) throws(DOMException) {
        try begin(timeslice: timeslice.map { max($0, Self.minimumTimeslice) }, files: nil)
    }

    /// Beyond the W3C: records straight to files on disk instead of Blobs, with the recorder's type,
    /// bit rate and key frames, from the same camera branch as ``start(timeslice:)``.
    ///
    /// Without `segmentDuration`, one file at `path`, written as the muxer writes (a killed process
    /// loses at most the last MP4 fragment, 1 s). With it, through `splitmuxsink`, a file about every
    /// `segmentDuration` (which holds back one more key-frame interval to decide where to cut),
    /// each cut at the first key frame after it (key frames come every second unless the options say
    /// otherwise) and named from `path` with a 5-digit index before its extension (`clip.webm` →
    /// `clip-00000.webm`, `clip-00001.webm`...); with `maxFiles`, the index wraps at `maxFiles` and
    /// each new file replaces the oldest, so at most that many stay on disk (a dashcam's ring: sort
    /// them by modification time, not name). Every file plays on its own; WebM is written as
    /// it goes and MP4 in 1 s fragments, so even the file being written when the process dies plays.
    ///
    /// Events: `start`, `pause`/`resume`, and `stop` once the last file is closed; no `dataavailable`.
    /// A file that cannot be written (a missing or read-only directory, a full disk) fires `error`
    /// naming it, then `stop`; what was written plays. ``requestData()`` does nothing meanwhile.
    /// - Throws: `InvalidStateError` when not inactive; `NotSupportedError` as ``start(timeslice:)``;
    ///   `TypeError` for an empty path, a `segmentDuration` that is not positive, a `maxFiles` below 1
    ///   or without `segmentDuration`.
    public func record(to path: String, segmentDuration: Duration? = nil, maxFiles: Int? = nil) throws(DOMException) {
        guard !path.isEmpty else { throw DOMException(.typeError, "record(to:) needs a file path.") }
        if let segmentDuration, segmentDuration <= .zero {
            throw DOMException(.typeError, "segmentDuration must be positive (it was \(segmentDuration)).")
        }
        if let maxFiles {
            guard maxFiles >= 1 else { throw DOMException(.typeError, "maxFiles must be at least 1 (it was \(maxFiles)).") }
            guard segmentDuration != nil else {
                throw DOMException(.typeError, "maxFiles keeps that many segments: give segmentDuration too.")
            }
        }
        // splitmuxsink formats the location with the file's index: the path's own `%` are doubled.
        var pattern = path.replacingPercents()
        if segmentDuration != nil {
            let name = pattern.lastIndex(of: "/").map { pattern.index(after: $0) } ?? pattern.startIndex
            if let dot = pattern[name...].lastIndex(of: "."), dot != name {
                pattern.insert(contentsOf: "-%05d", at: dot)
            } else {
                pattern += "-%05d"
            }
        }
        // Clamped: a segment of more than 584 years is one file.
        let nanoseconds = segmentDuration.map(Self.nanoseconds)
        try begin(
            timeslice: nil,
            files: RecordingProfile.Files(path: path, pattern: pattern, segment: nanoseconds ?? 0, maxFiles: UInt32(clamping: maxFiles ?? 0)))
    }

    /// The start of a recording, to Blobs (`files` nil) or files.
    private func begin(timeslice slice: Duration?, files: RecordingProfile.Files?) throws(DOMException) {
        guard let track = stream.getVideoTracks().first(where: { $0.readyState == .live }), let video = track.video else {
            if stream.active {
                throw DOMException(.notSupportedError, "The stream has no live video track; this recorder records video only.")
            }
            throw DOMException(.notSupportedError, "The stream is inactive (every track ended); record a stream with a live track.")
        }
        let current = prerollProfile(for: track)
        typealias Dropped = (branch: RecordingBranch, capturer: Capturer)
        let (generation, prerolled, dropped) = try guarded.withLock { state throws(DOMException) -> (UInt64, RecordingBranch?, Dropped?) in
            guard state.recording == .inactive else {
                throw DOMException(.invalidStateError, "start() was called while the recorder is \(state.recording.rawValue); call stop() first.")
            }
            guard state.run == nil else {
                throw DOMException(
                    .invalidStateError, "The previous recording is still being finished; start again after its stop event.")
            }
            state.recording = .recording
            defer { fire(.start, in: &state) }
            // The pre-rolling branch becomes the recording, its ring first: when it encodes this track
            // as a recording would now (not when the track's size or rate changed since).
            if let preroll = state.preroll, !preroll.branch.isEnded, preroll.track == video.track.id, preroll.branch.profile == current {
                state.preroll = nil
                state.run = Run(
                    generation: preroll.generation, branch: preroll.branch, capturer: preroll.capturer, timeslice: slice, toFiles: files != nil)
                return (preroll.generation, preroll.branch, nil)
            }
            // A pre-roll of another track or other settings goes; the next begins after this recording.
            let dropped = state.preroll.map { Dropped($0.branch, $0.capturer) }
            state.preroll = nil
            state.generation += 1
            state.run = Run(generation: state.generation, timeslice: slice, toFiles: files != nil)
            return (state.generation, nil, dropped)
        }
        if let dropped { dropped.capturer.stopRecording(dropped.branch) }
        if let prerolled {
            video.source.capturer.beginRecording(prerolled, files: files)  // the pre-roll's own track: checked above
            return
        }
        let capturer = video.source.capturer
        var profile = profile(for: track, files: files)
        // The microphone: the first live audio track's, tapped while the recording runs.
        let microphone = recordsAudio ? Self.microphone(of: stream) : nil
        if microphone != nil { profile.audioBitsPerSecond = audioBitsPerSecond }
        let tap = Locked<(source: AudioSource, id: UInt64)?>(nil)
        let branch = startBranch(on: track, profile: profile, generation: generation) {
            if let tapped = tap.withLock({ $0 }) { tapped.source.removeTap(tapped.id) }
        }
        if let branch, let microphone, let source = microphone.audioSource {
            let id = source.addTap { [weak branch, weak microphone] sample, clockTime in
                let silent = microphone.map { !$0.enabled || $0.muted || $0.readyState != .live } ?? true
                branch?.pushAudio(sample, clockTime: clockTime, silence: silent)
            }
            if let id {
                tap.withLock { $0 = (source, id) }
                if branch.isEnded { source.removeTap(id) }  // ended as the tap was added
            }
        }
        guard let branch else {
            ended("The recording could not start: the track ended, or a GStreamer element is missing.", generation: generation)
            return
        }
        let stoppedMeanwhile = guarded.withLock { state -> Bool in
            guard state.run?.generation == generation else { return true }
            state.run?.branch = branch
            state.run?.capturer = capturer
            if state.recording == .paused { branch.setPaused(true) }
            return state.recording == .inactive
        }
        if stoppedMeanwhile { capturer.stopRecording(branch) }
    }

    /// Stops the recording: `dataavailable` with the rest, then `stop`, fire once the muxer finished
    /// (bounded). Implements MediaStream Recording §"stop()": nothing happens when inactive.
    public func stop() throws(DOMException) {
        let run = guarded.withLock { state -> Run? in
            guard state.recording != .inactive else { return nil }
            state.recording = .inactive
            return state.run
        }
        if let branch = run?.branch, let capturer = run?.capturer { capturer.stopRecording(branch) }
    }

    /// Implements MediaStream Recording §"pause()": `pause` fires; frames are not gathered until
    /// ``resume()``, and the paused span is not in the recording.
    /// - Throws: `InvalidStateError` when inactive.
    public func pause() throws(DOMException) {
        try guarded.withLock { state throws(DOMException) in
            guard state.recording != .inactive else {
                throw DOMException(.invalidStateError, "pause() was called on an inactive recorder; call start() first.")
            }
            guard state.recording == .recording else { return }
            state.recording = .paused
            state.run?.branch?.setPaused(true)
            fire(.pause, in: &state)
        }
    }

    /// Implements MediaStream Recording §"resume()": `resume` fires and gathering goes on.
    /// - Throws: `InvalidStateError` when inactive.
    public func resume() throws(DOMException) {
        try guarded.withLock { state throws(DOMException) in
            guard state.recording != .inactive else {
                throw DOMException(.invalidStateError, "resume() was called on an inactive recorder; call start() first.")
            }
            guard state.recording == .paused else { return }
            state.recording = .recording
            state.run?.branch?.setPaused(false)
            fire(.resume, in: &state)
        }
    }

    /// Implements MediaStream Recording §"requestData()": `dataavailable` fires with what was gathered
    /// since the last one, and a new piece begins.
    /// - Throws: `InvalidStateError` when inactive.
    public func requestData() throws(DOMException) {
        try guarded.withLock { state throws(DOMException) in
            guard state.recording != .inactive else {
                throw DOMException(.invalidStateError, "requestData() was called on an inactive recorder; call start() first.")
            }
            if state.run?.toFiles == false { flush(in: &state) }
        }
    }

    // MARK: - Data

    /// The branch's settings: the track's size and rate, the recorder's bit rate and key frames (one a
    /// second unless asked otherwise: a cut file loses at most that much).
    private func profile(for track: MediaStreamTrack, files: RecordingProfile.Files?) -> RecordingProfile {
        let rate = track.frameRate ?? 30
        let interval: UInt32
        if let count = options.videoKeyFrameIntervalCount {
            interval = max(count, 1)
        } else {
            interval = Self.frames(in: options.videoKeyFrameIntervalDuration ?? .seconds(1), rate: rate)
        }
        return RecordingProfile(
            codec: format.codec, container: format.container, bitsPerSecond: videoBitsPerSecond,
            keyFrameInterval: interval, size: track.branch?.frameSize, maximumFrameRate: track.branch?.maximumFrameRate,
            files: files, decodesJPEG: track.branch?.decodes ?? false)
    }

    /// Encoded bytes from the branch's thread: gathered, and sent as `dataavailable` once a timeslice passed.
    private func received(_ bytes: [UInt8], generation: UInt64) {
        guarded.withLock { state in
            guard state.run?.generation == generation else { return }
            if state.run?.pendingTimecode == nil {
                // The newest frame placed: the data came out of the encoder after it, so this is late
                // by the encoder's delay at most.
                let time = state.run?.firstPiece == true ? .zero : state.run?.branch?.progress.time ?? .zero
                state.run?.pendingTimecode = Self.milliseconds(time)
            }
            // Appended in place, with no copy of the run alive: through a copy, every append would copy
            // all that is pending (a 10 s 720p recording without timeslice: about a gigabyte copied).
            state.run?.pending.append(contentsOf: bytes)
            guard let slice = state.run?.timeslice, let started = state.run?.sliceStarted, state.recording == .recording
            else { return }
            let waited = ContinuousClock.now - started
            if waited >= slice {
                flush(in: &state)
            } else if state.run?.sliceTimer == nil {
                state.run?.sliceTimerNumber &+= 1
                let number = state.run?.sliceTimerNumber ?? 0
                state.run?.sliceTimer = RecordingTimer(after: slice - waited) { [weak self] in
                    self?.sliceEnded(generation: generation, timer: number)
                }
            }
        }
    }

    /// A timeslice is over with data pending: it goes out now rather than with the next data.
    private func sliceEnded(generation: UInt64, timer: UInt64) {
        guarded.withLock { state in
            guard let run = state.run, run.generation == generation, run.sliceTimer != nil, run.sliceTimerNumber == timer
            else { return }
            state.run?.sliceTimer = nil
            if state.recording == .recording, !run.pending.isEmpty { flush(in: &state) }
        }
    }

    /// The branch ended (after ``stop()``, its track's end, or a failure): the recording's last events.
    private func ended(_ failure: String?, generation: UInt64) {
        let finished = guarded.withLock { state -> [AsyncStream<MediaRecorderEvent>.Continuation]? in
            if state.preroll?.generation == generation { state.preroll = nil }  // pre-rolled for nothing (its track ended)
            guard state.run?.generation == generation else { return nil }
            state.recording = .inactive
            if let failure { fire(.error(DOMException(.unknownError, "The recording failed: \(failure)")), in: &state) }
            if state.run?.toFiles == false { flush(in: &state) }
            state.run = nil
            fire(.stop, in: &state)
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        guard let finished else { return }
        // Outside the lock: finishing calls the subscription's termination handler, which takes it.
        for subscriber in finished { subscriber.finish() }
        startPreroll()  // for the next recording
    }

    /// With a pre-roll, and none running: a branch that encodes from now on for the next recording
    /// (on the stream's first live video track; none when there is none).
    private func startPreroll() {
        guard options.preroll != nil, let track = stream.getVideoTracks().first(where: { $0.readyState == .live }),
            let video = track.video
        else { return }
        let generation = guarded.withLock { state -> UInt64? in
            guard state.preroll == nil, state.run == nil else { return nil }
            state.generation += 1
            return state.generation
        }
        guard let generation, let profile = prerollProfile(for: track) else { return }
        let capturer = video.source.capturer
        guard let branch = startBranch(on: track, profile: profile, generation: generation) else { return }
        let kept = guarded.withLock { state -> Bool in
            guard state.preroll == nil, state.run == nil, state.generation == generation else { return false }
            state.preroll = (generation, branch, capturer, video.track.id)
            return true
        }
        if !kept { capturer.stopRecording(branch) }
    }

    /// A recording branch of `track`'s camera for recording `generation`: its bytes and its end come
    /// here (after `whenEnded`); a disabled or muted track records black.
    private func startBranch(
        on track: MediaStreamTrack, profile: RecordingProfile, generation: UInt64, whenEnded: @escaping @Sendable () -> Void = {}
    ) -> RecordingBranch? {
        guard let video = track.video else { return nil }
        return video.source.capturer.startRecording(
            track: video.track.id, profile: profile,
            blank: { [weak track] in track.map { !$0.enabled || $0.muted } ?? false },
            output: RecordingBranch.Output(
                data: { [weak self] bytes in self?.received(bytes, generation: generation) },
                ended: { [weak self] failure in
                    whenEnded()
                    self?.ended(failure, generation: generation)
                }))
    }

    /// The profile a pre-roll of `track` encodes with now (nil without a pre-roll): a recording's, with
    /// a key frame at least once per pre-roll, so that the ring lets go of a group of pictures at least
    /// that often (it holds at most twice the pre-roll).
    private func prerollProfile(for track: MediaStreamTrack) -> RecordingProfile? {
        guard let preroll = options.preroll else { return nil }
        var profile = profile(for: track, files: nil)
        profile.preroll = Self.nanoseconds(preroll)
        profile.keyFrameInterval = min(profile.keyFrameInterval, Self.frames(in: preroll, rate: track.frameRate ?? 30))
        return profile
    }

    /// The stream's first live audio track with a microphone behind it.
    private static func microphone(of stream: MediaStream) -> MediaStreamTrack? {
        stream.getAudioTracks().first { $0.readyState == .live && $0.audioSource != nil }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// How many frames `duration` holds at `rate`: in Double, then clamped, so that any duration and
    /// rate give a count from 1 to UInt32.max.
    private static func frames(in duration: Duration, rate: Double) -> UInt32 {
        let frames = (seconds(duration) * rate).rounded()
        return frames.isFinite ? UInt32(max(1, min(frames, Double(UInt32.max)))) : (frames > 0 ? UInt32.max : 1)
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (whole, overflow) = UInt64(clamping: duration.components.seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max : whole.addingReportingOverflow(UInt64(clamping: duration.components.attoseconds / 1_000_000_000)).partialValue
    }

    /// Fires `dataavailable` with what was gathered, and starts a new piece.
    private func flush(in state: inout State) {
        guard var run = state.run else { return }
        let blob = Blob(type: mimeType, bytes: run.pending)
        let timecode = run.pendingTimecode ?? Self.milliseconds(run.branch?.progress.time ?? .zero)
        run.pending = []
        run.pendingTimecode = nil
        run.firstPiece = false
        run.sliceStarted = .now
        run.sliceTimer?.cancel()
        run.sliceTimer = nil
        state.run = run
        fire(.dataavailable(BlobEvent(data: blob, timecode: timecode)), in: &state)
    }

    private func fire(_ event: MediaRecorderEvent, in state: inout State) {
        for subscriber in state.subscribers.values { subscriber.yield(event) }
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

extension String {
    /// With every `%` doubled (a printf pattern that formats to this string).
    fileprivate func replacingPercents() -> String {
        var result = ""
        for character in self {
            if character == "%" { result += "%%" } else { result.append(character) }
        }
        return result
    }
}
