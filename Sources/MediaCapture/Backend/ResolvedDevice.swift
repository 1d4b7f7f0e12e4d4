import GStreamerWrapper

/// A device with what opening it needs to know: its ids, its modes, its controls.
struct ResolvedDevice: Sendable {
    let device: CaptureDevice
    let info: MediaDeviceInfo
    /// The modes it can stream in; empty when unknown until it runs (a caller's pipeline).
    let modes: [SourceMode]
    /// What a track reports besides its controls: size, rate and aspect ranges, ids.
    let modeCapabilities: MediaTrackCapabilities

    var label: String { info.label }

    init(_ device: CaptureDevice, modes: [SourceMode], groupKey: String? = nil) {
        self.device = device
        self.modes = modes
        let deviceId = Identifiers.stable(device.stableKey)
        let groupId = Identifiers.stable("group:" + (groupKey ?? device.stableKey))
        var modeCapabilities = device.kind == .videoinput ? Self.videoCapabilities(modes) : MediaTrackCapabilities()
        modeCapabilities.deviceId = deviceId
        modeCapabilities.groupId = groupId
        self.modeCapabilities = modeCapabilities
        // A track opened without asking for pan/tilt/zoom would not report them.
        var capabilities = modeCapabilities
        switch device.backend {
        case .fake(let camera):
            FakeControls(camera, panTiltZoomGranted: false).merge(into: &capabilities)
        case .recorded(let controls, _):
            let recorded = V4L2ControlBackend(RecordedV4L2Device(listing: controls)).capabilities()
            ControlMembers.copyControls(from: ControlMembers.filter(recorded, panTiltZoom: false), to: &capabilities)
        default:
            break
        }
        self.info = MediaDeviceInfo(
            deviceId: deviceId, kind: device.kind, label: device.label, groupId: groupId, capabilities: capabilities)
    }

    /// What opening the device holds exclusively: a V4L2 node. A new open waits for its release.
    /// Fake devices and caller pipelines share nothing between opens.
    var exclusiveResource: String? {
        if case .v4l2(let path) = device.backend { return "v4l2:" + path }
        return nil
    }

    /// The key a release of one opening is tracked under (shutdown waits for all of them).
    func releaseKey() -> String { exclusiveResource ?? "instance:" + Identifiers.random() }

    /// Whether `videotestsrc` stands in for the camera (fake and recorded cameras).
    var isEmulated: Bool {
        switch device.backend {
        case .fake, .recorded: true
        default: false
        }
    }

    var fakeCamera: FakeCamera? {
        if case .fake(let camera) = device.backend { return camera }
        return nil
    }

    /// The width/height/aspectRatio/frameRate ranges over the modes.
    static func videoCapabilities(_ modes: [SourceMode]) -> MediaTrackCapabilities {
        var capabilities = MediaTrackCapabilities(facingMode: [], resizeMode: ["none", CropAndScale.mode])
        guard !modes.isEmpty else { return capabilities }
        let widths = modes.map(\.width), heights = modes.map(\.height), rates = modes.map(\.frameRate.value)
        // With crop-and-scale any size up to the largest mode can be produced.
        capabilities.width = ULongRange(min: 1, max: UInt32(widths.max()!))
        capabilities.height = ULongRange(min: 1, max: UInt32(heights.max()!))
        capabilities.aspectRatio = DoubleRange(min: 1 / Double(heights.max()!), max: Double(widths.max()!))
        capabilities.frameRate = DoubleRange(min: rates.min()!, max: rates.max()!)
        return capabilities
    }

    /// The settings dictionaries SelectSettings chooses among: one per mode (one without a size when
    /// the modes are unknown). `panTiltZoom` says whether the track would expose pan/tilt/zoom.
    /// - Parameter withControls: include the control members (for choosing among devices); without,
    ///   only the mode members.
    func candidates(panTiltZoom: Bool, withControls: Bool = true) -> [(settings: MediaTrackSettings, mode: SourceMode?)] {
        var base = MediaTrackSettings(deviceId: info.deviceId, groupId: info.groupId)
        if device.kind == .videoinput { base.resizeMode = "none" }
        if withControls, let camera = fakeCamera {
            FakeControls(camera, panTiltZoomGranted: panTiltZoom && camera.panTiltZoomPermission).merge(into: &base)
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

    // MARK: - Resolution

    /// Finds out a device's modes: from its description for the fake camera, by probing the device for
    /// a V4L2 path (which also reports a missing device).
    /// - Throws: `NotFoundError`, `NotReadableError`, `NotAllowedError` for a V4L2 device that cannot be opened.
    static func resolve(_ device: CaptureDevice) async throws(DOMException) -> ResolvedDevice {
        switch device.backend {
        case .fake(let camera):
            let modes = camera.modes.map {
                SourceMode(width: $0.width, height: $0.height, frameRate: Fraction($0.frameRate), encoding: .raw(format: "I420"))
            }
            return ResolvedDevice(device, modes: modes)
        case .v4l2(let path):
            return ResolvedDevice(device, modes: try await probeV4L2(path))
        case .fakeMicrophone, .pipeline:
            return ResolvedDevice(device, modes: [])
        case .recorded(_, let formats):
            let modes = formats.map(V4L2Listing.modes) ?? []
            return ResolvedDevice(
                device, modes: modes.isEmpty ? [SourceMode(width: 640, height: 480, frameRate: Fraction(30, 1), encoding: .raw(format: "YUY2"))] : modes)
        }
    }

    /// Opens the device without streaming (READY) and reads the modes its driver offers.
    private static func probeV4L2(_ path: String) async throws(DOMException) -> [SourceMode] {
        let pipeline: Pipeline
        do {
            pipeline = try Pipeline(description: "v4l2src name=src ! fakesink name=sink", name: "probe")
        } catch {
            throw DOMException(.notReadableError, "V4L2 support is missing: \(error.message) Install gstreamer1.0-plugins-good.")
        }
        guard let source = pipeline.element(named: "src") else { preconditionFailure("probe pipeline without src") }
        source.set("device", path)  // a property value, never parsed
        let opened: Result<[SourceMode], GStreamerError>
        do {
            try await pipeline.ready()
            opened = .success(source.staticPad("src")?.queryCaps().map(SourceMode.modes(from:)) ?? [])
        } catch {
            opened = .failure(error)
        }
        await pipeline.stop()  // release the device before anyone opens it for streaming
        let modes: [SourceMode]
        switch opened {
        case .success(let found): modes = found
        case .failure(let error): throw DOMException(opening: path, error)
        }
        guard !modes.isEmpty else {
            throw DOMException(.notReadableError, "\(path) offers no video mode the library can use (raw or MJPEG). Is it a capture device?")
        }
        return modes
    }
}
