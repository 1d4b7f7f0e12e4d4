/// A camera's Image Capture controls: everything a track reports and sets besides its mode.
///
/// Two implementations: the fake camera's (values stored verbatim, effects in pixels) and the V4L2
/// mapping (ioctls on the device, or a recorded webcam).
protocol ControlBackend: Sendable {
    /// The control members of the capabilities (pan, tilt and zoom included when the device has them).
    func capabilities() -> MediaTrackCapabilities
    /// The control members' current values, as the device reports them.
    func settings() -> MediaTrackSettings
    /// Writes the members present in `changes`, automatic modes first, and reads every one back.
    /// - Throws: the first member the device refused (nothing else is left changed).
    func apply(_ changes: MediaTrackSettings) throws(ControlFailure)
    /// Calls `handler` when settings change outside `apply` (another program, the driver).
    func watchChanges(_ handler: @escaping @Sendable () -> Void)
}

extension ControlBackend {
    func watchChanges(_ handler: @escaping @Sendable () -> Void) {}
}

/// A control write the device refused.
struct ControlFailure: Error, Sendable {
    var member: String
    var message: String
}

/// Helpers over the control members (everything but the mode members).
enum ControlMembers {
    /// Keeps the control members of `settings` (and drops pan/tilt/zoom unless `panTiltZoom`).
    static func filter(_ settings: MediaTrackSettings, panTiltZoom: Bool) -> MediaTrackSettings {
        var kept = MediaTrackSettings()
        ControlMembers.copyControls(from: settings, to: &kept)
        if !panTiltZoom { kept.pan = nil; kept.tilt = nil; kept.zoom = nil }
        return kept
    }

    /// Copies the mode members (size, rate, aspect, resize mode, ids, facing mode).
    static func copyModeMembers(from settings: MediaTrackSettings, to target: inout MediaTrackSettings) {
        target.width = settings.width
        target.height = settings.height
        target.aspectRatio = settings.aspectRatio
        target.frameRate = settings.frameRate
        target.facingMode = settings.facingMode
        target.resizeMode = settings.resizeMode
        target.deviceId = settings.deviceId
        target.groupId = settings.groupId
    }

    static func filter(_ capabilities: MediaTrackCapabilities, panTiltZoom: Bool) -> MediaTrackCapabilities {
        var kept = MediaTrackCapabilities()
        ControlMembers.copyControls(from: capabilities, to: &kept)
        if !panTiltZoom { kept.pan = nil; kept.tilt = nil; kept.zoom = nil }
        return kept
    }

    /// Copies every control member (nil included) from `settings` to `target`.
    static func copyControls(from settings: MediaTrackSettings, to target: inout MediaTrackSettings) {
        target.whiteBalanceMode = settings.whiteBalanceMode
        target.exposureMode = settings.exposureMode
        target.focusMode = settings.focusMode
        target.pointsOfInterest = settings.pointsOfInterest
        target.exposureCompensation = settings.exposureCompensation
        target.exposureTime = settings.exposureTime
        target.colorTemperature = settings.colorTemperature
        target.iso = settings.iso
        target.brightness = settings.brightness
        target.contrast = settings.contrast
        target.saturation = settings.saturation
        target.sharpness = settings.sharpness
        target.focusDistance = settings.focusDistance
        target.pan = settings.pan
        target.tilt = settings.tilt
        target.zoom = settings.zoom
        target.torch = settings.torch
    }

    static func copyControls(from capabilities: MediaTrackCapabilities, to target: inout MediaTrackCapabilities) {
        target.whiteBalanceMode = capabilities.whiteBalanceMode
        target.exposureMode = capabilities.exposureMode
        target.focusMode = capabilities.focusMode
        target.exposureCompensation = capabilities.exposureCompensation
        target.exposureTime = capabilities.exposureTime
        target.colorTemperature = capabilities.colorTemperature
        target.iso = capabilities.iso
        target.brightness = capabilities.brightness
        target.contrast = capabilities.contrast
        target.saturation = capabilities.saturation
        target.sharpness = capabilities.sharpness
        target.focusDistance = capabilities.focusDistance
        target.pan = capabilities.pan
        target.tilt = capabilities.tilt
        target.zoom = capabilities.zoom
        target.torch = capabilities.torch
    }
}
