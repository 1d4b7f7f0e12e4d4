// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import GStreamerWrapper
import Locking
import TestSupport

/// Collects samples from an appsink's callbacks, for tests.
final class SampleCollector: Sendable {
    private let state = Locked<(samples: [Sample], waiter: CheckedContinuation<Void, Never>?, wanted: Int, ended: Bool)>(
        ([], nil, 0, false))

    init(_ sink: AppSink) {
        sink.setCallbacks(
            onSample: { [weak self] sample in self?.add(sample) },
            onEndOfStream: { [weak self] in self?.finish() })
    }

    private func add(_ sample: Sample) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.samples.append(sample)
            guard state.samples.count >= state.wanted, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    private func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until `count` samples arrived, the stream ended, or the task was cancelled (bound it with
    /// `within`, whose deadline cancels it); returns the samples so far.
    func wait(for count: Int) async -> [Sample] {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.samples.count >= count || state.ended || Task.isCancelled { return true }
                    state.wanted = count
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        return state.withLock { $0.samples }
    }

    var ended: Bool { state.withLock { $0.ended } }
}
