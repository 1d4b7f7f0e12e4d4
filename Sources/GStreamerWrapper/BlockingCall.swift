import Glibc
import Synchronization

/// Runs a long blocking call (an encode, a device probe) on a thread of its own and resumes the
/// awaiting task with its result: such calls must not sit on Swift's cooperative pool, nor on
/// libdispatch's, which on Linux grows only slowly when its workers block. The call's own deadline
/// bounds the wait, or ``run(timeout:_:)``'s.
package enum BlockingCall {
    /// As ``run(_:)`` for a call without a deadline of its own: nil when it has not returned within
    /// `timeout` (it finishes on its thread, and its result is dropped).
    package static func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
        // A race resumed once, not a task group: a group would wait for the call it gave up on.
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let once = Once(continuation)
            Task { once.resume(await run(work)) }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(nil)
            }
        }
    }

    package static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let job = Job { continuation.resume(returning: work()) }
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { context in
                Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().body()
                return nil
            }, context)
            if started == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<Job>.fromOpaque(context).takeRetainedValue().body()  // no thread to be had: run here
            }
        }
    }

    /// Resumes a continuation with the first value it is given; later ones are dropped.
    private final class Once<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<T?, Never>?>
        init(_ continuation: CheckedContinuation<T?, Never>) { self.continuation = Mutex(continuation) }
        func resume(_ value: T?) {
            continuation.withLock { continuation in
                defer { continuation = nil }
                return continuation
            }?.resume(returning: value)
        }
    }

    private final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
