import GStreamerWrapper
import Synchronization

/// The capturer: one opened camera, shared by a track and its clones.
///
/// Owns the pipeline (`pipelines/*.pipeline`): source → capsfilter → [jpegdec] → tee, with one
/// branch per track and the photo branch. The source stops when its last track stops, or ends
/// (error, end of stream) and then ends every track with an `ended` event.
final class VideoSource: Sendable {
    let device: ResolvedDevice
    let pipeline: Pipeline
    private let tee: Element

    /// What a track wants to hear from its source.
    struct Observer: Sendable {
        var ended: @Sendable () -> Void
        var muted: @Sendable (Bool) -> Void
        /// Settings changed outside the library (another program, the driver).
        var settingsChanged: @Sendable () -> Void = {}
    }

    private struct State {
        var branches: [UInt64: TrackBranch] = [:]
        var observers: [UInt64: Observer] = [:]
        var nextBranch: UInt64 = 1
        var ended = false
        /// Why the source ended, when it was not stopped by its tracks.
        var failure: GStreamerError?
        var reachedEndOfStream = false
    }

    private let state = Mutex(State())
    let photo: PhotoBranch
    /// The key its release is tracked under (see `ResolvedDevice.exclusiveResource`).
    let resource: String
    /// The camera's controls (nil for a caller's pipeline, which has none the library knows).
    let controls: ControlBackend?
    /// Whether the source was opened with pan-tilt-zoom permission.
    let panTiltZoom: Bool
    /// Device operations (photos, mode switches, control writes) run one at a time, in call order.
    let operations = AsyncLock()
    /// The mode the source streams in now (it changes during a high-resolution photo).
    let currentMode: Mutex<SourceMode?>
    /// Photo jobs, run one at a time (see VideoSource+Photo).
    let photoJobs = Mutex(PhotoJobs())
    private static let counter = Atomic<UInt64>(0)

    /// How long opening may take before the camera counts as unreadable.
    static let openTimeout = Duration.seconds(5)

    private init(device: ResolvedDevice, mode: SourceMode?, pipeline: Pipeline, tee: Element, panTiltZoom: Bool) {
        self.device = device
        self.pipeline = pipeline
        self.tee = tee
        self.panTiltZoom = panTiltZoom
        self.resource = device.releaseKey()
        switch device.device.backend {
        case .fake(let camera):
            controls = FakeControlBackend(camera, pipeline: pipeline, panTiltZoomActive: panTiltZoom)
        case .recorded(let listing, _):
            controls = V4L2ControlBackend(RecordedV4L2Device(listing: listing))
        case .v4l2:
            controls = V4L2ControlBackend(LiveV4L2Device())  // attached once the device is open
        default:
            controls = nil
        }
        self.photo = PhotoBranch(in: pipeline)
        self.currentMode = Mutex(mode)
    }

    // MARK: - Opening

