// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// The fake camera: `videotestsrc` in the production graph, the reference control profile with its
/// effects in pixels, an exclusive resource like a real device's, and deterministic faults.
struct FakeCameraBackend: CaptureBackend {
    let camera: FakeCamera

    init(_ camera: FakeCamera) { self.camera = camera }

    /// - Throws: `.invalidDevice` (`TypeError`) for a mode of no size (or beyond 32767) or a frame rate that is not a
    ///   finite number above 0.
    func resolveModes() async throws(CaptureFailure) -> [SourceMode] {
        var modes: [SourceMode] = []
        for mode in camera.modes {
            guard SourceMode.isValid(width: mode.width, height: mode.height), let rate = Fraction(mode.frameRate) else {
                throw CaptureFailure.invalidDevice(
                    "FakeCamera mode \(mode) is not a camera mode: sides must be 1 to \(SourceMode.maximumSide) and the frame rate a finite number above 0 (at most \(Fraction.maximumRate.formatted))."
                )
            }
            modes.append(SourceMode(width: mode.width, height: mode.height, frameRate: rate, encoding: .raw(format: "I420")))
        }
        return modes
    }

    func controlCapabilities() -> MediaTrackCapabilities {
        FakeControls(camera, panTiltZoomGranted: false).capabilities
    }

    func selectionSettings(panTiltZoom: Bool) -> MediaTrackSettings {
        FakeControls(camera, panTiltZoomGranted: panTiltZoom && camera.panTiltZoomPermission).settings
    }

    var allowsPanTiltZoom: Bool { camera.panTiltZoomPermission }

    /// Like a V4L2 node: one opening at a time, released when its last track stops.
    var exclusiveResource: String? { "fake:" + camera.label }

    func willOpen(label: String) throws(CaptureFailure) {
        for case .failToOpen(let name) in camera.faults {
            throw CaptureFailure.injected(name, "Fake camera fault: opening \(label) fails with \(name.rawValue).")
        }
        guard FakeCameraBackend.held.withLock({ $0.insert(camera.label).inserted }) else {
            throw CaptureFailure.notReadable(
                "\(label) is in use by another MediaDevices; stop its tracks first, or open the camera through that MediaDevices, which shares it.")
        }
    }

    func didRelease() { _ = FakeCameraBackend.held.withLock { $0.remove(camera.label) } }

    func pipelineDescription(for mode: SourceMode?) -> String { PipelineDescription.fakeCamera }

    func capsString(for mode: SourceMode) -> String { mode.emulatedCapsString }

    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure) {
        FakeSource.configure(pipeline.sourceElement, camera)
        // The digital pan/tilt/zoom scales back to the mode's size (any size when unknown).
        pipeline.element(named: PipelineDescription.Name.panTiltZoomCaps)?.set("caps", Self.zoomCaps(mode?.size))
    }

    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession {
        FakeCameraSession(
            camera: camera, controls: FakeControlBackend(camera, pipeline: pipeline, panTiltZoomActive: panTiltZoom, frames: frames),
            zoomCaps: pipeline.element(named: PipelineDescription.Name.panTiltZoomCaps))
    }

    fileprivate static func zoomCaps(_ size: AspectCrop.Size?) -> Caps? {
        Caps(size.map { "video/x-raw,width=\($0.width),height=\($0.height)" } ?? "video/x-raw")
    }

    /// Fake cameras held by an opening, by label: the process-wide stand-in for a driver's EBUSY.
    fileprivate static let held = Locked<Set<String>>([])

    /// How many fake cameras are open now (tests: a camera shared by every viewer is opened once).
    static var openCount: Int { held.withLock { $0.count } }
}

/// One opening of the fake camera.
struct FakeCameraSession: DeviceSession {
    let camera: FakeCamera
    private let fakeControls: FakeControlBackend
    private let zoomCaps: Element?

    init(camera: FakeCamera, controls: FakeControlBackend, zoomCaps: Element?) {
        self.camera = camera
        self.fakeControls = controls
        self.zoomCaps = zoomCaps
    }

    var controls: (any ControlBackend)? { fakeControls }

    /// The digital pan/tilt/zoom's crop follows a switch to smaller frames before they come, and its
    /// scale to the new size (on the streaming thread, between two frames: see `Capturer.stream(in:)`).
    func willStream(_ size: AspectCrop.Size) {
        fakeControls.prepareForNewInput()
        zoomCaps?.set("caps", FakeCameraBackend.zoomCaps(size))
    }

    var photoExtras: PhotoExtras {
        let reference = camera.controls == .reference
        return PhotoExtras(
            fillLightModes: camera.fillLightModes, redEyeReduction: camera.redEyeReduction,
            widthStep: reference ? 3 : 1, heightStep: reference ? 2 : 1)
    }

    var photoStateDelay: Duration? {
        camera.faults.lazy.compactMap { if case .photoStateDelay(let delay) = $0 { delay } else { nil } }.first
    }
}
