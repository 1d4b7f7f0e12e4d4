// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

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
        /// What a frames branch works out as it delivers a frame (nil for other samples).
        var stamp: FrameStamp?
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

    private typealias SampleWaiter = Waiter<Result<Delivery, Failure>>

    private struct State {
        var latest: Delivery?
        var sequence: UInt64 = 0
        /// The waits, each demand until its wait returns (one a deadline or cancellation settled stays
        /// until its task resumes and removes it).
        var waiters: [UInt64: SampleWaiter] = [:]
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

        /// Someone wants samples: a waiter (until its wait returns) or a stream.
        var demand: Bool { !ended && (!waiters.isEmpty || !streams.isEmpty) }
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
    func deliver(_ sample: Sample, stamp: FrameStamp? = nil) {
        let taken = state.withLock { state -> (Delivery, [UInt64: SampleWaiter], [AsyncStream<Delivery>.Continuation], Delivery?)? in
            // Frames still between the valve and the sink when it closed: stale, and nobody wants them.
            guard gate == nil || state.gateOpen else { return nil }
            state.sequence += 1
            let delivery = Delivery(sample: sample, sequence: state.sequence, stamp: stamp)
            let replaced = state.latest
            state.latest = delivery
            let waiters = state.waiters
            state.waiters.removeAll()
            followDemand(&state)
            return (delivery, waiters, Array(state.streams.values), replaced)
        }
        guard let (delivery, waiters, streams, replaced) = taken else { return }
        _ = replaced  // the previous sample is released outside the lock
        for waiter in waiters.values { waiter.resume(.success(delivery)) }
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
            followDemand(&state)
            return taken
        }
        _ = latest
        for waiter in waiters.values { waiter.resume(.failure(.ended)) }
        for stream in streams.values { stream.finish() }
    }

    /// Drops the held sample, so the next wait gets one delivered after this call.
    /// How many samples were delivered so far (the newest one's sequence number).
    var deliveredCount: UInt64 { state.withLock { $0.sequence } }

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
        if Task.isCancelled { throw .cancelled }  // even with a frame held
        let waiter = SampleWaiter()
        let (id, immediate) = state.withLock { state -> (UInt64, Result<Delivery, Failure>?) in
            state.nextID += 1
            // A wait served at once still counts as demand for a moment: the gate opens, and closes
            // `linger` later, so a grab loop on held frames keeps new ones coming.
            state.waiters[state.nextID] = waiter
            followDemand(&state)
            let immediate: Result<Delivery, Failure>?
            if state.ended {
                immediate = .failure(.ended)
            } else if let latest = state.latest, latest.sequence > sequence {
                immediate = .success(latest)
            } else {
                return (state.nextID, nil)
            }
            state.waiters[state.nextID] = nil
            followDemand(&state)
            return (state.nextID, immediate)
        }
        if let immediate { return try immediate.get() }
        let result = await waiter.wait(timeout: timeout, cancelled: .failure(.cancelled)) ?? .failure(.timedOut)
        state.withLock { state in
            // Gone already when a sample or the end settled it; a deadline or a cancellation did not.
            if state.waiters.removeValue(forKey: id) != nil { followDemand(&state) }
        }
        return try result.get()
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
    var pendingCount: Int { state.withLock { $0.waiters.count } }
}