    /// Builds the pipeline for `device` in `mode`, starts it and waits (bounded) for the first frame.
    /// - Returns: the source and the first track's branch, already holding a frame.
    /// - Throws: `NotFoundError`, `NotReadableError`, `NotAllowedError` (see ``DOMException/init(opening:_:)``).
    /// - Parameter size: the first track's frame size (the mode's, or smaller with crop-and-scale).
    static func open(_ device: ResolvedDevice, mode: SourceMode?, size: AspectCrop.Size? = nil, panTiltZoom: Bool)
        async throws(DOMException)
        -> (VideoSource, TrackBranch)
    {
        let description: String
        switch (device.device.backend, mode?.encoding) {
        case (.v4l2, .mjpeg?): description = PipelineDescription.cameraMJPEG
        case (.v4l2, _): description = PipelineDescription.camera
        default: description = PipelineDescription.fakeCamera
        }
        let name = "capture-\(counter.add(1, ordering: .relaxed).newValue)"
        let pipeline: Pipeline
        do {
            pipeline = try Pipeline(description: description, name: name)
        } catch {
            throw DOMException(.notReadableError, "The capture pipeline could not be built: \(error.message) Install gstreamer1.0-plugins-base and -good.")
        }
        guard let tee = pipeline.element(named: PipelineDescription.Name.tee) else {
            preconditionFailure("the canonical pipeline has no tee")  // PipelineFileTests
        }
        try configureSource(of: pipeline, for: device, mode: mode)
        let source = VideoSource(device: device, mode: mode, pipeline: pipeline, tee: tee, panTiltZoom: panTiltZoom)
        source.controls?.watchChanges { [weak source] in source?.controlsChangedElsewhere() }
        let branch = TrackBranch.canonical(in: pipeline)
        branch.setSize(mode.map { size ?? AspectCrop.Size(width: $0.width, height: $0.height) })
        source.state.withLock { $0.branches[0] = branch }
        pipeline.onMessage { [weak source] message in source?.handle(message) }

        let noFrame = DOMException(.notReadableError, "\(device.label) delivered no frame within \(openTimeout). Check that no other program holds it and that it streams in \(mode?.videoMode.description ?? "its default mode").")
        do {
            // A live pipeline reaches PLAYING with its first frame: both waits share one deadline.
            let pacesFrames: Bool
            if case .pipeline = device.device.backend { pacesFrames = true } else { pacesFrames = false }
            try await pipeline.play(timeoutMilliseconds: Int(openTimeout.components.seconds) * 1000) { isLive in
                // A caller's non-live source (a file) plays at its own pace, like a camera, instead of
                // as fast as it can decode. Cameras and the fake camera never wait on the clock.
                if pacesFrames && !isLive { branch.sink.element.set("sync", true) }
            }
            _ = try await branch.hub.frame(after: 0, timeout: openTimeout)
            source.attachDeviceControls()
            return (source, branch)
        } catch let error as GStreamerError {
            await source.shutDown()
            if error.isTimeout { throw noFrame }
            throw DOMException(opening: device.label, error)
        } catch let failure as FrameHub.Failure {
            let (cause, endOfStream) = source.state.withLock { ($0.failure, $0.reachedEndOfStream) }
            await source.shutDown()
            if let cause { throw DOMException(opening: device.label, cause) }
            if endOfStream {
                throw DOMException(.notReadableError, "\(device.label) reached its end of stream before delivering a frame.")
            }
            if failure == .cancelled { throw DOMException(.abortError, "Opening \(device.label) was cancelled.") }
            throw noFrame
        } catch {
            await source.shutDown()
            throw DOMException(.unknownError, "\(error)")
        }
    }

    /// Sets the device, mode and fake-camera knobs on the parsed pipeline's named elements.
    private static func configureSource(of pipeline: Pipeline, for device: ResolvedDevice, mode: SourceMode?)
        throws(DOMException)
    {
        typealias N = PipelineDescription.Name
        guard let source = pipeline.element(named: N.source), let caps = pipeline.element(named: N.sourceCaps) else {
            preconditionFailure("the canonical pipeline has no src or caps element")  // PipelineFileTests
        }
        caps.set("caps", Caps(mode.map { device.isEmulated ? $0.emulatedCapsString : $0.capsString } ?? "video/x-raw"))
        // The fake camera's digital pan/tilt/zoom scales back to the mode's size (any size when unknown).
        pipeline.element(named: N.panTiltZoomCaps)?.set(
            "caps", Caps(mode.map { "video/x-raw,width=\($0.width),height=\($0.height)" } ?? "video/x-raw"))
        switch device.device.backend {
        case .v4l2(let path):
            source.set("device", path)  // a property value, never parsed
        case .fake(let camera):
            FakeSource.configure(source, camera)
        case .pipeline(let description):
            // The caller's description becomes a bin of its own and replaces `src`; it is never pasted
            // into ours.
            let bin: Element
            do {
                bin = try Element(binFromDescription: description, name: "user-source")
            } catch {
                throw DOMException(.notFoundError, "The source pipeline could not be built: \(error.message)")
            }
            pipeline.remove(source)
            pipeline.add(bin)
            guard bin.link(to: caps) else {
                throw DOMException(.notReadableError, "The source pipeline has no raw-video output to link: end it with a decoder or `videoconvert`.")
            }
        case .recorded:
            source.set("is-live", true)
        case .fakeMicrophone:
            preconditionFailure("not a video source")
        }
    }

    // MARK: - Tracks

    /// Registers what a track does when the source ends by itself (error, end of stream) or mutes.
    func observe(branch id: UInt64, _ observer: Observer) {
        state.withLock { $0.observers[id] = observer }
    }

