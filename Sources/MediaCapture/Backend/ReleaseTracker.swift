import Synchronization

/// Remembers device releases still in progress (pipelines going to NULL on their serial queues), so
/// that reopening a device waits for the previous owner to let go, and shutdown waits for all.
final class ReleaseTracker: Sendable {
    static let shared = ReleaseTracker()

    private let pending = Mutex<[String: [UInt64: Task<Void, Never>]]>([:])
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

    /// Waits until every release of `resource` (or of everything, when nil) has finished.
    /// Bounded: a release is a state change with its own deadline.
    func wait(for resource: String? = nil) async {
        let tasks = pending.withLock { pending in
            resource.map { Array(pending[$0, default: [:]].values) } ?? pending.values.flatMap(\.values)
        }
        for task in tasks { await task.value }
    }
}
