import Glibc

/// Runs a long blocking call (an encode, a device probe) on a thread of its own and resumes the
/// awaiting task with its result: such calls must not sit on Swift's cooperative pool, nor on
/// libdispatch's, which on Linux grows only slowly when its workers block. The call's own deadline
/// bounds the wait.
package enum BlockingCall {
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

    private final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
