// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// The events a ``MediaRecorder`` fires (MediaStream Recording §"MediaRecorder" event summary), in
/// the order the spec gives: `start`, then any of `dataavailable`, `pause`, `resume`, and last
/// `dataavailable` then `stop` (after `error` when the recording failed).
public enum MediaRecorderEvent: Sendable {
    case start
    case dataavailable(BlobEvent)
    case pause
    case resume
    case stop
    /// The recording failed (an `UnknownError` naming what went wrong); `dataavailable` and `stop` follow.
    case error(DOMException)
}
