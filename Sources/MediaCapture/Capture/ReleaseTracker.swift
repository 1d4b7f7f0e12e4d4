// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking
import Synchronization

/// Remembers device releases still in progress (pipelines going to NULL on their serial queues), so
/// that reopening a device waits for the previous owner to let go, and shutdown waits for all.
final class ReleaseTracker: Sendable {
    static let shared = ReleaseTracker()

    private let pending = Locked<[String: [UInt64: Task<Void, Never>]]>([:])
    private let counter = Atomic<UInt64>(0)

    /// Runs `release` and remembers it under `resource` until it finishes.
    func release(_ resource: String, _ release: @escaping @Sendable () async -> Void) {
        let id = counter.add(1, ordering: .relaxed).newValue
        pending.withLock { pending in
            let task = Task {
                await release()
                _ = self.pending.withLock { $0[resource]?.removeValue(forKey: id) }
            }
            pending[resource, default: [:]][id] = task
        }
    }

    /// Waits until every release of `resource` (or of everything, when nil) has finished, at most
    /// `timeout`: a driver that never lets go must not hang the next open (which then reports the device
    /// as busy) or shutdown.
    func wait(for resource: String? = nil, timeout: Duration = CaptureTiming.releaseTimeout) async {
        let tasks = pending.withLock { pending in
            resource.map { Array(pending[$0, default: [:]].values) } ?? pending.values.flatMap(\.values)
        }
        guard !tasks.isEmpty else { return }
        // A race, not a task group: a group would still wait for the releases it gave up on.
        let done = SharedResult<Void, CaptureFailure>(cancelled: .cancelled())
        let releases = Task {
            for task in tasks { await task.value }
            done.complete(.success(()))
        }
        let deadline = Deadlines.shared.schedule(after: timeout) {
            done.complete(.success(()))  // the releases go on; only this wait ends
        }
        try? await done.value()
        Deadlines.shared.cancel(deadline)
        _ = releases
    }
}
