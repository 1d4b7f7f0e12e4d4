// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
internal import PipeWire
import Glibc
internal import V4L2
import Locking

/// A PipeWire camera node: `pipewiresrc ! videoconvert` (`pipelines/sources/pipewire.source`) as a
/// bin in the camera's place, the node set as `target-object`. Modes come from the node's caps as
/// PipeWire lists them (`PipeWireCameras`); the track ends when the device watch no longer lists the node.
struct PipeWireCameraBackend: CaptureBackend {
    let node: String

    /// The node's raw-video modes, as PipeWire lists them (a blocking listing, off the pool, bounded).
    /// - Throws: `.notFound` when PipeWire lists no camera node of that name or serial.
    func resolveModes() async throws(CaptureFailure) -> [SourceMode] {
        let node = self.node
        let found = await SystemDeviceWatch.shared.cameras()
        guard let description = found.first(where: { $0.pipeWireNode == node || ($0.pipeWireNode != nil && $0.properties["object.serial"] == node) })
        else {
            throw CaptureFailure.notFound(
                "PipeWire lists no camera node '\(node)'. List cameras with `imagecapture devices` (or `pw-cli ls Node`); is PipeWire running in this session?"
            )
        }
        return description.pipeWireModes
    }

    func pipelineDescription(for mode: SourceMode?) -> String { PipelineDescription.source }

    var configureMayBlock: Bool { true }  // pipewiresrc loads its plugin, and the source connects to PipeWire

    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure) {
        let (bin, source) = try Pipeline.librarySource(
            PipelineDescription.pipeWireSource, element: "pipewire-source", plugin: "PipeWire", package: "gstreamer1.0-pipewire")
        source.set("target-object", node)  // a property value, never parsed
        // A connection of its own (see PipeWireConnection): never the plugin's shared one.
        guard let connection = PipeWireConnection.open() else {
            throw CaptureFailure.notReadable(
                "No PipeWire daemon answers in this session ($PIPEWIRE_RUNTIME_DIR or $XDG_RUNTIME_DIR). Is PipeWire running?")
        }
        source.set("fd", ownedDescriptor: connection)
        guard pipeline.replaceSource(with: bin) else {
            throw CaptureFailure.notReadable("The PipeWire camera's source could not be linked.")
        }
    }

    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession {
        PipeWireSession(node: node)
    }

    func openError(_ error: GStreamerError, label: String) -> CaptureFailure {
        CaptureFailure.notReadable("The PipeWire camera \(label) could not be opened: \(error.message) Is its node still there (`pw-cli ls Node`)?")
    }
}

/// One opening of a PipeWire camera: ends the tracks when the device watch no longer lists its node
/// (what `pipewiresrc` does then is not relied on). A node that PipeWire serves from a V4L2 device
/// (`api.v4l2.path`) gets that device's controls, through ioctls on a handle of the library's own.
final class PipeWireSession: DeviceSession {
    private let node: String
    private struct State {
        var subscription: UInt64?
        var v4l2: V4L2Session?
    }

    private let state = Locked(State())

    init(node: String) { self.node = node }

    var controls: (any ControlBackend)? { state.withLock { $0.v4l2 }?.controls }

    var photoExtras: PhotoExtras { state.withLock { $0.v4l2 }?.photoExtras ?? PhotoExtras() }

    func start(onControlsChanged: @escaping @Sendable () -> Void, onLost: @escaping @Sendable (String) -> Void) async {
        let node = self.node
        let id = SystemDeviceWatch.shared.subscribe { change in
            guard !change.added, change.device.pipeWireNode == node else { return }
            onLost("The PipeWire camera \(node) went away. Open a new track with getUserMedia once it is back.")
        }
        state.withLock { $0.subscription = id }
        // The watch now runs: its list answers without probing.
        let path = await SystemDeviceWatch.shared.cameras().first { $0.pipeWireNode == node }?.properties["api.v4l2.path"]
        guard let path,
            let opened = await BlockingCall.run(timeout: V4L2Session.callTimeout, { OpenedV4L2Device(path: path) }) ?? nil
        else { return }
        let v4l2 = V4L2Session(label: node) { opened }
        await v4l2.start(onControlsChanged: onControlsChanged, onLost: { _ in })  // the node's removal ends the track
        let kept = state.withLock { state -> Bool in
            guard state.subscription != nil else { return false }  // stopped meanwhile
            state.v4l2 = v4l2
            return true
        }
        if !kept { await v4l2.stop() }
    }

    func stop() async {
        let (id, v4l2) = state.withLock { state in
            defer { state = State() }
            return (state.subscription, state.v4l2)
        }
        if let id { SystemDeviceWatch.shared.unsubscribe(id) }
        await v4l2?.stop()
    }
}
