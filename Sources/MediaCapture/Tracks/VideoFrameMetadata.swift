// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// When and how a frame was captured: what WebCodecs' `VideoFrame.metadata()` carries, and more.
///
/// A grabbed frame (``ImageBitmap/metadata``), a frame of ``MediaStreamTrack/frames()`` and a photo
/// (``Blob/metadata``) each carry the metadata of the camera frame they were made from.
public struct VideoFrameMetadata: Sendable, Hashable {
    /// When the camera captured the frame, comparable with `ContinuousClock.now`: the driver's
    /// timestamp for V4L2 (through `v4l2src`), the buffer's clock time for other sources; converted
    /// once, not the moment the frame reached the library, and never later than that moment (a network
    /// camera's timestamps, mapped from the sender's clock, can run a little ahead of ours).
    public var captureTime: ContinuousClock.Instant?
    /// The source's own sequence number: V4L2's frame sequence (in MJPEG modes too: the library
    /// carries it across the decoder, which drops it), the fake camera's count, or one the library
    /// keeps for a source that numbers none (an RTSP stream). A gap in the source's own numbers means
    /// frames it lost.
    public var frameNumber: UInt64?
    /// The settings in force when the frame was captured: the track's settings, with the control
    /// values of the last change that landed before the capture time (a change lands when the device
    /// took it: a frame captured before that carries the values before it). Nil when they are no
    /// longer known (a photo whose frame is older than the last 16 control changes).
    public var settings: MediaTrackSettings?
    /// For a photo: which frame it was made from (``ImageCapture/Options/zeroShutterLag``); nil for
    /// a frame.
    public var photoOrigin: PhotoFrameOrigin?

    public init(
        captureTime: ContinuousClock.Instant? = nil, frameNumber: UInt64? = nil, settings: MediaTrackSettings? = nil,
        photoOrigin: PhotoFrameOrigin? = nil
    ) {
        self.captureTime = captureTime
        self.frameNumber = frameNumber
        self.settings = settings
        self.photoOrigin = photoOrigin
    }
}
