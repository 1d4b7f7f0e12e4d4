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
        await DeadlineRace.run(timeout: timeout) { race in
            start { race.resume(work()) }
        }
    }

    package static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start { continuation.resume(returning: work()) }
        }
    }

    /// Runs `body` on a new detached thread (here, when no thread can be had).
    private static func start(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Job(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        if started == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Job>.fromOpaque(context).takeRetainedValue().body()
        }
    }

    private final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
