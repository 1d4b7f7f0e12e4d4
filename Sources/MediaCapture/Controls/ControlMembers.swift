// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The control members (every constrainable member but the mode members), driven by
/// ``ConstrainableProperty/all``: nothing here names a member.
enum ControlMembers {
    /// The control members of `settings` (pan, tilt and zoom dropped unless `panTiltZoom`).
    static func filter(_ settings: MediaTrackSettings, panTiltZoom: Bool) -> MediaTrackSettings {
        var kept = MediaTrackSettings()
        for property in ConstrainableProperty.controls where panTiltZoom || !property.isPanTiltZoom {
            property.copySetting(settings, &kept)
        }
        return kept
    }

    static func filter(_ capabilities: MediaTrackCapabilities, panTiltZoom: Bool) -> MediaTrackCapabilities {
        var kept = MediaTrackCapabilities()
        for property in ConstrainableProperty.controls where panTiltZoom || !property.isPanTiltZoom {
            property.copyCapability(capabilities, &kept)
        }
        return kept
    }

    /// Copies every control member (absence included) from `settings` to `target`.
    static func copyControls(from settings: MediaTrackSettings, to target: inout MediaTrackSettings) {
        for property in ConstrainableProperty.controls { property.copySetting(settings, &target) }
    }

    static func copyControls(from capabilities: MediaTrackCapabilities, to target: inout MediaTrackCapabilities) {
        for property in ConstrainableProperty.controls { property.copyCapability(capabilities, &target) }
    }

    /// Copies the mode members (size, rate, aspect, resize mode, ids, facing mode).
    static func copyModeMembers(from settings: MediaTrackSettings, to target: inout MediaTrackSettings) {
        for property in ConstrainableProperty.all where property.isModeMember { property.copySetting(settings, &target) }
    }

    /// Copies the control members present in `changes` onto `target`, leaving the others.
    static func overlay(_ changes: MediaTrackSettings, on target: inout MediaTrackSettings) {
        for property in ConstrainableProperty.controls {
            if let value = property.setting(changes) { property.assign(&target, value) }
        }
    }
}
