// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// W3C `MediaStreamTrack`: one video or audio track from a capture device.
///
/// A video track is a branch of its source's pipeline; its clones are further branches of the same
/// pipeline (the device is opened once). The source stops when its last track stops.
///
/// Implements mediacapture-main §"MediaStreamTrack" (life-cycle, `stop()`, `clone()`) and
/// §"Constrainable Pattern" (`getCapabilities`, `getConstraints`, `getSettings`, `applyConstraints`).
public final class MediaStreamTrack: Sendable {
    /// `"video"` or `"audio"`.
    public let kind: String
    /// Unique per track, clones included.
    public let id: String
    public let label: String

    enum Backing: Sendable {
        case video(VideoTrackSource, VideoTrackSource.Track)
        case audio(AudioSource, user: UInt64)
        case none
    }

    let backing: Backing

    private struct State {
        var readyState = MediaStreamTrackState.live
        var enabled = true
        var muted = false
        var constraints: MediaTrackConstraints
        var settings: MediaTrackSettings {
            didSet { snapshot = nil }
        }
        /// `settings` shared with the frames taken now (made again after they change).
        var snapshot: SettingsSnapshot?
        var capabilities: MediaTrackCapabilities
        var events: [UInt64: AsyncStream<MediaStreamTrackEvent>.Continuation] = [:]
        var nextSubscription: UInt64 = 0
    }

    private let state: Locked<State>

    init(
        kind: String, label: String, backing: Backing, constraints: MediaTrackConstraints,
        settings: MediaTrackSettings, capabilities: MediaTrackCapabilities, ended: Bool = false
    ) {
        self.kind = kind
        self.id = Identifiers.random()
        self.label = label
        self.backing = backing
        var initial = State(constraints: constraints, settings: settings, capabilities: capabilities)
        if ended { initial.readyState = .ended }
        self.state = Locked(initial)
        switch backing {
        case .video(let source, let track):
            source.observe(
                track,
                Capturer.Observer(
                    ended: { [weak self] in self?.endedBySource() },
                    muted: { [weak self] in self?.setMuted($0) },
                    settingsChanged: { [weak self] in self?.fire(.settingsChanged) }))
        case .audio(let source, let user):
            source.onEnded(user: user) { [weak self] in self?.endedBySource() }
        case .none:
            break
        }
    }

    deinit {
        // A track dropped without stop() still lets go of its share of the device.
        if state.withLock({ $0.readyState }) == .live { detachFromSource() }
    }

    // MARK: - Attributes

    /// App-controlled; a disabled track still holds the device (and its ``stats`` stand still).
    /// Settable after the track ended.
    public var enabled: Bool {
        get { state.withLock { $0.enabled } }
        set {
            // Under the track's lock, so that two setters leave the counting as the last one says.
            state.withLock { state in
                state.enabled = newValue
                video?.track.branch.setCounting(state.enabled && !state.muted)
            }
        }
    }

    /// Whether the source cannot deliver frames for now (it is reconfiguring for a photo).
    public var muted: Bool { state.withLock { $0.muted } }

    public var readyState: MediaStreamTrackState { state.withLock { $0.readyState } }

    // MARK: - Life-cycle

    /// Ends the track and lets go of its share of the device at once; the device is released when
    /// its last track stops. Idempotent; does **not** fire `ended` (W3C).
    public func stop() {
        let subscribers = state.withLock { state -> [AsyncStream<MediaStreamTrackEvent>.Continuation]? in
            guard state.readyState == .live else { return nil }
            state.readyState = .ended
            defer { state.events.removeAll() }
            return Array(state.events.values)
        }
        guard let subscribers else { return }
        for subscriber in subscribers { subscriber.finish() }
        detachFromSource()
    }

    private func detachFromSource() {
        switch backing {
        case .video(let source, let track): source.removeTrack(track)
        case .audio(let source, let user): source.removeUser(user)
        case .none: break
        }
    }

    /// The source ended (error, end of stream, device lost): `ended` fires once, then events finish.
    private func endedBySource() {
        let subscribers = state.withLock { state -> [AsyncStream<MediaStreamTrackEvent>.Continuation]? in
            guard state.readyState == .live else { return nil }
            state.readyState = .ended
            defer { state.events.removeAll() }
            return Array(state.events.values)
        }
        guard let subscribers else { return }
        for subscriber in subscribers {
            subscriber.yield(.ended)
            subscriber.finish()
        }
    }

