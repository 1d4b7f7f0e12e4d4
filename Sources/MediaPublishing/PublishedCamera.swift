// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import MediaCapture

/// The camera a publisher serves: a track acquired when the first viewer comes and released when the
/// last one leaves, so that an application can open the camera on demand and close it after a
/// while (as `imagecapture serve` does, 10 s after the last viewer), or hand over one track it keeps.
public struct PublishedCamera: Sendable {
    let acquire: @Sendable () async throws -> MediaStreamTrack
    let release: @Sendable () async -> Void

    /// A camera opened and closed by the caller: `acquire` is called for each viewer (or RTSP media)
    /// and `release` once for each `acquire` that returned.
    public init(acquire: @escaping @Sendable () async throws -> MediaStreamTrack, release: @escaping @Sendable () async -> Void) {
        self.acquire = acquire
        self.release = release
    }

    /// One track the caller keeps open (and stops when it is done publishing).
    public init(track: MediaStreamTrack) {
        self.init(acquire: { track }, release: {})
    }
}
