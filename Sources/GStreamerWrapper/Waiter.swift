// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// The one wait primitive of the library: a wait that ends exactly once, with the first of a value
/// handed to ``resume(_:)`` (before the wait starts or during it), its deadline (counted from the
/// call to ``wait(timeout:cancelled:onExpiry:)``) or its task's cancellation. Every other wait (state
/// changes, samples, shared results, locks, blocking calls) is built on it, so "exactly once" is
/// written here only.
package final class Waiter<Value: Sendable>: Sendable {
    private enum Phase {
        case idle
        case waiting(CheckedContinuation<Value?, Never>)
        /// Settled before anyone waited: the wait returns this at once.
        case settled(Value?)
        case done
    }

    private let phase = Locked(Phase.idle)

    package init() {}

    /// Settles the wait with `value`. Returns whether this call settled it (false when a value, the
    /// deadline or a cancellation came first).
    @discardableResult
    package func resume(_ value: Value) -> Bool { settle(value) }

    /// Whether the wait has been settled (by anything).
    package var isSettled: Bool {
        phase.withLock { phase in
            switch phase {
            case .idle, .waiting: false
            case .settled, .done: true
            }
        }
    }

    /// Waits once (a second wait on one waiter is a programming error). Returns the value; nil when
    /// `timeout` passed first, and then `onExpiry` has run (on the timer's thread, before the wait
    /// returns; keep it short: it runs under the waiter's lock); `cancelled` when the task is
    /// cancelled (with none, cancellation is ignored).
    package func wait(timeout: Duration? = nil, cancelled: Value? = nil, onExpiry: (@Sendable () -> Void)? = nil) async -> Value? {
        // Settled already: no timer to schedule.
        let early = phase.withLock { phase -> Value?? in
            guard case .settled(let value) = phase else { return nil }
            phase = .done
            return .some(value)
        }
        if let early { return early }
        let timer = timeout.map { timeout in
            Deadlines.shared.schedule(after: timeout) { [weak self] in _ = self?.settle(nil, onExpiry: onExpiry) }
        }
        defer { if let timer { Deadlines.shared.cancel(timer) } }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let ready = phase.withLock { phase -> Value?? in
                    switch phase {
                    case .idle:
                        phase = .waiting(continuation)
                        return nil
                    case .settled(let value):
                        phase = .done
                        return .some(value)
                    case .waiting, .done:
                        preconditionFailure("a Waiter is waited for once")
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            if let cancelled { _ = settle(cancelled) }
        }
    }

    /// Settles with `value` (nil: the deadline), the first time only; `onExpiry` runs when this
    /// settles it, before anyone can see it settled.
    private func settle(_ value: Value?, onExpiry: (@Sendable () -> Void)? = nil) -> Bool {
        let (settled, continuation) = phase.withLock { phase -> (Bool, CheckedContinuation<Value?, Never>?) in
            switch phase {
            case .idle:
                onExpiry?()
                phase = .settled(value)
                return (true, nil)
            case .waiting(let continuation):
                onExpiry?()
                phase = .done
                return (true, continuation)
            case .settled, .done:
                return (false, nil)
            }
        }
        continuation?.resume(returning: value)
        return settled
    }

    /// Calls `start` with a new waiter, which the work settles with ``resume(_:)`` from any thread,
    /// then waits for it at most `timeout`: nil when the deadline came first (then `onExpiry` runs once).
    /// The work is never waited for past the deadline (a task group would wait for it).
    package static func run(timeout: Duration, onExpiry: (@Sendable () -> Void)? = nil, _ start: (Waiter<Value>) -> Void) async -> Value? {
        let waiter = Waiter<Value>()
        start(waiter)
        return await waiter.wait(timeout: timeout, onExpiry: onExpiry)
    }
}
