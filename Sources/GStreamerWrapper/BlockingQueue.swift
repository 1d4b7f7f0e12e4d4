// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// A serial queue on a thread of its own, for the blocking calls on one pipeline (state changes,
/// idle probes): they block for as long as GStreamer takes, so they run neither on Swift's cooperative
/// pool nor on libdispatch's, which on Linux grows only slowly when its workers block.
///
/// Waits for its work are bounded (``perform(timeout:_:)``): a call that does not return in time
/// (a driver wedged in `open()`) marks the queue wedged, and later calls fail at once instead of
/// queueing behind it. The thread ends after ``finish()`` once its work is done.
package final class BlockingQueue: Sendable {
    private final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private struct State {
        var jobs: [Job] = []
        var finished = false
        var wedged = false
    }

    private let state = Locked(State())
    private let wakeUp = BlockingSemaphore()

    package init(name: String) {
        guard DetachedThread.start({ [self] in run() }) else {
            state.withLock { state in  // no thread: every call fails as wedged
                state.finished = true
                state.wedged = true
            }
            return
        }
    }

    private func run() {
        while true {
            _ = wakeUp.wait(milliseconds: 1000)
            while let job = state.withLock({ state -> Job? in state.jobs.isEmpty ? nil : state.jobs.removeFirst() }) {
                job.body()
            }
            if state.withLock({ $0.finished && $0.jobs.isEmpty }) { return }
        }
    }

    /// Queues `work`; it runs after the work queued before it.
    /// - Returns: false when the queue has finished and `work` will never run.
    @discardableResult
    package func async(_ work: @escaping @Sendable () -> Void) -> Bool {
        let queued = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            state.jobs.append(Job(work))
            return true
        }
        if queued { wakeUp.signal() }
        return queued
    }

    /// Runs `work` on the queue and returns its result, or nil when it did not return within
    /// `timeout` (or the queue is wedged already): the work goes on, its result is dropped, and the
    /// queue counts as wedged from then on.
    package func perform<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
        guard !isWedged else { return nil }
        return await Waiter.run(
            timeout: timeout,
            onExpiry: { [weak self] in
                self?.state.withLock { $0.wedged = true }
            }
        ) { waiter in
            async { waiter.resume(work()) }
        }
    }

    /// Whether a call overran its deadline: the thread is stuck in GStreamer (or a driver).
    package var isWedged: Bool { state.withLock { $0.wedged } }

    /// Ends the thread once the queued work is done; later work is dropped.
    package func finish() {
        state.withLock { $0.finished = true }
        wakeUp.signal()
    }
}
