// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import MediaCapture

/// One camera track shared by every browser and API call: opened on first use, closed when nobody
/// has used it for ``linger``.
actor SharedCamera {
    private let open: @Sendable () async throws -> MediaStreamTrack
    private let linger: Duration
    private var track: MediaStreamTrack?
    private var opening: Task<MediaStreamTrack, any Error>?
    private var users = 0
    /// Bumped on every use, so that an idle close scheduled before it does nothing.
    private var generation = 0
    /// The zero-shutter-lag `ImageCapture` of the open track: it holds frames while it lives.
    private var lagless: ImageCapture?

    init(linger: Duration = .seconds(10), open: @escaping @Sendable () async throws -> MediaStreamTrack) {
        self.linger = linger
        self.open = open
    }

    /// The live track (opened now when it is not), counted as in use until ``release()``.
    /// - Throws: what opening the camera threw (a `DOMException`).
    func acquire() async throws -> MediaStreamTrack {
        users += 1
        generation += 1
        do {
            return try await liveTrack()
        } catch {
            users -= 1
            throw error
        }
    }

    /// One use ended; the last one schedules the close.
    func release() {
        users -= 1
        generation += 1
        guard users == 0 else { return }
        let scheduled = generation, linger = self.linger
        Task { [weak self] in
            try? await Task.sleep(for: linger)
            await self?.closeIfIdle(since: scheduled)
        }
    }

    /// Runs `body` with the track, as one use.
    func using<T: Sendable>(_ body: @Sendable (MediaStreamTrack) async throws -> T) async throws -> T {
        let track = try await acquire()
        do {
            let result = try await body(track)
            release()
            return result
        } catch {
            release()
            throw error
        }
    }

    /// Whether the camera is open now (for tests and the status line).
    var isOpen: Bool { track.map { $0.readyState == .live } ?? false }

    /// The open track's zero-shutter-lag `ImageCapture`, made on first use and kept while the track is.
    /// - Throws: what `ImageCapture`'s initialiser throws.
    func laglessCapture(for track: MediaStreamTrack) throws -> ImageCapture {
        if let lagless, lagless.track === track { return lagless }
        let capture = try ImageCapture(track, options: ImageCapture.Options(zeroShutterLag: true))
        lagless = capture
        return capture
    }

    /// Stops holding frames (the page's switch turned off).
    func releaseLaglessCapture() { lagless = nil }

    /// Stops the track at once (the server is shutting down).
    func close() {
        lagless = nil
        track?.stop()
        track = nil
    }

    private func liveTrack() async throws -> MediaStreamTrack {
        if let track, track.readyState == .live { return track }
        if let opening { return try await opening.value }
        let open = self.open
        let task = Task { try await open() }
        opening = task
        defer { opening = nil }
        let opened = try await task.value
        track = opened
        return opened
    }

    private func closeIfIdle(since scheduled: Int) {
        guard users == 0, generation == scheduled else { return }
        close()
    }
}
