// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// A camera's Image Capture controls: everything a track reports and sets besides its mode.
///
/// Two implementations: the fake camera's (values stored verbatim, effects in pixels) and the V4L2
/// mapping (ioctls on the device, or a recorded webcam).
protocol ControlBackend: Sendable {
    /// The control members of the capabilities (pan, tilt and zoom included when the device has them).
    func capabilities() -> MediaTrackCapabilities
    /// The control members' current values, as the device last reported them. Never device I/O:
    /// called from `getSettings()`.
    func settings() -> MediaTrackSettings
    /// Writes the members present in `changes`, automatic modes first, and reads every one back
    /// (device I/O runs on the device's own thread).
    /// - Throws: the first member the device refused (nothing else is left changed).
    func apply(_ changes: MediaTrackSettings) async throws(ControlFailure)
    /// Whether `zoom` is a digital zoom ratio the picture follows (a photo's EXIF `DigitalZoomRatio`).
    /// False where it is in the driver's units (V4L2's `ZOOM_ABSOLUTE`, often an optical zoom).
    var zoomIsDigitalRatio: Bool { get }
}

extension ControlBackend {
    var zoomIsDigitalRatio: Bool { false }
}

/// A control write the device refused.
struct ControlFailure: Error, Sendable {
    var member: String
    var message: String
}
