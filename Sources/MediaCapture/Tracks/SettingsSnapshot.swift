// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// Settings as they were at one moment, shared by reference: a frame keeps the snapshot in force
/// when it was captured for the price of a retain, and copies it only when its metadata is read.
final class SettingsSnapshot: Sendable {
    let settings: MediaTrackSettings

    init(_ settings: MediaTrackSettings) { self.settings = settings }
}
