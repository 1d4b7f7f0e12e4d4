// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The events a track fires: W3C `mute`, `unmute` and `ended`, plus `settingsChanged` when a
/// setting changed outside `applyConstraints` (another program, the driver).
public enum MediaStreamTrackEvent: Sendable, Hashable {
    case mute, unmute, ended, settingsChanged
}
