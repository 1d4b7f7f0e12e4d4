// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// The control values as they changed (the last 16), oldest first, in the order they landed: a
/// frame carries those of the last change that landed before its capture. A value: a frame keeps
/// the record as it was when it was taken (one retain of its storage) and looks its capture time up
/// in it only when its metadata is read, with the same answer as at the grab.
struct ControlChanges: Sendable {
    struct Change: Sendable {
        let landed: Moment
        let values: SettingsSnapshot
    }

    static let kept = 16

    private(set) var changes: [Change] = []
    /// Whether older changes were dropped (a capture older than all kept is then unknown).
    private(set) var trimmed = false

    mutating func append(_ values: SettingsSnapshot, landed: Moment) {
        if changes.count == Self.kept {
            changes.removeFirst()
            trimmed = true
        }
        changes.append(Change(landed: landed, values: values))
    }

    /// The control values of the last change that landed at or before `captureTime` (the latest
    /// without one); nil for a capture older than every change kept, once older ones were dropped.
    func values(at captureTime: Moment?) -> SettingsSnapshot? {
        guard let captureTime else { return changes.last?.values }
        if let change = changes.last(where: { $0.landed <= captureTime }) { return change.values }
        return trimmed ? nil : changes.first?.values
    }
}

/// A source's ``ControlChanges``, shared with the capturer's callback for changes made elsewhere
/// (which then holds the record, not the source).
final class ControlRecord: Sendable {
    private let record = Locked(ControlChanges())

    /// The record as it is now.
    var current: ControlChanges { record.withLock { $0 } }

    /// Records `values` as landed now (taken under the lock, so the record stays in the order
    /// changes landed).
    func note(_ values: MediaTrackSettings) {
        let snapshot = SettingsSnapshot(values)
        record.withLock { $0.append(snapshot, landed: Moment(.now)) }
    }
}

/// What a frame's settings in force are made from, kept by reference when it is taken and merged
/// only when its metadata is read (a grab pays two retains for them): the track's settings then,
/// and the source's control changes then (nil for a source without controls).
struct FrameSettings: Sendable {
    let track: SettingsSnapshot
    let controls: ControlChanges?

    /// The track's settings with the control values in force at `captureTime` (nil when they are no
    /// longer known).
    func inForce(at captureTime: Moment?) -> MediaTrackSettings? {
        guard let controls else { return track.settings }
        return controls.values(at: captureTime).map { $0.controls(mergedInto: track) }
    }

    static func merged(_ settings: MediaTrackSettings, controls: MediaTrackSettings) -> MediaTrackSettings {
        var result = settings
        ControlMembers.copyControls(from: controls, to: &result)
        return result
    }
}
