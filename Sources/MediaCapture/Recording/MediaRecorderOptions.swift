// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// W3C `MediaRecorderOptions` (MediaStream Recording §"MediaRecorderOptions").
///
/// Giving both ``videoKeyFrameIntervalDuration`` and ``videoKeyFrameIntervalCount`` is a
/// `NotSupportedError` from ``MediaRecorder/init(_:options:)``.
public struct MediaRecorderOptions: Sendable, Hashable {
    /// The container and codecs, e.g. `"video/webm;codecs=vp8"` (see ``MediaRecorder/isTypeSupported(_:)``);
    /// nil or empty: the library's choice, `video/webm;codecs=vp8`.
    public var mimeType: String?
    public var audioBitsPerSecond: UInt32?
    public var videoBitsPerSecond: UInt32?
    /// The whole recording's bit rate, shared between its tracks (wins over the two above).
    public var bitsPerSecond: UInt32?
    /// At most this long between two key frames.
    public var videoKeyFrameIntervalDuration: Duration?
    /// At most this many frames between two key frames.
    public var videoKeyFrameIntervalCount: UInt32?
    /// Beyond the W3C: keep the last this-much of encoded video, so that a recording begins that much
    /// (up to twice that much) before its start, at a key frame. The recorder encodes from the moment
    /// it is made (memory: at most about twice the pre-roll at the bit rate, 1 GiB at most).
    /// Positive, at most 10 minutes. See <doc:RecordingVideo>.
    public var preroll: Duration?

    public init(
        mimeType: String? = nil, audioBitsPerSecond: UInt32? = nil, videoBitsPerSecond: UInt32? = nil,
        bitsPerSecond: UInt32? = nil, videoKeyFrameIntervalDuration: Duration? = nil,
        videoKeyFrameIntervalCount: UInt32? = nil, preroll: Duration? = nil
    ) {
        self.mimeType = mimeType
        self.audioBitsPerSecond = audioBitsPerSecond
        self.videoBitsPerSecond = videoBitsPerSecond
        self.bitsPerSecond = bitsPerSecond
        self.videoKeyFrameIntervalDuration = videoKeyFrameIntervalDuration
        self.videoKeyFrameIntervalCount = videoKeyFrameIntervalCount
        self.preroll = preroll
    }
}
