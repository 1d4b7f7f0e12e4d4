// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// What differs between kinds of device: one implementation per kind, each in its folder of
/// `Backends/` (the fake camera and microphone, V4L2 cameras live and recorded, network cameras,
/// PipeWire cameras, a caller-described pipeline). Everything else (the capturer, tracks,
/// `ImageCapture`) talks to this protocol and to ``DeviceSession``, and never asks which kind it has.
/// Backends are the capture layer: they fail with ``CaptureFailure``s.
///
/// A backend is the device before it is opened: its modes, what it would report, its source
/// fragment (the canonical pipeline whose `src` it configures or replaces). ``makeSession(pipeline:panTiltZoom:frames:)`` gives what one opening owns.
protocol CaptureBackend: Sendable {
    var kind: MediaDeviceInfo.Kind { get }

    /// The modes the device can stream in; empty when unknown until it runs. May probe the device
    /// (bounded).
    /// - Throws: `.notFound`, `.notReadable`, `.notAllowed` when the device cannot be opened.
    func resolveModes() async throws(CaptureFailure) -> [SourceMode]

    /// The control members a track on this device would report, pan, tilt and zoom left out (what
    /// `MediaDeviceInfo.getCapabilities()` shows before opening).
    func controlCapabilities() -> MediaTrackCapabilities

    /// Control values that take part in choosing among devices (`getUserMedia`'s SelectSettings).
    func selectionSettings(panTiltZoom: Bool) -> MediaTrackSettings

    /// Whether pan, tilt and zoom may be granted at all (the system policy is asked as well).
    var allowsPanTiltZoom: Bool { get }

    /// What an opening holds exclusively (a V4L2 node): a new open waits for the last one's release.
    /// Nil: nothing is shared between openings.
    var exclusiveResource: String? { get }

    /// Called before the device is opened: a refusal here (a fault, a device in use) is the open's error.
    func willOpen(label: String) throws(CaptureFailure)

    /// The opening that ``willOpen(label:)`` allowed has let the device go (stopped, or failed to open).
    func didRelease()

    /// The canonical pipeline to parse for `mode` (a constant of `PipelineDescription`).
    func pipelineDescription(for mode: SourceMode?) -> String

    /// The caps the source capsfilter asks for in `mode`.
    func capsString(for mode: SourceMode) -> String

    /// Sets the device and its knobs on the parsed pipeline's named elements (never by pasting text).
    /// - Throws: `.notFound`, `.notReadable` (a missing plugin) or `.notSupported` (a caller's description) when the source cannot be built.
    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure)

    /// Whether ``configure(_:mode:)`` may load plugins or connect to a service: then the pipeline is
    /// built on a thread of its own, never on Swift's cooperative pool.
    var configureMayBlock: Bool { get }

    /// What one opening owns: controls, photo extras, the exclusive resource, faults. Changes to
    /// elements that negotiation reads go through `frames`.
    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession

    /// The failure `getUserMedia` rejects with when the pipeline could not start streaming.
    func openError(_ error: GStreamerError, label: String) -> CaptureFailure
}

extension CaptureBackend {
    var kind: MediaDeviceInfo.Kind { .videoinput }
    func controlCapabilities() -> MediaTrackCapabilities { MediaTrackCapabilities() }
    func selectionSettings(panTiltZoom: Bool) -> MediaTrackSettings { MediaTrackSettings() }
    var allowsPanTiltZoom: Bool { true }
    var exclusiveResource: String? { nil }
    func willOpen(label: String) throws(CaptureFailure) {}
    func didRelease() {}
    func capsString(for mode: SourceMode) -> String { mode.capsString }
    var configureMayBlock: Bool { false }
    func openError(_ error: GStreamerError, label: String) -> CaptureFailure { CaptureFailure(opening: label, error) }
}

/// One opening of a device: what lives from the pipeline's first frame to its shutdown.
protocol DeviceSession: Sendable {
    /// The camera's controls (nil: none the library knows, or not started yet).
    var controls: (any ControlBackend)? { get }

    /// The pipeline delivered its first frame: attach to the device (on a thread of its own, for
    /// a device that needs I/O), and report controls changed elsewhere and a device that went away.
    func start(onControlsChanged: @escaping @Sendable () -> Void, onLost: @escaping @Sendable (String) -> Void) async

    /// The pipeline is about to let the device go: no device call may follow.
    func stop() async

    /// The source is about to switch to frames of `size` (elements of the session's own before the
    /// tee, such as the fake camera's digital zoom, adapt here).
    func willStream(_ size: AspectCrop.Size)

    /// What `takePhoto` accepts beyond sizes: fill-light modes, red-eye reduction, size steps.
    var photoExtras: PhotoExtras { get }

    /// Readies the fill light for a photo in `mode`, just before the shutter opens.
    /// - Returns: what ``restoreLight(_:)`` needs to put the light back.
    /// - Throws: `.incomplete` when the device refuses.
    func prepareLight(_ mode: FillLightMode?) async throws(CaptureFailure) -> LightRestore?

    func restoreLight(_ restore: LightRestore) async

    /// How long gathering the photo state takes on this device beyond reading cached values
    /// (the fake camera's `photoStateDelay` fault).
    var photoStateDelay: Duration? { get }

    /// The source failed (`error`) or reached its end (nil) by itself after it started streaming. A
    /// session that brings it back (a network camera reconnecting) returns true and keeps the tracks,
    /// muted through `muted` until frames return; it ends them through `start`'s `onLost` when it
    /// gives up. False: the tracks end now.
    func recover(from error: GStreamerError?, muted: @escaping @Sendable (Bool) -> Void) -> Bool
}

extension DeviceSession {
    func start(onControlsChanged: @escaping @Sendable () -> Void, onLost: @escaping @Sendable (String) -> Void) async {}
    func stop() async {}
    func willStream(_ size: AspectCrop.Size) {}
    var photoExtras: PhotoExtras { PhotoExtras() }
    func prepareLight(_ mode: FillLightMode?) async throws(CaptureFailure) -> LightRestore? { nil }
    func restoreLight(_ restore: LightRestore) async {}
    var photoStateDelay: Duration? { nil }
    func recover(from error: GStreamerError?, muted: @escaping @Sendable (Bool) -> Void) -> Bool { false }
}

/// What a device adds to `PhotoCapabilities` beyond the sizes its modes give.
struct PhotoExtras: Sendable, Hashable {
    var fillLightModes: [FillLightMode] = []
    var redEyeReduction: RedEyeReduction = .never
    var widthStep: Double = 1
    var heightStep: Double = 1
}

/// The light state to put back after a flash photo (e.g. a torch that was on).
struct LightRestore: Sendable, Hashable {
    var value: Int64
}
