// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// W3C `RecordingState` (MediaStream Recording §"RecordingState"): where a ``MediaRecorder`` is.
public enum RecordingState: String, Sendable {
    /// Not recording: not started yet, or stopped.
    case inactive
    /// Gathering data.
    case recording
    /// Started, gathering nothing until resumed.
    case paused
}
