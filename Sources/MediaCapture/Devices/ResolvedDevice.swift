// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// A device with what opening it needs to know: its backend, ids, modes and capabilities.
struct ResolvedDevice: Sendable {
    let device: CaptureDevice
    let backend: any CaptureBackend
    let info: MediaDeviceInfo
    /// The modes it can stream in; empty when unknown until it runs (a caller's pipeline).
    let modes: [SourceMode]
    /// What a track reports besides its controls: size, rate and aspect ranges, ids.
    let modeCapabilities: MediaTrackCapabilities

    var label: String { info.label }

    init(_ device: CaptureDevice, modes: [SourceMode], groupKey: String? = nil) {
        self.device = device
        self.backend = device.backend
        self.modes = modes
        let deviceId = Identifiers.stable(device.stableKey)
        let groupId = Identifiers.stable("group:" + (groupKey ?? device.stableKey))
        var modeCapabilities = device.kind == .videoinput ? Self.videoCapabilities(modes) : MediaTrackCapabilities()
        modeCapabilities.deviceId = deviceId
        modeCapabilities.groupId = groupId
        self.modeCapabilities = modeCapabilities
        // A track opened without asking for pan/tilt/zoom would not report them.
        var capabilities = modeCapabilities
        ControlMembers.copyControls(from: ControlMembers.filter(backend.controlCapabilities(), panTiltZoom: false), to: &capabilities)
        var info = MediaDeviceInfo(
            deviceId: deviceId, kind: device.kind, label: device.label, groupId: groupId, capabilities: capabilities)
        var seen = Set<VideoMode>()
        info.modes = modes.map { VideoMode(width: $0.width, height: $0.height, frameRate: $0.frameRate.value) }
            .filter { seen.insert($0).inserted }
            .sorted { ($0.width * $0.height, $0.frameRate) > ($1.width * $1.height, $1.frameRate) }
        self.info = info
    }

    /// The width/height/aspectRatio/frameRate ranges over the modes.
    static func videoCapabilities(_ modes: [SourceMode]) -> MediaTrackCapabilities {
        var capabilities = MediaTrackCapabilities(facingMode: [], resizeMode: ["none", CropAndScale.mode])
        let widths = modes.map(\.width), heights = modes.map(\.height), rates = modes.map(\.frameRate.value)
        guard let maxWidth = widths.max(), let maxHeight = heights.max(), let minRate = rates.min(),
            let maxRate = rates.max()
        else { return capabilities }
        // With crop-and-scale any size up to the largest mode can be produced.
        capabilities.width = ULongRange(min: 1, max: UInt32(clamping: maxWidth))
        capabilities.height = ULongRange(min: 1, max: UInt32(clamping: maxHeight))
        capabilities.aspectRatio = DoubleRange(min: 1 / Double(max(maxHeight, 1)), max: Double(maxWidth))
        capabilities.frameRate = DoubleRange(min: minRate, max: maxRate)
        return capabilities
    }

    /// The settings dictionaries SelectSettings chooses among: one per mode (one without a size when
    /// the modes are unknown). `panTiltZoom` says whether the track would expose pan/tilt/zoom.
    /// - Parameter withControls: include the control members (for choosing among devices); without,
    ///   only the mode members.
    func candidates(panTiltZoom: Bool, withControls: Bool = true) -> [(settings: MediaTrackSettings, mode: SourceMode?)] {
        var base = MediaTrackSettings(deviceId: info.deviceId, groupId: info.groupId)
        if device.kind == .videoinput { base.resizeMode = "none" }
        if withControls {
            ControlMembers.copyControls(from: backend.selectionSettings(panTiltZoom: panTiltZoom), to: &base)
        }
        guard !modes.isEmpty else { return [(base, nil)] }
        return modes.map { mode in
            var settings = base
            settings.width = mode.width
            settings.height = mode.height
            settings.aspectRatio = Double(mode.width) / Double(mode.height)
            settings.frameRate = mode.frameRate.value
            return (settings, mode)
        }
    }

    /// Finds out a device's modes through its backend (probing a V4L2 node also reports a missing device).
    /// - Throws: `NotFoundError`, `NotReadableError`, `NotAllowedError` for a device that cannot be opened.
    static func resolve(_ device: CaptureDevice) async throws(DOMException) -> ResolvedDevice {
        do { return ResolvedDevice(device, modes: try await device.backend.resolveModes()) } catch { throw DOMException(error) }
    }
}
