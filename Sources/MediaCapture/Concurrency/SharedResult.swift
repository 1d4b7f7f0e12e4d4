// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// A result that several callers await: each waiter is resumed exactly once, by ``complete(_:)``,
/// or alone by its task's cancellation (the `cancelled` failure) or its own deadline, whichever
/// comes first.
final class SharedResult<Value: Sendable, Failure: Error>: Sendable {
    private struct State {
        var result: Result<Value, Failure>?
        /// The waits, from their reservation until their wait returns (one ``value(_:timeout:)`` per
        /// ticket); one that its deadline or cancellation settled stays until its task resumes.
        var waiters: [UInt64: Waiter<Result<Value, Failure>>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())
    /// What a waiter whose task is cancelled gets.
    private let cancelled: Failure

    init(cancelled: Failure) { self.cancelled = cancelled }

    /// A place among the waiters, taken before waiting so that the result counts as awaited from then on.
    struct Ticket: Sendable {
        fileprivate let id: UInt64
    }

    func reserve() -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.waiters[state.nextID] = Waiter()
            return Ticket(id: state.nextID)
        }
    }

    /// Waits for the result. Cancelling the task throws the `cancelled` failure for this waiter only.
    func value(_ ticket: Ticket? = nil) async throws(Failure) -> Value {
        // Without a deadline the wait never returns nil.
        try await value(ticket, timeout: nil)!
    }

    /// Waits for the result, at most `timeout` (nil: no deadline); nil when the deadline passed first,
    /// for this waiter alone (the result is still completed for the others).
    func value(_ ticket: Ticket? = nil, timeout: Duration?) async throws(Failure) -> Value? {
        let id = (ticket ?? reserve()).id
        let found = state.withLock { state -> Found in
            if let result = state.result {
                state.waiters[id] = nil
                return .result(result)
            }
            // A ticket is settled only by completion (which sets the result) or by its own wait.
            let waiter = state.waiters[id] ?? Waiter()
            state.waiters[id] = waiter
            return .waiter(waiter)
        }
        switch found {
        case .result(let result): return try result.get()
        case .waiter(let waiter):
            let outcome = await waiter.wait(timeout: timeout, cancelled: .failure(cancelled))
            state.withLock { _ = $0.waiters.removeValue(forKey: id) }
            return try outcome?.get()
        }
    }

    private enum Found {
        case result(Result<Value, Failure>)
        case waiter(Waiter<Result<Value, Failure>>)
    }

    /// Settles every waiter, present and future. Only the first call counts.
    func complete(_ result: Result<Value, Failure>) {
        let waiters = state.withLock { state -> [Waiter<Result<Value, Failure>>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(result) }
    }

    /// Whether anyone still waits (or is about to): a job nobody waits for can be skipped.
    var isAwaited: Bool { state.withLock { $0.waiters.values.contains { !$0.isSettled } } }
}
