import GStreamerWrapper
import Synchronization

/// Hands the frames of one appsink to async waiters and streams.
///
/// The appsink callback (a GStreamer streaming thread) stores the newest frame and takes the waiters
/// under the lock; they are resumed after it is released. Every waiter is resumed exactly once: by a
/// frame, by ``fail(_:)``, by its deadline, or by task cancellation, whichever comes first.
final class FrameHub: Sendable {
    /// A delivered frame and its position in the stream.
    struct Frame: Sendable {
        let sample: Sample
        let sequence: UInt64
    }

    enum Failure: Error, Sendable, Equatable {
        case ended
        case timedOut
        case cancelled
    }

    private typealias Waiter = CheckedContinuation<Result<Frame, Failure>, Never>

    private struct State {
        var latest: Frame?
        var sequence: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Waits that were created but not registered yet; a deadline or cancellation that comes first
        /// leaves its failure in `doomed` for the registration to find.
        var inFlight: Set<UInt64> = []
        var doomed: [UInt64: Failure] = [:]
        var streams: [UInt64: AsyncStream<Frame>.Continuation] = [:]
        var ended = false
        var nextID: UInt64 = 0
        /// The demand last reported to `onDemand`.
        var reportedDemand = false

        /// Someone wants frames: a waiter (registered or about to be) or a stream.
        var demand: Bool { !ended && (!inFlight.isEmpty || !streams.isEmpty) }
    }

    private let state = Mutex(State())
    /// Told when the demand for frames starts and stops (the branch's gate follows it).
    private let onDemand = Mutex<(@Sendable (Bool) -> Void)?>(nil)

    func observeDemand(_ handler: @escaping @Sendable (Bool) -> Void) { onDemand.withLock { $0 = handler } }

    /// Reports a change of demand, outside the state lock.
    private func reportDemand() {
        let change = state.withLock { state -> Bool? in
            guard state.demand != state.reportedDemand else { return nil }
            state.reportedDemand = state.demand
            return state.demand
        }
        if let change, let handler = onDemand.withLock({ $0 }) { handler(change) }
    }

    /// Called on the streaming thread for every sample.
    func deliver(_ sample: Sample) {
        let (frame, waiters, streams) = state.withLock { state in
            state.sequence += 1
            let frame = Frame(sample: sample, sequence: state.sequence)
            state.latest = frame
            let waiters = state.waiters
            state.waiters.removeAll()
            state.inFlight.subtract(waiters.keys)
            return (frame, waiters, Array(state.streams.values))
        }
        for waiter in waiters.values { waiter.resume(returning: .success(frame)) }
        for stream in streams { stream.yield(frame) }
        if !waiters.isEmpty { reportDemand() }
    }

    /// Fails every present and future waiter and finishes the streams (the track or its source ended).
    func end() {
        let (waiters, streams) = state.withLock { state in
            state.ended = true
            state.latest = nil  // release the frame's memory (maybe a camera buffer) at once
            let taken = (state.waiters, state.streams)
            state.waiters.removeAll()
            state.streams.removeAll()
            state.inFlight.removeAll()
            state.doomed.removeAll()
            return taken
        }
        for waiter in waiters.values { waiter.resume(returning: .failure(.ended)) }
        for stream in streams.values { stream.finish() }
        reportDemand()
    }

    /// Drops the held frame, so the next wait gets a frame delivered after this call.
    func forgetLatest() {
        let dropped = state.withLock { state in
            defer { state.latest = nil }
            return state.latest
        }
        _ = dropped  // released outside the lock
    }

    /// The newest frame, if any.
    var latest: Frame? { state.withLock { $0.latest } }

    /// The newest frame when its sequence is above `sequence`, else the next frame to arrive,
    /// waiting at most `timeout`.
    func frame(after sequence: UInt64, timeout: Duration) async throws(Failure) -> Frame {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.inFlight.insert(state.nextID)
            return state.nextID
        }
        reportDemand()
        defer { reportDemand() }
        let deadline = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self?.resume(id, failing: .timedOut) }
        }
        defer { deadline.cancel() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter) in register(id, after: sequence, waiter) }
        } onCancel: {
            resume(id, failing: .cancelled)
        }
        return try result.get()
    }

    private func register(_ id: UInt64, after sequence: UInt64, _ waiter: Waiter) {
        let immediate: Result<Frame, Failure>? = state.withLock { state in
            if state.ended { return .failure(.ended) }
            if let failure = state.doomed.removeValue(forKey: id) { return .failure(failure) }
            if let latest = state.latest, latest.sequence > sequence {
                state.inFlight.remove(id)
                return .success(latest)
            }
            state.waiters[id] = waiter
            return nil
        }
        if let immediate { waiter.resume(returning: immediate) }
    }

    private func resume(_ id: UInt64, failing failure: Failure) {
        let waiter: Waiter? = state.withLock { state in
            guard state.inFlight.remove(id) != nil else { return nil }  // already resumed
            guard let waiter = state.waiters.removeValue(forKey: id) else {
                state.doomed[id] = failure  // not registered yet
                return nil
            }
            return waiter
        }
        waiter?.resume(returning: .failure(failure))
    }

    /// Every frame from now on; a slow consumer gets the newest (older ones are dropped).
    /// Finishes when the hub ends.
    func frames() -> AsyncStream<Frame> {
        let (stream, continuation) = AsyncStream.makeStream(of: Frame.self, bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard !state.ended else { return nil }
            state.nextID += 1
            state.streams[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.streams.removeValue(forKey: id) }
            self?.reportDemand()
        }
        reportDemand()
        return stream
    }

    /// How many waits are pending (for tests: nothing may be left behind).
    var pendingCount: Int { state.withLock { $0.waiters.count + $0.inFlight.count } }
}
