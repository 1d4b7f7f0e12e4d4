// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// One opening of a network camera. Once it streams, a drop (an error from its source, or the
/// server ending the stream) mutes the tracks and reconnects: a fresh source bin in the old one's
/// place, after a backoff (0.25 s, doubling to 4 s), until frames come back (unmute) or
/// `reconnectFor` is spent (the tracks end). Errors while an attempt runs fail that attempt.
final class NetworkSession: DeviceSession {
    private let pipeline: Pipeline
    private let address: NetworkCameraURL
    private let reconnectFor: Duration

    private struct State {
        var started = false
        var stopped = false
        var reconnecting = false
        /// The running attempt's outcome: true once its first frame passed, false when it failed.
        var attempt: SharedResult<Bool, CaptureFailure>?
        var task: Task<Void, Never>?
    }

    private let state = Locked(State())
    private let lost = CallbackSlot<String>()

    init(pipeline: Pipeline, address: NetworkCameraURL, reconnectFor: Duration) {
        self.pipeline = pipeline
        self.address = address
        self.reconnectFor = reconnectFor
    }

    var controls: (any ControlBackend)? { nil }

    func start(onControlsChanged: @escaping @Sendable () -> Void, onLost: @escaping @Sendable (String) -> Void) async {
        lost.set(onLost)
        watchEndOfStream(of: pipeline.sourceElement)
        state.withLock { $0.started = true }
    }

    func stop() async {
        let task = state.withLock { state in
            state.stopped = true
            state.attempt?.complete(.success(false))
            return state.task
        }
        task?.cancel()
    }

    func recover(from error: GStreamerError?, muted: @escaping @Sendable (Bool) -> Void) -> Bool {
        state.withLock { state in
            guard state.started, !state.stopped else { return false }  // before the first frame: getUserMedia's error
            if state.reconnecting {
                state.attempt?.complete(.success(false))  // the attempt under way failed
                return true
            }
            state.reconnecting = true
            state.task = Task { await self.reconnect(muted: muted) }
            return true
        }
    }

    private func reconnect(muted: @escaping @Sendable (Bool) -> Void) async {
        Log.logger.notice("\(address.redacted) stopped streaming; reconnecting for up to \(reconnectFor)")
        muted(true)
        let clock = ContinuousClock(), deadline = clock.now + reconnectFor
        var delay = Duration.milliseconds(250)
        while !state.withLock({ $0.stopped }) {
            let remaining = deadline - clock.now
            guard remaining > .zero else { break }
            try? await Task.sleep(for: min(delay, remaining))
            delay = min(delay * 2, .seconds(4))
            let attempt = SharedResult<Bool, CaptureFailure>(cancelled: .cancelled())
            // Building and starting the source is GStreamer work that may block on the network: on the
            // pipeline's own thread, bounded.
            let started = await pipeline.perform(timeout: .seconds(10)) { self.replaceSource(attempt) } ?? false
            guard started else { continue }
            let wait = max(min(deadline - clock.now, .seconds(10)), .seconds(2))
            if (try? await attempt.value(timeout: wait)) == true {
                let resumed = state.withLock { state -> Bool in
                    state.reconnecting = false
                    state.attempt = nil
                    return !state.stopped
                }
                if resumed {
                    Log.logger.notice("\(address.redacted) streams again")
                    muted(false)
                }
                return
            }
        }
        let stopped = state.withLock { state in
            state.reconnecting = false
            state.attempt = nil
            return state.stopped
        }
        if !stopped {
            Log.logger.notice("\(address.redacted) did not come back within \(reconnectFor); its tracks end")
            lost(
                "\(address.redacted) stopped streaming and did not come back within \(reconnectFor). Open a new track with getUserMedia once the camera is reachable."
            )
        }
    }

    /// On the pipeline's thread: a new source in the old one's place, started; `attempt` completes
    /// with its first frame. The old source is stopped first, so none of its errors reach `attempt`.
    private func replaceSource(_ attempt: SharedResult<Bool, CaptureFailure>) -> Bool {
        guard let bin = try? NetworkCameraBackend.makeSource(address), let output = bin.staticPad("src") else { return false }
        output.addBufferProbe { _ in
            attempt.complete(.success(true))
            return .passAndRemove
        }
        watchEndOfStream(of: bin)
        guard pipeline.replaceSource(with: bin) else { return false }
        let current = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.attempt = attempt
            return true
        }
        return current && bin.syncStateWithParent()
    }

    /// The server ending the stream is a drop too: the end-of-stream is kept from the tracks, and
    /// reported on the bus as the source's error (which comes back here through `recover`).
    private func watchEndOfStream(of source: Element) {
        // The session, not the source, is held: a probe that held its own element would keep it alive.
        source.staticPad("src")?.addEndOfStreamProbe { [weak self] in
            self?.pipeline.sourceElement.postError(
                domain: .resource, code: GStreamerError.ResourceCode.read.rawValue,
                message: "The network camera ended its stream.", debug: "")
        }
    }
}
