// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// Which frame a photo was made from, and with zero shutter lag on, why not a held one
/// (``VideoFrameMetadata/photoOrigin``).
public enum PhotoFrameOrigin: String, Sendable, Hashable, Codable {
    /// Zero shutter lag: the newest frame held, captured at or before the call.
    case heldFrame
    /// The first frame after the call (zero shutter lag off; every photo of a burst or a bracket).
    case nextFrame
    /// Zero shutter lag on, but the photo needed a larger native mode: a frame of that mode.
    case nextFrameAfterModeSwitch
    /// Zero shutter lag on, but a fill light was asked for: a frame it lit.
    case nextFrameForFillLight
    /// Zero shutter lag on, but no frame was held yet (just opened, just switched modes).
    case nextFrameNoneHeld
}
