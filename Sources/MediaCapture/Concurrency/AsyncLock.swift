// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// A FIFO lock for async code: the device operations of one source (photos, mode switches, control
/// writes) run one at a time, in the order they asked. Each holder's work is bounded by its own
/// deadlines, so waiting for the lock is bounded too.
final class AsyncLock: Sendable {
    private let state = Locked<(locked: Bool, waiters: [Waiter<Void>])>((false, []))

    func withLock<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        let queued = state.withLock { state -> Waiter<Void>? in
            guard state.locked else {
                state.locked = true
                return nil
            }
            let waiter = Waiter<Void>()
            state.waiters.append(waiter)
            return waiter
        }
        if let queued { await queued.wait() }  // resumed by the holder before it, which hands the lock over
        defer {
            let next = state.withLock { state -> Waiter<Void>? in
                guard !state.waiters.isEmpty else {
                    state.locked = false
                    return nil
                }
                return state.waiters.removeFirst()  // ownership passes on
            }
            next?.resume(())
        }
        return try await body()
    }
}
