// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// W3C `MediaStream`: the tracks `getUserMedia` opened together.
public final class MediaStream: Sendable {
    public let id: String
    private let tracks: Locked<[MediaStreamTrack]>

    /// W3C `new MediaStream(tracks)`: a new stream of these tracks (the same tracks, not clones;
    /// each once), for instance a clone to record with a ``MediaRecorder`` on its own.
    public init(tracks: [MediaStreamTrack]) {
        var unique: [MediaStreamTrack] = []
        for track in tracks where !unique.contains(where: { $0 === track }) { unique.append(track) }
        self.id = Identifiers.random()
        self.tracks = Locked(unique)
    }

    /// True while at least one track is live.
    public var active: Bool { getTracks().contains { $0.readyState == .live } }

    public func getTracks() -> [MediaStreamTrack] { tracks.withLock { $0 } }
    public func getVideoTracks() -> [MediaStreamTrack] { getTracks().filter { $0.kind == "video" } }
    public func getAudioTracks() -> [MediaStreamTrack] { getTracks().filter { $0.kind == "audio" } }

    /// A new stream with a clone of every track.
    public func clone() -> MediaStream { MediaStream(tracks: getTracks().map { $0.clone() }) }

    /// Stops every track (a convenience: W3C streams have no `stop()`).
    public func stopAllTracks() { getTracks().forEach { $0.stop() } }
}
