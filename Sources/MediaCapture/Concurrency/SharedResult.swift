import Synchronization

/// A result that several callers await: each waiter is resumed exactly once, by ``complete(_:)``,
/// or alone by its task's cancellation (`AbortError`), whichever comes first.
final class SharedResult<Value: Sendable>: Sendable {
    private typealias Waiter = CheckedContinuation<Result<Value, DOMException>, Never>

    private struct State {
        var result: Result<Value, DOMException>?
        var waiters: [UInt64: Waiter] = [:]
        var inFlight: Set<UInt64> = []
        var doomed: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

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
        let id = (ticket ?? reserve()).id
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter) in
                let immediate: Result<Value, DOMException>? = state.withLock { state in
                    if let result = state.result { return result }
                    if state.doomed.remove(id) != nil { return .failure(DOMException.aborted) }
                    state.waiters[id] = waiter
                    return nil
                }
                if let immediate { waiter.resume(returning: immediate) }
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
        return try result.get()
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
