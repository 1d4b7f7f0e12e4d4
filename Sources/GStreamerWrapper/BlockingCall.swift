// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// Runs a long blocking call (an encode, a device probe) on a thread of its own and resumes the
/// awaiting task with its result: such calls must not sit on Swift's cooperative pool, nor on
/// libdispatch's, which on Linux grows only slowly when its workers block. The call's own deadline
/// bounds the wait, or ``run(timeout:_:)``'s.
package enum BlockingCall {
    /// As ``run(_:)`` for a call without a deadline of its own: nil when it has not returned within
    /// `timeout` (it finishes on its thread, and its result is dropped).
    package static func run<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
        await Waiter.run(timeout: timeout) { waiter in
            start { waiter.resume(work()) }
        }
    }

    package static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        let waiter = Waiter<T>()
        start { waiter.resume(work()) }
        return await waiter.wait()!  // no deadline, no cancellation: only the value ends it
    }

    /// Runs `body` on a new detached thread (here, when no thread can be had).
    private static func start(_ body: @escaping @Sendable () -> Void) {
        if !DetachedThread.start(body) { body() }
    }
}
