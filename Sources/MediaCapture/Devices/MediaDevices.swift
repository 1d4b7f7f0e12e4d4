// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// W3C `MediaDevices`: lists capture devices and opens them with `getUserMedia`.
///
/// ``shared`` sees the machine's cameras (GStreamer's device providers: V4L2 and others; and PipeWire's
/// camera nodes, listed by the library's own client). ``init(devices:includeSystemDevices:panTiltZoomPermission:)`` gives an explicit set, e.g. fake cameras in tests.

public final class MediaDevices: Sendable {
    /// The machine's cameras.
    public static let shared = MediaDevices(devices: [], includeSystemDevices: true)

    private let devices: [CaptureDevice]
    private let includeSystemDevices: Bool
    private let panTiltZoomPermission: PanTiltZoomPermission
    /// The pan-tilt-zoom answers a prompt gave, by deviceId.
    private let panTiltZoomDecisions = Locked<[String: Bool]>([:])
    /// The time constants of the sources it opens (tests shorten them).
    let timing: CaptureTiming
    /// The video tracks it opened, by deviceId: a camera still open here is shared by the next
    /// `getUserMedia` for it, as browsers share a camera between a page's requests.
    private let openCameras = Locked<[String: [WeakTrack]]>([:])

    /// - Parameters:
    ///   - devices: devices listed first, in this order (the first of each kind is the default).
    ///   - includeSystemDevices: also list the machine's cameras.
    ///   - panTiltZoomPermission: the permission policy for pan, tilt and zoom (see
    ///     ``PanTiltZoomPermission``); by default undecided and granted when a `getUserMedia` requests
    ///     one of them. (A fake camera's own `panTiltZoomPermission` switch must allow it too.)
    public init(
        devices: [CaptureDevice], includeSystemDevices: Bool = false,
        panTiltZoomPermission: PanTiltZoomPermission = .grantedWhenRequested
    ) {
        self.devices = devices
        self.includeSystemDevices = includeSystemDevices
        self.panTiltZoomPermission = panTiltZoomPermission
        self.timing = .standard
    }

    /// As the public initialiser, with other time constants (for tests).
    init(devices: [CaptureDevice], timing: CaptureTiming, panTiltZoomPermission: PanTiltZoomPermission = .grantedWhenRequested) {
        self.devices = devices
        self.includeSystemDevices = false
        self.panTiltZoomPermission = panTiltZoomPermission
        self.timing = timing
    }

    /// W3C `getSupportedConstraints()`: every constrainable property name the library handles.
    public func getSupportedConstraints() -> MediaTrackSupportedConstraints {
        MediaTrackSupportedConstraints(names: ConstrainableProperty.names)
    }

    /// W3C `enumerateDevices()`: microphones first, then cameras, each kind's default first.
    /// Devices that cannot be opened (a V4L2 path that does not exist) are left out.
    public func enumerateDevices() async throws(DOMException) -> [MediaDeviceInfo] {
        let resolved = await resolveAll()
        let usable = resolved.compactMap { try? $0.get() }
        return usable.filter { $0.info.kind == .audioinput }.map(\.info)
            + usable.filter { $0.info.kind == .videoinput }.map(\.info)
    }

