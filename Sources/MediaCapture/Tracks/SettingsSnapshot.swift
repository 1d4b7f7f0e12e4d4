// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// Settings as they were at one moment, shared by reference: a frame keeps the snapshot in force
/// when it was captured for the price of a retain, and copies it only when its metadata is read.
final class SettingsSnapshot: Sendable {
    let settings: MediaTrackSettings
    /// For control values: the last track's settings they were merged into, and the result.
    private let lastMerge = Locked<(track: SettingsSnapshot, merged: MediaTrackSettings)?>(nil)

    init(_ settings: MediaTrackSettings) { self.settings = settings }

    /// `track`'s settings with these control values in place of its own. Made once per pair and kept
    /// for the next frame's metadata, which nearly always asks for the same pair (both snapshots
    /// change only with the settings): the merge goes through every control's key paths, about 3 µs.
    func controls(mergedInto track: SettingsSnapshot) -> MediaTrackSettings {
        if let last = lastMerge.withLock({ $0 }), last.track === track { return last.merged }
        var merged = track.settings
        ControlMembers.copyControls(from: settings, to: &merged)
        guard track !== self else { return merged }  // kept, it would keep itself alive
        let replaced = lastMerge.withLock { last in
            defer { last = (track, merged) }
            return last
        }
        _ = replaced  // released outside the lock
        return merged
    }
}
