// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// A one-shot timer on the library's deadline thread (no task, no sleeping thread of its own): ends
/// a recorder's timeslice when no data comes to end it.
struct RecordingTimer: Sendable {
    private let token: Deadlines.Token

    /// Runs `action` once, after `delay`, unless cancelled first. `action` must not block.
    init(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
        token = Deadlines.shared.schedule(after: delay, action)
    }

    func cancel() { Deadlines.shared.cancel(token) }
}