    /// A new track on the same source (another branch of its pipeline, not a second open of the
    /// device), with a new `id` and copies of `enabled`, constraints, settings and capabilities.
    /// The clone of an ended track is ended.
    public func clone() -> MediaStreamTrack {
        let snapshot = state.withLock { $0 }
        var backing = Backing.none
        if snapshot.readyState == .live {
            switch self.backing {
            case .video(let source, let own):
                if let track = source.addTrack(like: own) { backing = .video(source, track) }
            case .audio(let source, _):
                if let user = source.addUser() { backing = .audio(source, user: user) }
            case .none:
                break
            }
        }
        let track = MediaStreamTrack(
            kind: kind, label: label, backing: backing, constraints: snapshot.constraints,
            settings: snapshot.settings, capabilities: snapshot.capabilities,
            ended: {
                if case .none = backing { return true }
                return false
            }())
        track.state.withLock { $0.muted = snapshot.muted }
        track.enabled = snapshot.enabled  // a disabled track's clone counts no frame either
        return track
    }

    // MARK: - Events

    /// The track's events from now on (`mute`, `unmute`, `ended`, `settingsChanged`). Each read is a
    /// new subscription; the stream finishes when the track ends (after `ended` when the source ended it).
    public var events: AsyncStream<MediaStreamTrackEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: MediaStreamTrackEvent.self)
        let id: UInt64? = state.withLock { state in
            guard state.readyState == .live else { return nil }
            state.nextSubscription += 1
            state.events[state.nextSubscription] = continuation
            return state.nextSubscription
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.events.removeValue(forKey: id) }
        }
        return stream
    }

    /// Fires an event to every subscriber of a live track.
    func fire(_ event: MediaStreamTrackEvent) {
        let subscribers = state.withLock { $0.readyState == .live ? Array($0.events.values) : [] }
        for subscriber in subscribers { subscriber.yield(event) }
    }

    /// Sets the muted state and fires `mute`/`unmute` on an actual change.
    func setMuted(_ muted: Bool) {
        let subscribers = state.withLock { state -> [AsyncStream<MediaStreamTrackEvent>.Continuation] in
            guard state.muted != muted, state.readyState == .live else { return [] }
            state.muted = muted
            video?.track.branch.setCounting(state.enabled && !state.muted)
            return Array(state.events.values)
        }
        for subscriber in subscribers { subscriber.yield(muted ? .mute : .unmute) }
    }

    // MARK: - Constrainable pattern

    /// The track's capabilities: its modes' ranges and ids, plus the camera's controls (pan, tilt and
    /// zoom only when the track was granted pan-tilt-zoom permission).
    public func getCapabilities() -> MediaTrackCapabilities {
        var capabilities = state.withLock { $0.capabilities }
        if let source = videoSource, let controls = source.controls {
            ControlMembers.copyControls(
                from: ControlMembers.filter(controls.capabilities(), panTiltZoom: source.panTiltZoom), to: &capabilities)
        }
        return capabilities
    }

    /// The video source and this track's share of it (nil for an audio track or a clone without one).
    var video: (source: VideoTrackSource, track: VideoTrackSource.Track)? {
        if case .video(let source, let track) = backing { return (source, track) }
        return nil
    }

    /// The microphone behind an audio track (nil for a video track).
    var audioSource: AudioSource? {
        if case .audio(let source, _) = backing { return source }
        return nil
    }

    private var videoSource: VideoTrackSource? { video?.source }

    /// The constraints of the last successful `applyConstraints` (or `getUserMedia`).
    public func getConstraints() -> MediaTrackConstraints { state.withLock { $0.constraints } }

    /// The current settings. After the track ended, only its inherent properties remain
    /// (`deviceId`, `groupId`, `facingMode`). Never device I/O: control values are the ones the
    /// library keeps fresh (write read-backs, the device's change events).
    public func getSettings() -> MediaTrackSettings {
        let (ended, stored) = state.withLock { ($0.readyState == .ended, $0.settings) }
        guard !ended else {
            return MediaTrackSettings(facingMode: stored.facingMode, deviceId: stored.deviceId, groupId: stored.groupId)
        }
        var settings = stored
        if let source = videoSource, let controls = source.controls {
            ControlMembers.copyControls(
                from: ControlMembers.filter(controls.settings(), panTiltZoom: source.panTiltZoom), to: &settings)
        }
        return settings
    }

    /// W3C `applyConstraints`: runs SelectSettings over what the track can be set to (the camera's
    /// modes, its controls' ranges) and, on success, makes `constraints` current. Calls run in call
    /// order; on failure nothing changes. No argument resets the constraints. An ended track resolves
    /// without effect.
    ///
    /// Only the controls a constraint mentions are written (nothing is reset), and each is read back:
    /// ``getSettings()`` reports what the device took. A mode change switches the camera without
    /// ending the track (`mute`, then `unmute`).
    /// - Throws: `TypeError` for a number that is NaN or infinite; `OverconstrainedError` naming the
    ///   constraint that cannot be satisfied, or the control the device refused.
    public func applyConstraints(
        _ constraints: MediaTrackConstraints = MediaTrackConstraints()
    )
        async throws(DOMException)
    {
        try await applyConstraints(constraints, keepingMode: false)
    }

    /// As ``applyConstraints(_:)``; with `keepingMode`, the source's mode never switches (a camera
    /// another `getUserMedia` shares: its other tracks must not change under them).
    func applyConstraints(_ constraints: MediaTrackConstraints, keepingMode: Bool) async throws(DOMException) {
        try constraints.validateNumbers()
        guard readyState == .live else { return }
        guard let (source, track) = video else {
            // Audio tracks (and a clone that could not get a branch): only the current settings can
            // satisfy the constraints.
            try state.withLock { (state: inout State) throws(DOMException) in
                let applicable = kind == "audio" ? constraints.applicable(to: .audioinput) : constraints
                if case .failed(let name) = SelectSettings.select([state.settings], applicable) {
                    throw DOMException.overconstrained(name, "The track's settings do not satisfy '\(name)'.")
                }
                state.constraints = constraints
            }
            return
        }
        let applied = try await source.applyConstraints(constraints, track: track, keepingMode: keepingMode) { [weak self] in
            self?.state.withLock { $0.settings } ?? MediaTrackSettings()
        }
        state.withLock { state in
            if let chosen = applied.modeSettings { ControlMembers.copyModeMembers(from: chosen, to: &state.settings) }
            state.constraints = constraints
        }
    }

    // MARK: - Frames

    /// The settings the track keeps (mode members, identity); the control members are the source's.
    var storedSettings: MediaTrackSettings { state.withLock { $0.settings } }

    /// ``storedSettings`` as a shared snapshot (one is made per change, not per frame).
    var settingsSnapshot: SettingsSnapshot {
        state.withLock { state in
            if let snapshot = state.snapshot { return snapshot }
            let snapshot = SettingsSnapshot(state.settings)
            state.snapshot = snapshot
            return snapshot
        }
    }

    /// The frame counters of a video track (zeros for an audio track): frames delivered to the
    /// track, whether or not anyone consumed them, and frames its lower frame rate left out. A clone
    /// starts from zero; the counters stand still while the track is disabled or muted, and after it
    /// ended.
    /// mediacapture-extensions §"MediaStreamTrack Statistics".
    public var stats: MediaStreamTrackVideoStats { video?.track.branch.stats ?? MediaStreamTrackVideoStats() }

    /// The frame rate the track streams at (its settings' own member: no control is read).
    var frameRate: Double? { state.withLock { $0.settings.frameRate } }

    /// The size and aspect the track streams at.
    var streamGeometry: (size: AspectCrop.Size?, aspectRatio: Double?) {
        state.withLock { state in
            let settings = state.settings
            let size = settings.width.flatMap { width in settings.height.map { AspectCrop.Size(width: width, height: $0) } }
            return (size, settings.aspectRatio)
        }
    }

    /// The branch delivering this track's frames (video tracks only; for tests).
    var branch: TrackBranch? { video?.track.branch }

    /// Every frame from now on, as `ImageBitmap`s; a slow consumer gets the newest (stale ones are
    /// dropped). The Swift counterpart of `MediaStreamTrackProcessor`. Finishes when the track ends;
    /// empty for an audio or ended track.
    public func frames() -> some AsyncSequence<ImageBitmap, Never> & Sendable {
        VideoTrackSource.frames(of: video) { [weak self] in self?.settingsSnapshot ?? SettingsSnapshot(MediaTrackSettings()) }
    }
}

extension MediaStreamTrack: CustomStringConvertible {
    public var description: String { "MediaStreamTrack(\(kind), \(label), \(readyState.rawValue))" }
}
