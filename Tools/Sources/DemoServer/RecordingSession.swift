// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import MediaCapture

/// The page's recording, one at a time: a `MediaRecorder` on a clone of the shared camera's track, so
/// that grabs, photos and the live view go on from the track itself. The camera counts as in use
/// from the start until the recording has ended, so it does not close on its idle timer meanwhile.
///
/// Bounded: a recording stops by itself after ``maximumDuration``, or once it holds ``maximumBytes``
/// (and the rest of that ``timeslice``), so a forgotten one cannot fill memory; it then waits for
/// ``stop()`` until the next ``start(mimeType:)`` replaces it. ``stop()`` answers within ``finishTimeout``.
actor RecordingSession {
    static let maximumDuration = Duration.seconds(60)
    static let maximumBytes = 64 * 1024 * 1024
    /// How long ``stop()`` waits for the muxer to finish the file.
    static let finishTimeout = Duration.seconds(20)
    /// How often the recorder hands over what it gathered (so the size is checked that often).
    static let timeslice = Duration.seconds(1)

    /// Why a recording stopped without being asked to.
    enum Limit: String, Sendable {
        case duration, size
    }

    /// `POST /api/record/start`'s answer.
    struct Started: Encodable, Sendable {
        /// The recorder's type, with its codec (`video/webm;codecs=vp8`).
        var mimeType: String
        /// Seconds.
        var maximumDuration: Int64
        var maximumBytes: Int
    }

    /// A finished recording.
    struct Recording: Sendable {
        var blob: Blob
        var limit: Limit?
    }

    /// What a recording's events left: its bytes, its first error, and whether it filled up.
    private struct Outcome: Sendable {
        var bytes: [UInt8] = []
        var failure: DOMException?
        var filled = false
    }

    private struct Run {
        let number: Int
        let recorder: MediaRecorder
        /// Gathers the recording's data until its `stop` event (nil: cancelled first), then lets the
        /// clone and the camera go.
        let watcher: Task<Outcome?, Never>
        /// Stops the recording at ``maximumDuration``.
        var timer: Task<Void, Never>?
        var expired = false
    }

    private let camera: SharedCamera
    private var run: Run?
    private var starting = false
    private var runs = 0

    init(camera: SharedCamera) { self.camera = camera }

    /// Starts recording `mimeType` (empty: the library's choice) from a clone of the camera's track.
    /// A finished recording nobody fetched is dropped.
    /// - Throws: `InvalidStateError` while a recording runs (or is starting); `NotSupportedError` for
    ///   a type the recorder does not record here; what opening the camera throws.
    func start(mimeType: String) async throws -> Started {
        if starting || run.map({ $0.recorder.state != .inactive }) == true {
            throw DOMException(.invalidStateError, "A recording is already running: stop it first (POST /api/record/stop).")
        }
        guard MediaRecorder.isTypeSupported(mimeType) else {
            throw DOMException(
                .notSupportedError,
                "\"\(mimeType)\" is not a type this server records here (MediaRecorder.isTypeSupported is false); video/webm always is.")
        }
        starting = true
        defer { starting = false }
        discard()
        let track = try await camera.acquire()
        let clone = track.clone()
        let recorder: MediaRecorder
        let events: AsyncStream<MediaRecorderEvent>
        do {
            recorder = try MediaRecorder(MediaStream(tracks: [clone]), options: MediaRecorderOptions(mimeType: mimeType))
            events = recorder.events
            try recorder.start(timeslice: Self.timeslice)
        } catch {
            clone.stop()
            await camera.release()
            throw error
        }
        runs += 1
        let number = runs, camera = self.camera
        let watcher = Task { () -> Outcome? in
            var outcome = Outcome(), stopped = false
            gathering: for await event in events {
                switch event {
                case .dataavailable(let piece):
                    outcome.bytes += piece.data.bytes
                    if outcome.bytes.count >= Self.maximumBytes, !outcome.filled {
                        outcome.filled = true
                        try? recorder.stop()  // it throws nothing; dataavailable with the rest, then stop, follow
                    }
                case .error(let error):
                    outcome.failure = outcome.failure ?? error
                case .stop:
                    stopped = true
                    break gathering
                default:
                    break
                }
            }
            // The recording has ended (or the wait for it was given up): the camera may close again.
            clone.stop()
            await camera.release()
            return stopped ? outcome : nil
        }
        run = Run(number: number, recorder: recorder, watcher: watcher)
        run?.timer = Task { [weak self] in
            try? await Task.sleep(for: Self.maximumDuration)
            await self?.expire(number)
        }
        return Started(
            mimeType: recorder.mimeType, maximumDuration: Self.maximumDuration.components.seconds, maximumBytes: Self.maximumBytes)
    }

    /// Stops the recording (one that stopped itself at a limit is answered as it is) and answers with
    /// it once its muxer has finished, within ``finishTimeout``.
    /// - Throws: `InvalidStateError` when no recording was started since the last stop; the
    ///   recording's error; `UnknownError` when it did not finish in time.
    func stop() async throws -> Recording {
        guard let run else {
            throw DOMException(.invalidStateError, "No recording is running: start one first (POST /api/record/start).")
        }
        self.run = nil
        run.timer?.cancel()
        try? run.recorder.stop()  // it throws nothing, and does nothing when the recording stopped itself
        let watcher = run.watcher, timeout = Self.finishTimeout
        let deadline = Task {
            try? await Task.sleep(for: timeout)
            watcher.cancel()  // the events' iteration ends on cancellation
        }
        defer { deadline.cancel() }
        guard let outcome = await watcher.value else {
            throw DOMException(.unknownError, "The recording did not finish within \(timeout.components.seconds) s; start a new one.")
        }
        if let failure = outcome.failure { throw failure }
        return Recording(
            blob: Blob(type: run.recorder.mimeType, bytes: outcome.bytes),
            limit: outcome.filled ? .size : run.expired ? .duration : nil)
    }

    /// Stops any recording at once, its data dropped (the server is shutting down).
    func close() { discard() }

    private func discard() {
        guard let run else { return }
        self.run = nil
        run.timer?.cancel()
        try? run.recorder.stop()  // it throws nothing
        run.watcher.cancel()
    }

    /// The recording `number` reached ``maximumDuration``.
    private func expire(_ number: Int) {
        guard run?.number == number, run?.recorder.state != .inactive else { return }
        run?.expired = true
        try? run?.recorder.stop()  // it throws nothing
    }
}
