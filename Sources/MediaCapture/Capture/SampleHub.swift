internal import GStreamerWrapper
import Locking

/// Hands the samples of one appsink (a track's RGBA frames, or the photo branch's JPEGs) to async
/// waiters and streams, and keeps the branch's gate open exactly while someone wants them.
///
/// The appsink callback (a GStreamer streaming thread) stores the newest sample and takes the waiters
/// under the lock; they are resumed after it is released. Every waiter is resumed exactly once: by a
/// sample, by ``end()``, by its deadline, or by task cancellation, whichever comes first.
///
/// The gate (a valve before the branch) is decided and set under the same lock as the demand it
/// follows, so concurrent waits and a pending close can never leave it closed while a waiter waits,
/// or open while nobody does.
final class SampleHub: Sendable {
    /// A delivered sample and its position in the stream.
    struct Delivery: Sendable {
        let sample: Sample
        let sequence: UInt64
    }

    enum Failure: Error, Sendable, Equatable {
        case ended
        case timedOut
        case cancelled
        /// No frame at all reached the branch for the stall bound (a photo's wait only).
        case stalled
    }

    /// What lets samples reach the hub: set under the hub's lock (it must not call back into the hub).
    struct Gate: Sendable {
        /// Opens (true) or closes the gate.
        let set: @Sendable (_ open: Bool) -> Void
        /// How long the gate stays open after the last demand (a grab loop keeps frames coming).
        let linger: Duration
    }

    private typealias Waiter = CheckedContinuation<Result<Delivery, Failure>, Never>

    private struct State {
        var latest: Delivery?
        var sequence: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Waits that were created but not registered yet; a deadline or cancellation that comes first
        /// leaves its failure in `doomed` for the registration to find.
        var inFlight: Set<UInt64> = []
        var doomed: [UInt64: Failure] = [:]
        var streams: [UInt64: AsyncStream<Delivery>.Continuation] = [:]
        var ended = false
        var nextID: UInt64 = 0
        var gateOpen: Bool
        /// The demand the gate last followed, and when it last ended.
        var gateDemand = false
        var demandEnded: ContinuousClock.Instant = .now
        /// Whether a close is pending: at most one timer, however many grabs end (a grab loop
        /// would otherwise leave one sleeping task per grab).
        var closePending = false

        /// Someone wants samples: a waiter (registered or about to be) or a stream.
        var demand: Bool { !ended && (!inFlight.isEmpty || !streams.isEmpty) }
    }

    private let state: Locked<State>
    private let gate: Gate?

    /// - Parameter gate: the branch's gate and whether it starts open (nil: always open).
    init(gate: Gate? = nil, gateOpen: Bool = true) {
        self.gate = gate
        state = Locked(State(gateOpen: gateOpen))
        gate?.set(gateOpen)
    }

    /// Follows the demand, under the lock: opens at once when it starts, closes `linger` after it stops.
    private func followDemand(_ state: inout State) {
        guard let gate, state.demand != state.gateDemand else { return }
        state.gateDemand = state.demand
        if state.demand {
            if !state.gateOpen {
                state.gateOpen = true
                gate.set(true)
            }
        } else {
            state.demandEnded = .now
            if state.gateOpen && !state.closePending { scheduleClose(&state, after: gate.linger) }
        }
    }

    private func scheduleClose(_ state: inout State, after delay: Duration) {
        state.closePending = true
        // Holds nothing but the hub, weakly: a pending close keeps no element alive.
        Deadlines.shared.schedule(after: delay) { [weak self] in self?.closeGateIfIdle() }
    }

    /// Closes the gate when nobody has wanted frames for `linger`; otherwise waits out the rest.
    private func closeGateIfIdle() {
        let stale = state.withLock { state -> Delivery? in
            state.closePending = false
            guard let gate, state.gateOpen, !state.demand else { return nil }
            let idle = ContinuousClock.now - state.demandEnded
            guard idle >= gate.linger else {
                scheduleClose(&state, after: gate.linger - idle)
                return nil
            }
            state.gateOpen = false
            gate.set(false)
            defer { state.latest = nil }  // it would be stale by the time anyone asks
            return state.latest
        }
        _ = stale  // released outside the lock
    }

    /// Whether the gate is open now, as the hub decided it (for tests).
    var isGateOpen: Bool { state.withLock { $0.gateOpen } }