    /// W3C `devicechange`: an event each time cameras appear or go away (the system device watch, for
    /// PipeWire and V4L2 alike), carrying the devices as ``enumerateDevices()`` lists them then.
    /// Changes within 200 ms of each other are one event, as the spec allows. Each access is a new
    /// stream; the watch runs until its consumer stops iterating.
    public var devicechange: AsyncStream<DeviceChangeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: DeviceChangeEvent.self, bufferingPolicy: .bufferingNewest(8))
        let debounce = DeviceChangeDebounce()
        let id = SystemDeviceWatch.shared.subscribe { [weak self] _ in
            guard debounce.schedule() else { return }  // an event is already on its way
            Task {
                try? await Task.sleep(for: .milliseconds(200))
                debounce.fired()
                guard let self, let devices = try? await self.enumerateDevices() else { return }
                let inserted = debounce.inserted(devices)
                Log.logger.debug("Devices changed: \(devices.count) now, \(inserted.map { Log.redacted($0.label) }) inserted")
                continuation.yield(DeviceChangeEvent(devices: devices, userInsertedDevices: inserted))
            }
        }
        Task { [weak self] in
            if let devices = try? await self?.enumerateDevices() { _ = debounce.inserted(devices) }
        }
        continuation.onTermination = { _ in SystemDeviceWatch.shared.unsubscribe(id) }
        return stream
    }

    /// W3C `getUserMedia(constraints)`, its checks in the spec's order.
    ///
    /// Selection follows the spec's SelectSettings with fitness distance over every mode of every
    /// device of the kind; ties go to 640×480 at 30 Hz, then to the first device.
    /// - Throws:
    ///   - `TypeError` when no kind is requested, a number is NaN or infinite, or a required
    ///     (`min`/`max`/`exact`) constraint is not one allowed for device selection (the Image Capture
    ///     members, for instance), or a fake camera's mode is not a camera mode;
    ///   - `NotFoundError` when there is no device of a requested kind (the message names a device
    ///     that could not be found);
    ///   - `OverconstrainedError` with the failing constraint's name when no device and mode satisfy
    ///     the required constraints;
    ///   - `NotReadableError` when the device is busy (held by another `MediaDevices` or process: a
    ///     camera this instance holds is shared, each track with its own constraints), does not
    ///     answer or delivers nothing;
    ///     `NotAllowedError` when the system denies access; `AbortError` when the task is cancelled
    ///     while the camera opens; `NotSupportedError` for a recorded camera
    ///     whose listings hold nothing the library recognises.
    public func getUserMedia(_ constraints: MediaStreamConstraints) async throws(DOMException) -> MediaStream {
        let video = constraints.video.requestedConstraints
        let audio = constraints.audio.requestedConstraints
        // Step 1: at least one kind.
        guard video != nil || audio != nil else {
            throw DOMException(.typeError, "getUserMedia needs audio or video requested (both are absent or false).")
        }
        // Required constraints must be ones allowed for device selection.
        for requested in [video, audio].compactMap({ $0 }) {
            try requested.validateNumbers()
            for property in ConstrainableProperty.all where !property.allowedRequiredForDeviceSelection {
                if property.constraint(requested.basic, false)?.isRequired == true {
                    throw DOMException(
                        .typeError,
                        "'\(property.name)' cannot be required (min/max/exact) in getUserMedia; use an ideal value or advanced, or applyConstraints on the track."
                    )
                }
            }
        }
        let resolved = await resolveAll()
        var tracks: [MediaStreamTrack] = []
        do {
            if let audio { tracks.append(try await open(.audioinput, audio, resolved)) }
            if let video { tracks.append(try await open(.videoinput, video, resolved)) }
        } catch {
            tracks.forEach { $0.stop() }
            throw error
        }
        return MediaStream(tracks: tracks)
    }

    /// Waits for every device release in progress, then frees GStreamer's global state. For leak
    /// checks at process exit: afterwards no MediaCapture API may be used.
    public static func shutdown() async {
        await ReleaseTracker.shared.wait()
        await SystemDeviceWatch.shared.shutdown()
        await Capturer.releaseGStreamer()
    }

    // MARK: - Selection and opening

    private func open(
        _ kind: MediaDeviceInfo.Kind, _ constraints: MediaTrackConstraints,
        _ resolved: [Result<ResolvedDevice, DOMException>]
    ) async throws(DOMException) -> MediaStreamTrack {
        let ofKind = resolved.filter { result in
            switch result {
            case .success(let device): device.info.kind == kind
            case .failure: kind == .videoinput
            }
        }
        let devices = ofKind.compactMap { try? $0.get() }
        guard !devices.isEmpty else {
            if case .failure(let error)? = ofKind.first { throw error }
            throw DOMException(
                .notFoundError, "No \(kind == .videoinput ? "camera" : "microphone") was found. Connect one, or use CaptureDevice.fake().")
        }
        // Asking for PTZ (with a value other than false) is what consults an undecided permission.
        let sets = [constraints.basic] + constraints.advanced
        let wantsPanTiltZoom = sets.contains { set in
            [set.pan, set.tilt, set.zoom].contains { $0 != nil && $0 != .bool(false) }
        }
        var candidates: [(device: ResolvedDevice, settings: MediaTrackSettings, mode: SourceMode?)] = []
        for device in devices {
            let native = device.candidates(panTiltZoom: wantsPanTiltZoom || panTiltZoomDecided(device) == true)
            for candidate in native + CropAndScale.candidates(native, constraints) {
                candidates.append((device, candidate.settings, candidate.mode))
            }
        }
        let chosen: (device: ResolvedDevice, settings: MediaTrackSettings, mode: SourceMode?)
        switch SelectSettings.select(candidates.map(\.settings), constraints.applicable(to: kind)) {
        case .failed(let name):
            throw DOMException.overconstrained(
                name,
                name.isEmpty
                    ? "No device satisfies the required constraints together."
                    : "No \(kind == .videoinput ? "camera" : "microphone") satisfies the required '\(name)' constraint.")
        case .selected(let index):
            chosen = candidates[index]
        }
        let device = chosen.device
        if kind == .videoinput, let open = liveTrack(on: device.info.deviceId),
            let shared = try await share(open, constraints, deviceId: device.info.deviceId)
        {
            return shared
        }
        if let resource = device.backend.exclusiveResource { await ReleaseTracker.shared.wait(for: resource) }
        if kind == .audioinput {
            let source: AudioSource
            do { source = try await AudioSource.open(device) } catch { throw DOMException(error) }
            return MediaStreamTrack(
                kind: "audio", label: device.label, backing: .audio(source, user: 0), constraints: constraints,
                settings: chosen.settings, capabilities: device.modeCapabilities)
        }
        let granted = await panTiltZoomGranted(device, asking: wantsPanTiltZoom)
        let size = chosen.settings.width.flatMap { width in chosen.settings.height.map { AspectCrop.Size(width: width, height: $0) } }
        let decimated = CropAndScale.decimatedRate(chosen.settings, chosen.mode)
        let (source, share) = try await VideoTrackSource.open(
            device, mode: chosen.mode, size: size, frameRate: decimated, panTiltZoom: granted, timing: timing)
        var settings = MediaTrackSettings()
        ControlMembers.copyModeMembers(from: chosen.settings, to: &settings)
        if let layout = source.heldFrameFormat(of: share) {
            settings.width = layout.width
            settings.height = layout.height
            settings.aspectRatio = Double(layout.width) / Double(layout.height)
            if layout.frameRate > 0 { settings.frameRate = decimated ?? layout.frameRate }
        }
        let track = MediaStreamTrack(
            kind: "video", label: device.label, backing: .video(source, share), constraints: constraints,
            settings: settings, capabilities: device.modeCapabilities)
        remember(track, deviceId: device.info.deviceId)
        return track
    }

    /// A live video track this instance opened on `deviceId`, if any.
    private func liveTrack(on deviceId: String) -> MediaStreamTrack? {
        openCameras.withLock { cameras in
            let live = (cameras[deviceId] ?? []).compactMap(\.track).filter { $0.readyState == .live }
            cameras[deviceId] = live.isEmpty ? nil : live.map(WeakTrack.init)
            return live.first
        }
    }

    private func remember(_ track: MediaStreamTrack, deviceId: String) {
        openCameras.withLock { $0[deviceId, default: []].append(WeakTrack(track)) }
    }

    /// A second `getUserMedia` on a camera this instance holds: one more branch on the same source
    /// (a clone of a live track, enabled), with `constraints` applied to it alone, from the camera's
    /// current mode (crop-and-scale): the mode never switches under the tracks already open, as
    /// browsers serve a second request from the format already open. Other instances and processes
    /// still find the camera busy. Nil when the source ended meanwhile (the camera is free again).
    /// - Throws: `OverconstrainedError` when the camera's current mode cannot satisfy `constraints`.
    private func share(
        _ open: MediaStreamTrack, _ constraints: MediaTrackConstraints, deviceId: String
    ) async throws(DOMException) -> MediaStreamTrack? {
        let track = open.clone()
        guard track.readyState == .live else { return nil }
        track.enabled = true
        do {
            try await track.applyConstraints(constraints, keepingMode: true)
        } catch {
            track.stop()
            throw error
        }
        remember(track, deviceId: deviceId)
        return track
    }

    /// What the policy says for `device` without asking: nil while a prompt has not been answered.
    private func panTiltZoomDecided(_ device: ResolvedDevice) -> Bool? {
        guard device.backend.allowsPanTiltZoom else { return false }
        switch panTiltZoomPermission {
        case .granted: return true
        case .denied: return false
        case .prompt: return panTiltZoomDecisions.withLock { $0[device.info.deviceId] }
        }
    }

    /// Whether a track on `device` exposes pan, tilt and zoom; an undecided prompt is asked (once per
    /// device) when the request `asking` for them.
    private func panTiltZoomGranted(_ device: ResolvedDevice, asking: Bool) async -> Bool {
        if let decided = panTiltZoomDecided(device) { return decided }
        guard asking, case .prompt(let ask) = panTiltZoomPermission else { return false }
        let answer = await ask(device.info)
        panTiltZoomDecisions.withLock { $0[device.info.deviceId] = answer }
        return answer
    }

    /// Every device with its modes; a device that cannot be probed keeps its error.
    private func resolveAll() async -> [Result<ResolvedDevice, DOMException>] {
        var results: [Result<ResolvedDevice, DOMException>] = []
        for device in devices {
            do { results.append(.success(try await ResolvedDevice.resolve(device))) } catch { results.append(.failure(error)) }
        }
        if includeSystemDevices {
            results += await SystemDeviceWatch.shared.resolvedCameras().map { .success($0) }
        }
        return results
    }
}

/// A track that its `MediaDevices` does not keep alive.
private struct WeakTrack: Sendable {
    weak var track: MediaStreamTrack?
    init(_ track: MediaStreamTrack) { self.track = track }
}

/// At most one `devicechange` event on its way, and what the last one listed.
private final class DeviceChangeDebounce: Sendable {
    private struct State {
        var scheduled = false
        var known: Set<String>?
    }

    private let state = Locked(State())

    /// True when no event is scheduled yet (the caller schedules it).
    func schedule() -> Bool {
        state.withLock { state in
            defer { state.scheduled = true }
            return !state.scheduled
        }
    }

    func fired() { state.withLock { $0.scheduled = false } }

    /// The devices not in the last list (none the first time), and remembers this one.
    func inserted(_ devices: [MediaDeviceInfo]) -> [MediaDeviceInfo] {
        state.withLock { state in
            defer { state.known = Set(devices.map(\.deviceId)) }
            guard let known = state.known else { return [] }
            return devices.filter { !known.contains($0.deviceId) }
        }
    }
}
