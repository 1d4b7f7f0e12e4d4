import Locking

/// A wait that ends exactly once: with the value some work delivers, or with nil at its deadline,
/// whichever comes first. The deadline (a ``Deadlines`` entry) is cancelled as soon as the value wins,
/// and the work is never waited for past the deadline (a task group would wait for it).
package final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T?, Never>?
        var timer: Deadlines.Token?
        var done = false
    }

    private let state = Locked(State())
    private init() {}

    /// Calls `start` with the race, which hands its result to ``resume(_:)`` (from any thread).
    /// - Returns: the value, or nil when `timeout` passed first (then `onExpiry` runs once).
    package static func run(
        timeout: Duration, onExpiry: @escaping @Sendable () -> Void = {}, _ start: (DeadlineRace<T>) -> Void
    ) async -> T? {
        let race = DeadlineRace<T>()
        return await withCheckedContinuation { continuation in
            race.state.withLock { $0.continuation = continuation }
            start(race)
            race.arm(timeout, onExpiry: onExpiry)
        }
    }

    /// Settles the race with `value`, if nothing settled it yet.
    package func resume(_ value: T) {
        take()?.resume(returning: value)
    }

    private func arm(_ timeout: Duration, onExpiry: @escaping @Sendable () -> Void) {
        let timer = Deadlines.shared.schedule(after: timeout) { [weak self] in
            guard let continuation = self?.take() else { return }
            onExpiry()
            continuation.resume(returning: nil)
        }
        let settled = state.withLock { state -> Bool in
            guard !state.done else { return true }
            state.timer = timer
            return false
        }
        if settled { Deadlines.shared.cancel(timer) }  // the work won before the timer was set
    }

    /// The continuation, the first time only; cancels the timer.
    private func take() -> CheckedContinuation<T?, Never>? {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<T?, Never>?, Deadlines.Token?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            defer {
                state.continuation = nil
                state.timer = nil
            }
            return (state.continuation, state.timer)
        }
        if let timer { Deadlines.shared.cancel(timer) }
        return continuation
    }
}
