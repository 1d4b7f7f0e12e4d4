internal import GStreamerWrapper
import Locking

/// A result that several callers await: each waiter is resumed exactly once, by ``complete(_:)``,
/// or alone by its task's cancellation (`AbortError`) or its own deadline, whichever comes first.
final class SharedResult<Value: Sendable>: Sendable {
    /// Resumed with nil when its own deadline passed.
    private typealias Waiter = CheckedContinuation<Result<Value, DOMException>?, Never>

    private struct State {
        var result: Result<Value, DOMException>?
        var waiters: [UInt64: Waiter] = [:]
        var inFlight: Set<UInt64> = []
        var doomed: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    /// A place among the waiters, taken before waiting so that the result counts as awaited from then on.
    struct Ticket: Sendable {
        fileprivate let id: UInt64
    }

    func reserve() -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.inFlight.insert(state.nextID)
            return Ticket(id: state.nextID)
        }
    }

    /// Waits for the result. Cancelling the task throws `AbortError` for this waiter only.
    func value(_ ticket: Ticket? = nil) async throws(DOMException) -> Value {
        // Without a deadline the wait never returns nil.
        try await value(ticket, timeout: nil)!
    }

    /// Waits for the result, at most `timeout` (nil: no deadline); nil when the deadline passed first,
    /// for this waiter alone (the result is still completed for the others).
    func value(_ ticket: Ticket? = nil, timeout: Duration?) async throws(DOMException) -> Value? {
        let id = (ticket ?? reserve()).id
        let deadline = Locked<Deadlines.Token?>(nil)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter) in
                let immediate: Result<Value, DOMException>? = state.withLock { state in
                    if let result = state.result { return result }
                    if state.doomed.remove(id) != nil { return .failure(DOMException.aborted) }
                    state.waiters[id] = waiter
                    return nil
                }
                if let immediate { return waiter.resume(returning: immediate) }
                guard let timeout else { return }
                let token = Deadlines.shared.schedule(after: timeout) { [self] in
                    self.take(id)?.resume(returning: nil)
                }
                deadline.withLock { $0 = token }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard state.inFlight.remove(id) != nil else { return nil }
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.doomed.insert(id)
                    return nil
                }
                return waiter
            }
            waiter?.resume(returning: .failure(DOMException.aborted))
        }
        if let token = deadline.withLock({ $0 }) { Deadlines.shared.cancel(token) }
        return try result?.get()
    }

    /// Removes one waiter that is still waiting, for whoever resumes it alone.
    private func take(_ id: UInt64) -> Waiter? {
        state.withLock { state in
            guard let waiter = state.waiters.removeValue(forKey: id) else { return nil }
            state.inFlight.remove(id)
            return waiter
        }
    }

    /// Settles every waiter, present and future. Only the first call counts.
    func complete(_ result: Result<Value, DOMException>) {
        let waiters = state.withLock { state -> [Waiter] in
            guard state.result == nil else { return [] }
            state.result = result
            defer {
                state.waiters.removeAll()
                state.inFlight.removeAll()
            }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// Whether anyone still waits (or is about to): a job nobody waits for can be skipped.
    var isAwaited: Bool { state.withLock { !$0.inFlight.isEmpty } }
}