    private func controlsChangedElsewhere() {
        let observers = state.withLock { Array($0.observers.values) }
        for observer in observers { observer.settingsChanged() }
    }

    /// Mutes or unmutes every track of the source (each fires `mute`/`unmute` on a change).
    func setMuted(_ muted: Bool) {
        let observers = state.withLock { Array($0.observers.values) }
        for observer in observers { observer.muted(muted) }
    }

    /// A branch for a clone: returned at once, attached on the pipeline's queue. A branch that cannot
    /// be attached ends (its hub fails every wait).
    func addBranch() -> (UInt64, TrackBranch)? {
        let template = state.withLock { $0.branches[0] ?? $0.branches.values.first }
        guard let template else { return nil }
        let added: (UInt64, TrackBranch)? = state.withLock { state in
            guard !state.ended else { return nil }
            let id = state.nextBranch
            state.nextBranch += 1
            guard let branch = TrackBranch.make(index: id, like: template) else { return nil }
            state.branches[id] = branch
            return (id, branch)
        }
        guard let (id, branch) = added else { return nil }
        let pipeline = self.pipeline, tee = self.tee
        pipeline.queue.async { [weak self] in
            if !branch.attach(to: pipeline, tee: tee) {
                branch.detach(from: pipeline, tee: tee)
                self?.endBranch(id)
            }
        }
        return (id, branch)
    }

    /// A track stopped: its branch goes; the last one stops the whole source and releases the device.
    func removeBranch(_ id: UInt64) {
        let (branch, isLast) = state.withLock { state -> (TrackBranch?, Bool) in
            state.observers.removeValue(forKey: id)
            let branch = state.branches.removeValue(forKey: id)
            return (branch, state.branches.isEmpty && !state.ended)
        }
        guard let branch else { return }
        if isLast {
            state.withLock { $0.ended = true }
            branch.hub.end()
            photo.end()
            ReleaseTracker.shared.release(resource) { await self.shutDown() }
        } else {
            let pipeline = self.pipeline, tee = self.tee
            pipeline.queue.async { branch.detach(from: pipeline, tee: tee) }
        }
    }

    private func endBranch(_ id: UInt64) {
        let observer = state.withLock { $0.observers.removeValue(forKey: id) }
        observer?.ended()
    }

    // MARK: - Ending

    private func handle(_ message: BusMessage) {
        switch message {
        case .error(let error): end(because: error)
        case .endOfStream: end(because: nil)
        case .warning: break
        }
    }

    /// The source ended by itself: every track ends with an `ended` event, exactly once.
    private func end(because error: GStreamerError?) {
        let taken = state.withLock { state -> (branches: [TrackBranch], observers: [Observer])? in
            guard !state.ended else { return nil }
            state.ended = true
            state.failure = error
            state.reachedEndOfStream = error == nil
            defer { state.observers.removeAll() }
            return (Array(state.branches.values), Array(state.observers.values))
        }
        guard let taken else { return }
        for branch in taken.branches { branch.hub.end() }
        photo.end()
        for observer in taken.observers { observer.ended() }
        ReleaseTracker.shared.release(resource) { await self.shutDown() }
    }

    /// The live camera's controls use the descriptor v4l2src streams from (nothing is written).
    private func attachDeviceControls() {
        guard let live = (controls as? V4L2ControlBackend)?.device as? LiveV4L2Device,
            case .v4l2(let path) = device.device.backend,
            let fd = pipeline.element(named: PipelineDescription.Name.source)?.int("device-fd"), fd >= 0
        else { return }
        live.attach(fd: fd, path: path)
    }

    /// Stops the pipeline (NULL joins its threads) and drops the bus handler. Idempotent.
    private func shutDown() async {
        // Before the pipeline closes the device: no ioctl may reach a closed or reused descriptor.
        ((controls as? V4L2ControlBackend)?.device as? LiveV4L2Device)?.detach()
        pipeline.onMessage { _ in }
        let branches = state.withLock { state in
            state.ended = true
            return Array(state.branches.values)
        }
        for branch in branches {
            branch.sink.clearCallbacks()
            branch.hub.end()
        }
        photo.end()
        await pipeline.stop()
    }

    var isEnded: Bool { state.withLock { $0.ended } }
}
