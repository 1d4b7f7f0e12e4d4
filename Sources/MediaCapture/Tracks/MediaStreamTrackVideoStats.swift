// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// mediacapture-extensions' `MediaStreamTrackVideoStats`: a video track's frame counters since it
/// was created (a clone starts at zero), frozen while the track is disabled or muted.
public struct MediaStreamTrackVideoStats: Sendable, Hashable {
    /// Frames the track delivered, or would have delivered to a consumer (counted as they reach the
    /// track, whether or not one is waiting; a frame a slow consumer then misses still counts here).
    public var deliveredFrames: UInt64
    /// Frames the track dropped: those its lower frame rate leaves out (a crop-and-scale track
    /// decimates a faster source).
    public var discardedFrames: UInt64
    /// Every frame that reached the track: ``deliveredFrames`` plus ``discardedFrames``. Frames the
    /// camera never produced (a gap in ``VideoFrameMetadata/frameNumber``) are not among them.
    public var totalFrames: UInt64 { deliveredFrames + discardedFrames }

    public init(deliveredFrames: UInt64 = 0, discardedFrames: UInt64 = 0) {
        self.deliveredFrames = deliveredFrames
        self.discardedFrames = discardedFrames
    }
}
