import Locking

/// A FIFO lock for async code: the device operations of one source (photos, mode switches, control
/// writes) run one at a time, in the order they asked. Each holder's work is bounded by its own
/// deadlines, so waiting for the lock is bounded too.
final class AsyncLock: Sendable {
    private let state = Locked<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func withLock<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                guard state.locked else {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
        defer {
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard !state.waiters.isEmpty else {
                    state.locked = false
                    return nil
                }
                return state.waiters.removeFirst()  // ownership passes on
            }
            next?.resume()
        }
        return try await body()
    }
}