    /// Called on the streaming thread for every sample.
    func deliver(_ sample: Sample) {
        let taken = state.withLock { state -> (Delivery, [UInt64: Waiter], [AsyncStream<Delivery>.Continuation], Delivery?)? in
            // Frames still between the valve and the sink when it closed: stale, and nobody wants them.
            guard gate == nil || state.gateOpen else { return nil }
            state.sequence += 1
            let delivery = Delivery(sample: sample, sequence: state.sequence)
            let replaced = state.latest
            state.latest = delivery
            let waiters = state.waiters
            state.waiters.removeAll()
            state.inFlight.subtract(waiters.keys)
            followDemand(&state)
            return (delivery, waiters, Array(state.streams.values), replaced)
        }
        guard let (delivery, waiters, streams, replaced) = taken else { return }
        _ = replaced  // the previous sample is released outside the lock
        for waiter in waiters.values { waiter.resume(returning: .success(delivery)) }
        for stream in streams { stream.yield(delivery) }
    }

    /// Fails every present and future waiter and finishes the streams (the track or its source ended).
    func end() {
        let (waiters, streams, latest) = state.withLock { state in
            state.ended = true
            let taken = (state.waiters, state.streams, state.latest)
            state.latest = nil  // release the sample's memory (maybe a camera buffer) at once
            state.waiters.removeAll()
            state.streams.removeAll()
            state.inFlight.removeAll()
            state.doomed.removeAll()
            followDemand(&state)
            return taken
        }
        _ = latest
        for waiter in waiters.values { waiter.resume(returning: .failure(.ended)) }
        for stream in streams.values { stream.finish() }
    }

    /// Drops the held sample, so the next wait gets one delivered after this call.
    func forgetLatest() {
        let dropped = state.withLock { state in
            defer { state.latest = nil }
            return state.latest
        }
        _ = dropped  // released outside the lock
    }

    /// The newest sample, if any.
    var latest: Delivery? { state.withLock { $0.latest } }

    /// The newest sample when its sequence is above `sequence`, else the next to arrive, waiting at
    /// most `timeout`.
    func sample(after sequence: UInt64, timeout: Duration) async throws(Failure) -> Delivery {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.inFlight.insert(state.nextID)
            followDemand(&state)
            return state.nextID
        }
        let deadline = Deadlines.shared.schedule(after: timeout) { [weak self] in self?.resume(id, failing: .timedOut) }
        defer { Deadlines.shared.cancel(deadline) }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter) in register(id, after: sequence, waiter) }
        } onCancel: {
            resume(id, failing: .cancelled)
        }
        return try result.get()
    }

    private func register(_ id: UInt64, after sequence: UInt64, _ waiter: Waiter) {
        let immediate: Result<Delivery, Failure>? = state.withLock { state in
            let immediate: Result<Delivery, Failure>?
            if state.ended {
                immediate = .failure(.ended)
            } else if let failure = state.doomed.removeValue(forKey: id) {
                immediate = .failure(failure)
            } else if let latest = state.latest, latest.sequence > sequence {
                immediate = .success(latest)
            } else {
                state.waiters[id] = waiter
                return nil
            }
            state.inFlight.remove(id)  // settled here: nothing of this wait may stay behind
            followDemand(&state)
            return immediate
        }
        if let immediate { waiter.resume(returning: immediate) }
    }

    private func resume(_ id: UInt64, failing failure: Failure) {
        let waiter: Waiter? = state.withLock { state in
            guard state.inFlight.remove(id) != nil else { return nil }  // already resumed
            defer { followDemand(&state) }
            guard let waiter = state.waiters.removeValue(forKey: id) else {
                state.doomed[id] = failure  // not registered yet
                return nil
            }
            return waiter
        }
        waiter?.resume(returning: .failure(failure))
    }

    /// Every sample from now on; a slow consumer gets the newest (older ones are dropped).
    /// Finishes when the hub ends.
    func samples() -> AsyncStream<Delivery> {
        let (stream, continuation) = AsyncStream.makeStream(of: Delivery.self, bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard !state.ended else { return nil }
            state.nextID += 1
            state.streams[state.nextID] = continuation
            followDemand(&state)
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.streams.removeValue(forKey: id)
                self?.followDemand(&state)
            }
        }
        return stream
    }

    /// How many waits are pending (for tests: nothing may be left behind).
    var pendingCount: Int { state.withLock { $0.waiters.count + $0.inFlight.count + $0.doomed.count } }
}
