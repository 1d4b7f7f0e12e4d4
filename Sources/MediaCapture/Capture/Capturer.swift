// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking
import Synchronization

/// The capturer: one opened camera, shared by a track and its clones. It speaks GStreamer and nothing
/// of the W3C: it fails with ``CaptureFailure``s, which ``VideoTrackSource`` above it turns into
/// `DOMException`s.
///
/// Owns the pipeline (`pipelines/*.pipeline`): the backend's source → capsfilter → tee (a decoder in
/// each branch for an MJPEG camera),
/// with one frames branch per track (``TrackBranch``) and the photo branch (``PhotoBranch``). What
/// differs between kinds of device is the ``DeviceSession`` its backend made; this type never asks
/// which kind it has. It stops when its last track stops, or ends (error, end of stream, device
/// lost) and then ends every track with one `ended` event each.
final class Capturer: Sendable {
    let device: ResolvedDevice
    let pipeline: Pipeline
    let session: any DeviceSession
    let photo: PhotoBranch
    let timing: CaptureTiming
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
        /// Recordings running on the source, by their branch's name, with the track each records.
        var recordings: [String: (track: UInt64, branch: RecordingBranch)] = [:]
        /// The live encodes (one per codec, shared by every viewer), while someone watches.
        var encoders: [EncodedVideoCodec: EncodingBranch] = [:]
    }

    private let state = Locked(State())
    /// The key its release is tracked under (see ``ReleaseTracker``).
    let resource: String
    /// Whether the source was opened with pan-tilt-zoom permission.
    let panTiltZoom: Bool
    /// Device operations (photos, mode switches, control writes) run one at a time, in call order.
    let operations = AsyncLock()
    /// The mode the source streams in now (it changes during a high-resolution photo).
    let currentMode: Locked<SourceMode?>
    private static let counter = Atomic<UInt64>(0)
    /// Unique element names for clone branches (a pipeline refuses two children of one name).
    private static let branchNames = Atomic<UInt64>(0)
    private let shutdownStarted = Atomic<Bool>(false)
    private let controlsChanged = CallbackSlot<Capturer>()
    /// Where changes that negotiation reads are made: between two of the source's frames.
    let frames: FrameBoundary
    /// Completed when the source ends or its last track stops: waits that are not for a frame (a
    /// slow device's photo state) end with it.
    let ended = SharedResult<Void, CaptureFailure>(cancelled: .cancelled())

    private init(
        device: ResolvedDevice, mode: SourceMode?, pipeline: Pipeline, panTiltZoom: Bool, timing: CaptureTiming
    ) {
        self.device = device
        self.pipeline = pipeline
        self.tee = pipeline.canonicalElement(Pipeline.Name.tee)
        self.panTiltZoom = panTiltZoom
        self.timing = timing
        self.resource = device.backend.exclusiveResource ?? "instance:" + Identifiers.random()
        // At most the stall bound: a source that sends no frame negotiates nothing meanwhile, so a
        // change then runs where it was asked, and a photo on a stalled camera fails as fast as a grab.
        self.frames = FrameBoundary(
            output: pipeline.sourceElement.staticPad("src"),
            timeout: min(timing.modeSwitchTimeout, CaptureTiming.stallBound(frameRate: mode?.frameRate.value)))
        self.session = device.backend.makeSession(pipeline: pipeline, panTiltZoom: panTiltZoom, frames: frames)
        self.photo = PhotoBranch(in: pipeline)
        // Frames a source does not number (PipeWire's without its header, an RTSP stream) get the
        // library's own count, before the tee: every branch sees one number per frame.
        let numbering = Atomic<UInt64>(0)
        tee.staticPad("sink")?.addBufferProbe { context in
            if context.offset == nil { context.setOffset(numbering.add(1, ordering: .relaxed).newValue) }
            return .pass
        }
        self.currentMode = Locked(mode)
    }

    /// The camera's controls (nil for a source without any the library knows).
    var controls: (any ControlBackend)? { session.controls }

    // MARK: - Opening

    /// Builds the pipeline for `device` in `mode`, starts it and waits (bounded) for the first frame.
    /// - Returns: the source and the first track's branch, already holding a frame.
    /// - Throws: `.notFound`, `.notReadable`, `.notAllowed` (see ``CaptureFailure/init(opening:_:)``),
    ///   `.cancelled`, or the backend's refusal (a device in use, a fault).
    /// - Parameter size: the first track's frame size (the mode's, or smaller with crop-and-scale).
    /// - Parameter frameRate: the first track's lower rate with crop-and-scale (nil: the mode's).
    static func open(
        _ device: ResolvedDevice, mode: SourceMode?, size: AspectCrop.Size? = nil, frameRate: Double? = nil, panTiltZoom: Bool,
        timing: CaptureTiming
    ) async throws(CaptureFailure) -> (Capturer, TrackBranch) {
        let backend = device.backend
        try backend.willOpen(label: device.label)
        let name = "capture-\(counter.add(1, ordering: .relaxed).newValue)"
        // Building is CPU work once the plugins are loaded. The first element of a kind loads its
        // plugin (dlopen, file I/O), which runs on a thread of its own, bounded by the open's deadline;
        // a build that finishes after it releases the device itself.
        let description = backend.pipelineDescription(for: mode)
        let build = BuildRace()
        let make = { @Sendable () -> Result<Pipeline, CaptureFailure> in
            let result: Result<Pipeline, CaptureFailure>
            do {
                let pipeline = try Pipeline(canonical: description, name: name)
                try configure(pipeline, for: device, mode: mode)
                result = .success(pipeline)
            } catch let error as CaptureFailure {
                result = .failure(error)
            } catch {
                result = .failure(.notReadable("The capture pipeline could not be built: \(error) Install gstreamer1.0-plugins-base and -good."))
            }
            if build.finish() { backend.didRelease() }  // nobody waits for it any more
            return result
        }
        let built =
            Pipeline.canonicalLoadsPlugins(description) || backend.configureMayBlock
            ? await BlockingCall.run(timeout: timing.openTimeout, make) : make()
        let pipeline: Pipeline
        switch built {
        case .success(let made)?: pipeline = made
        case .failure(let error)?:
            backend.didRelease()
            throw error
        case nil:
            if build.abandon() { backend.didRelease() }  // it finished just after the deadline
            throw .notReadable(
                "\(device.label)'s pipeline was not built within \(timing.openTimeout): loading a GStreamer plugin or reaching its service hung.")
        }
        let source = Capturer(device: device, mode: mode, pipeline: pipeline, panTiltZoom: panTiltZoom, timing: timing)
        let branch = TrackBranch.canonical(in: pipeline, linger: timing.gateLinger)
        branch.setSize(mode.map { size ?? AspectCrop.Size(width: $0.width, height: $0.height) })
        branch.setMaximumFrameRate(frameRate)
        source.state.withLock { $0.branches[0] = branch }
        pipeline.onMessage { [weak source] message in source?.handle(message) }

        let noFrame = CaptureFailure.notReadable(
            "\(device.label) delivered no frame within \(timing.openTimeout). Check that no other program holds it and that it streams in \(mode?.videoMode.description ?? "its default mode")."
        )
        do {
            // A live pipeline reaches PLAYING with its first frame: both waits share one deadline.
            try await pipeline.play(timeoutMilliseconds: timing.openTimeout.milliseconds)
            _ = try await branch.hub.sample(after: 0, timeout: timing.openTimeout)
        } catch let error as GStreamerError {
            // A failure to open reaches the caller as its DOMException; GStreamer's own error is logged.
            if !error.isCancelled { Log.logger.error("\(Log.redacted(device.label)) did not open: \(Log.redacted(error.description))") }
            await source.shutDown()
            if pipeline.isWedged {
                Log.logger.warning("\(Log.redacted(device.label)) did not answer within \(timing.openTimeout); its pipeline is abandoned")
                throw CaptureFailure.notReadable(
                    "\(device.label) did not answer within \(timing.openTimeout): its driver (or a source element) is stuck opening it. Unplug and replug the camera, or check what holds it."
                )
            }
            if error.isTimeout { throw noFrame }
            if error.isCancelled { throw CaptureFailure.cancelled("Opening \(device.label) was cancelled.") }
            throw backend.openError(error, label: device.label)
        } catch let failure as SampleHub.Failure {
            let (cause, endOfStream) = source.state.withLock { ($0.failure, $0.reachedEndOfStream) }
            // A cause came from the bus, which logged it already.
            await source.shutDown()
            if let cause { throw backend.openError(cause, label: device.label) }
            if endOfStream {
                throw CaptureFailure.notReadable("\(device.label) reached its end of stream before delivering a frame.")
            }
            if failure == .cancelled { throw CaptureFailure.cancelled("Opening \(device.label) was cancelled.") }
            throw noFrame
        } catch {
            await source.shutDown()
            throw CaptureFailure.incomplete("\(error)")
        }
        let negotiated = source.inputSize.map { " (frames of \($0.width)x\($0.height))" } ?? ""
        Log.logger.debug("Opened \(Log.redacted(device.label)) in \(mode?.videoMode.description ?? "its default mode")\(negotiated)")
        await source.session.start(
            onControlsChanged: { [weak source] in source?.controlsChangedElsewhere() },
            onLost: { [weak source] reason in
                source?.end(
                    because: GStreamerError(
                        domain: .resource, code: GStreamerError.ResourceCode.notFound.rawValue, message: reason))
            })
        return (source, branch)
    }

    /// Sets the mode's caps on the parsed pipeline, then lets the backend set its device and knobs.
    private static func configure(_ pipeline: Pipeline, for device: ResolvedDevice, mode: SourceMode?) throws(CaptureFailure) {
        let backend = device.backend
        pipeline.canonicalElement(Pipeline.Name.sourceCaps).set(
            "caps", Caps(mode.map(backend.capsString(for:)) ?? "video/x-raw"))
        try backend.configure(pipeline, mode: mode)
    }

    // MARK: - Tracks

    /// Registers what a track does when the source ends by itself (error, end of stream) or mutes.
    func observe(branch id: UInt64, _ observer: Observer) {
        state.withLock { $0.observers[id] = observer }
    }

    private func controlsChangedElsewhere() {
        controlsChanged(self)
        let observers = state.withLock { Array($0.observers.values) }
        for observer in observers { observer.settingsChanged() }
    }

    /// Calls `body` with the capturer when the controls change outside the library (before the tracks
    /// hear of it): `body` needs no reference of its own to the capturer, which keeps it.
    func onControlsChangedElsewhere(_ body: @escaping @Sendable (Capturer) -> Void) { controlsChanged.set(body) }

    /// Mutes or unmutes every track of the source (each fires `mute`/`unmute` on a change).
    func setMuted(_ muted: Bool) {
        let observers = state.withLock { Array($0.observers.values) }
        for observer in observers { observer.muted(muted) }
    }

    /// A branch for a clone: returned at once, attached on the pipeline's queue. A branch that cannot
    /// be attached ends (its hub fails every wait) and its track ends. Nil when the source has ended.
    /// - Parameter like: the cloned track's branch, whose size and rate the new one takes.
    func addBranch(like model: TrackBranch? = nil) -> (UInt64, TrackBranch)? {
        // Made outside the lock that the bus handler needs: element creation takes its time.
        guard let template = model ?? state.withLock({ $0.branches[0] ?? $0.branches.values.first }),
            let branch = TrackBranch.make(
                index: Self.branchNames.add(1, ordering: .relaxed).newValue, like: template, linger: timing.gateLinger)
        else { return nil }
        let id: UInt64? = state.withLock { state in
            guard !state.ended else { return nil }
            let id = state.nextBranch
            state.nextBranch += 1
            state.branches[id] = branch
            return id
        }
        guard let id else { return nil }
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
    /// One critical section decides both, so a clone racing the last stop either gets a branch of a
    /// live source or none.
    func removeBranch(_ id: UInt64) {
        let (branch, isLast) = state.withLock { state -> (TrackBranch?, Bool) in
            state.observers.removeValue(forKey: id)
            guard let branch = state.branches.removeValue(forKey: id) else { return (nil, false) }
            let isLast = state.branches.isEmpty && !state.ended
            if isLast {
                state.ended = true
                releaseDevice()  // registered before anyone can see the source ended
            }
            return (branch, isLast)
        }
        finishRecordings(of: id)
        endEncodedSubscriptions(of: id, all: isLast)
        guard let branch else { return }
        if isLast {
            branch.hub.end()
            photo.end()
            frames.end()
            ended.complete(.success(()))
        } else {
            let pipeline = self.pipeline, tee = self.tee
            pipeline.queue.async { branch.detach(from: pipeline, tee: tee) }
        }
    }

    /// A clone's branch could not be attached: it leaves the source, and its track ends.
    private func endBranch(_ id: UInt64) {
        let observer = state.withLock { state in
            state.branches.removeValue(forKey: id)
            return state.observers.removeValue(forKey: id)
        }
        observer?.ended()
    }

    // MARK: - Ending

    private func handle(_ message: BusMessage) {
        switch message {
        case .error(let error) where routeRecordingError(error) || routeEncoderError(error):
            break
        case .error(let error):
            Log.logger.error("\(Log.redacted(device.label)): GStreamer error: \(Log.redacted(error.description))")
            if !recover(from: error) { end(because: error) }
        case .endOfStream: if !recover(from: nil) { end(because: nil) }
        case .warning(let warning):
            Log.logger.warning("\(Log.redacted(device.label)): GStreamer warning: \(Log.redacted(warning.description))")
        }
    }

    /// Whether the session brings the source back (the tracks stay, muted meanwhile).
    private func recover(from error: GStreamerError?) -> Bool {
        !isEnded && session.recover(from: error, muted: { [weak self] muted in self?.setMuted(muted) })
    }

    /// The source ended by itself: every track ends with an `ended` event, exactly once.
    private func end(because error: GStreamerError?) {
        let taken = state.withLock { state -> (branches: [TrackBranch], observers: [Observer])? in
            guard !state.ended else { return nil }
            state.ended = true
            state.failure = error
            state.reachedEndOfStream = error == nil
            releaseDevice()  // registered before any track can see that it ended
            defer { state.observers.removeAll() }
            return (Array(state.branches.values), Array(state.observers.values))
        }
        guard let taken else { return }
        finishRecordings(of: nil)
        endEncoders(failure: nil)
        for branch in taken.branches { branch.hub.end() }
        photo.end()
        frames.end()
        ended.complete(.success(()))
        for observer in taken.observers { observer.ended() }
    }

    /// Shuts the source down in the background, tracked so that reopening the device waits for it.
    /// Called in the critical section that ends the source.
    private func releaseDevice() {
        ReleaseTracker.shared.release(resource) { await self.shutDown() }
    }

    /// Lets the device go (the session first, so no device call reaches a closed descriptor), stops
    /// the pipeline (NULL joins its threads; a wedged one is abandoned at its deadline) and drops the
    /// bus handler. Runs once.
    private func shutDown() async {
        guard !shutdownStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await session.stop()
        // A recording's muxer writes its end before the pipeline stops (bounded by the drain's
        // deadline), with the bus handler still routing its errors to it.
        for recording in state.withLock({ $0.recordings.values.map(\.branch) }) { await recording.finish(tee: tee) }
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
        frames.end()
        await pipeline.stop(timeout: timing.stopTimeout)
        device.backend.didRelease()
    }

    var isEnded: Bool { state.withLock { $0.ended } }

    /// For `MediaDevices.shutdown()`, after every release: waits (at most 5 s) until the last
    /// reference to every pipeline is gone (a release may drop it on another thread just after it
    /// finished), then frees GStreamer's global state.
    static func releaseGStreamer() async {
        for _ in 0..<500 where Pipeline.aliveCount > 0 { try? await Task.sleep(for: .milliseconds(10)) }
        GStreamer.deinitialize()
    }

    /// The tracks' branches now.
    var liveBranches: [TrackBranch] { state.withLock { Array($0.branches.values) } }

    // MARK: - Recording

    /// Starts a recording of track `id`'s frames: a ``RecordingBranch`` attached to the tee on the
    /// pipeline's queue. Nil when the track or the source has ended, or an element is missing; a
    /// branch that cannot be attached ends at once with a failure.
    func startRecording(
        track id: UInt64, profile: RecordingProfile, blank: @escaping @Sendable () -> Bool, output: RecordingBranch.Output
    ) -> RecordingBranch? {
        let registry = Locked<String?>(nil)
        let forwarded = RecordingBranch.Output(
            data: output.data,
            ended: { [weak self] failure in
                if let name = registry.withLock({ $0 }) { self?.state.withLock { _ = $0.recordings.removeValue(forKey: name) } }
                output.ended(failure)
            })
        // Made outside the lock that the bus handler needs: element creation takes its time.
        guard let branch = RecordingBranch(profile: profile, pipeline: pipeline, blank: blank, output: forwarded) else { return nil }
        registry.withLock { $0 = branch.name }
        let registered = state.withLock { state -> Bool in
            guard !state.ended, state.branches[id] != nil else { return false }
            state.recordings[branch.name] = (id, branch)
            return true
        }
        guard registered else { return nil }
        let tee = self.tee
        let queued = pipeline.queue.async {
            guard !branch.attach(tee: tee) else { return }
            let failure =
                profile.files.map { "The recording could not start writing to \($0.path): check that its directory exists and is writable." }
                ?? "The recording could not be attached to the camera's pipeline."
            Task { await branch.finish(failure: failure, tee: tee) }
        }
        if !queued {
            Task { await branch.finish(failure: "The camera's pipeline no longer answers.", tee: tee) }
        }
        return branch
    }

    /// Starts the recording of a pre-rolling branch (see ``RecordingBranch/begin(files:)``), on the
    /// pipeline's queue; a branch that cannot begin ends with the reason.
    func beginRecording(_ recording: RecordingBranch, files: RecordingProfile.Files?) {
        let tee = self.tee
        let queued = pipeline.queue.async {
            guard !recording.begin(files: files) else { return }
            let failure =
                recording.isEnded
                ? "The pre-roll had ended (its track stopped, or it failed) before the recording began."
                : files.map { "The recording could not start writing to \($0.path): check that its directory exists and is writable." }
                    ?? "The recording could not be attached to the camera's pipeline."
            Task { await recording.finish(failure: failure, tee: tee) }
        }
        if !queued { Task { await recording.finish(failure: "The camera's pipeline no longer answers.", tee: tee) } }
    }

    /// Ends a recording (its muxer finishes, bounded), in the background.
    func stopRecording(_ recording: RecordingBranch) {
        let tee = self.tee
        Task { await recording.finish(tee: tee) }
    }

    /// Ends the recordings of track `id` (nil: all of them), each letting its muxer finish.
    private func finishRecordings(of id: UInt64?) {
        let ending = state.withLock { state in state.recordings.values.filter { id == nil || $0.track == id }.map(\.branch) }
        let tee = self.tee
        for recording in ending { Task { await recording.finish(tee: tee) } }
    }

    /// Whether `error` came from a recording's element: that recording fails (its `error` event),
    /// and the camera and its other branches go on.
    private func routeRecordingError(_ error: GStreamerError) -> Bool {
        guard let source = error.source, source.hasPrefix(RecordingBranch.namePrefix) else { return false }
        let recording = state.withLock { state in state.recordings.first { source.hasPrefix($0.key + "-") }?.value.branch }
        Log.logger.error("\(Log.redacted(device.label)): recording failed: \(Log.redacted(error.description))")
        let tee = self.tee
        // The system's reason, when GStreamer has one ("No such file or directory", "No space left").
        let reason =
            error.debug.firstRange(of: "system error: ").map { found in
                " (" + (error.debug[found.upperBound...].split(separator: "\n").first.map(String.init) ?? "") + ")"
            } ?? ""
        if let recording {
            recording.noteFailure(error.message + reason)  // here, in the order the bus delivers them
            Task { await recording.finish(tee: tee) }
        }
        return true
    }

    // MARK: - Live encodes

    /// Subscribes track `id` to the camera's frames encoded in `codec`: the codec's encoding branch is
    /// attached when its first subscriber comes (nothing is encoded before), and shared by the
    /// others, each of whom asks for a key frame on joining. Nil when the track or source has ended
    /// or an element is missing; a branch that cannot be attached ends its subscribers with a failure.
    func subscribeEncoded(
        track id: UInt64, codec: EncodedVideoCodec, decodesJPEG: Bool, _ subscriber: EncodingBranch.Subscriber
    ) -> (EncodingBranch, UInt64)? {
        // Made outside the lock that the bus handler needs (element creation takes its time); unused
        // when the codec's branch runs already. The last viewer may leave between the look and the
        // join: then a branch is made and the join tried again (at most twice more).
        var candidate: EncodingBranch?
        var joined: (EncodingBranch, UInt64, isNew: Bool)?
        for _ in 0..<3 where joined == nil {
            if candidate == nil, state.withLock({ $0.encoders[codec] }) == nil {
                guard let made = EncodingBranch(codec: codec, decodesJPEG: decodesJPEG) else { return nil }
                candidate = made
            }
            enum Outcome { case joined(EncodingBranch, UInt64, Bool), refused, retry }
            let outcome = state.withLock { state -> Outcome in
                guard !state.ended, state.branches[id] != nil else { return .refused }
                if let running = state.encoders[codec] {
                    return running.subscribe(subscriber).map { .joined(running, $0, false) } ?? .refused
                }
                guard let candidate else { return .retry }
                state.encoders[codec] = candidate
                return candidate.subscribe(subscriber).map { .joined(candidate, $0, true) } ?? .refused
            }
            switch outcome {
            case .joined(let branch, let id, let isNew): joined = (branch, id, isNew)
            case .refused: return nil
            case .retry: continue
            }
        }
        guard let (branch, subscription, isNew) = joined else { return nil }
        if isNew {
            let pipeline = self.pipeline, tee = self.tee
            let queued = pipeline.queue.async { [weak self] in
                guard !branch.attach(to: pipeline, tee: tee) else { return }
                branch.detach(from: pipeline, tee: tee)
                self?.removeEncoder(branch, failure: "The live encoder could not be attached to the camera's pipeline.")
            }
            if !queued { removeEncoder(branch, failure: "The camera's pipeline no longer answers.") }
        } else {
            branch.requestKeyFrame()
        }
        return (branch, subscription)
    }

    /// Ends one subscription; the last one of its branch detaches it (decided under the same lock as a
    /// subscription, so a viewer joining meanwhile gets a running branch or a new one).
    func unsubscribeEncoded(_ branch: EncodingBranch, id: UInt64) {
        let detach = state.withLock { state -> Bool in
            guard branch.unsubscribe(id), state.encoders[branch.codec] === branch else { return false }
            state.encoders.removeValue(forKey: branch.codec)
            return true
        }
        guard detach else { return }
        let pipeline = self.pipeline, tee = self.tee
        pipeline.queue.async { branch.detach(from: pipeline, tee: tee) }
    }

    /// Ends `branch` (its element failed, or it could not attach): its subscribers hear `failure`.
    private func removeEncoder(_ branch: EncodingBranch, failure: String?) {
        let removed = state.withLock { state -> Bool in
            guard state.encoders[branch.codec] === branch else { return false }
            state.encoders.removeValue(forKey: branch.codec)
            return true
        }
        branch.end(failure: failure)
        guard removed else { return }
        let pipeline = self.pipeline, tee = self.tee
        pipeline.queue.async { branch.detach(from: pipeline, tee: tee) }
    }

    /// The source ended: every live encode ends, its subscribers hear `failure` (nil: the camera ended).
    private func endEncoders(failure: String?) {
        let ending = state.withLock { state -> [EncodingBranch] in
            defer { state.encoders = [:] }
            return Array(state.encoders.values)
        }
        for branch in ending { branch.end(failure: failure) }
    }

    /// Track `id` stopped: its subscriptions end (with every one when the source stops).
    private func endEncodedSubscriptions(of id: UInt64, all: Bool) {
        if all { return endEncoders(failure: nil) }
        let branches = state.withLock { Array($0.encoders.values) }
        for branch in branches {
            let empty = branch.endSubscriptions(of: id)
            let detach = state.withLock { state -> Bool in
                guard empty, branch.isIdle, state.encoders[branch.codec] === branch else { return false }
                state.encoders.removeValue(forKey: branch.codec)
                return true
            }
            if detach {
                let pipeline = self.pipeline, tee = self.tee
                pipeline.queue.async { branch.detach(from: pipeline, tee: tee) }
            }
        }
    }

    /// Whether `error` came from a live encoder's element: its viewers end, the camera goes on.
    private func routeEncoderError(_ error: GStreamerError) -> Bool {
        guard let source = error.source, source.hasPrefix(EncodingBranch.namePrefix) else { return false }
        Log.logger.error("\(Log.redacted(device.label)): live encoder failed: \(Log.redacted(error.description))")
        let branch = state.withLock { state in state.encoders.values.first { source.hasPrefix($0.name + "-") } }
        if let branch { removeEncoder(branch, failure: error.message) }
        return true
    }

    /// The live encodes running now (for tests and the benchmarks).
    var liveEncoders: [EncodingBranch] { state.withLock { Array($0.encoders.values) } }

    // MARK: - Modes

    /// Switches the source to `mode` for a track that asked for it (its branch takes `size`); every
    /// track fires `mute`, and `unmute` once the new mode's first frame arrives. Call under ``operations``.
    func switchMode(to mode: SourceMode, branch: TrackBranch, size: AspectCrop.Size) async {
        guard mode != currentMode.withLock({ $0 }) else {
            if branch.frameSize != size { await frames.run { branch.setSize(size) } }
            return
        }
        setMuted(true)
        await frames.run { branch.setSize(size) }
        stream(in: mode)
        _ = await photo.waitForInput(mode.size, timeout: timing.modeSwitchTimeout)
        setMuted(false)
    }

    /// Asks the source for another mode (it renegotiates with its next frame).
    ///
    /// Everything a switch changes is set on the source's streaming thread, between two of its
    /// frames (a one-shot probe on its output): the crops let whole frames through until the new
    /// mode's CAPS event, the session's own elements (the fake camera's zoom) adapt, and only then do
    /// the source's caps change. Set from another thread, the source could renegotiate in between and
    /// find no size that fits both the old settings and the new ones: not negotiated, and the stream
    /// would end.
    func stream(in mode: SourceMode) {
        currentMode.withLock { $0 = mode }
        let session = self.session, photo = self.photo, branches = liveBranches
        let recordings = state.withLock { $0.recordings.values.map(\.branch) }
        let sourceCaps = pipeline.canonicalElement(Pipeline.Name.sourceCaps)
        let caps = Caps(device.backend.capsString(for: mode))
        frames.schedule {
            session.willStream(mode.size)
            for branch in branches { branch.prepareForNewInput() }
            for recording in recordings { recording.prepareForNewInput() }
            photo.prepareForNewInput()
            sourceCaps.set("caps", caps)
        }
    }
}

extension Duration {
    /// Whole milliseconds (for GStreamer's millisecond deadlines).
    var milliseconds: Int {
        Int(clamping: components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Who releases the device when building a pipeline outlives the open's deadline: the build, when
/// it finishes after the opener gave up; the opener, when the build finished but lost the race.
private final class BuildRace: Sendable {
    private enum State { case building, finished, abandoned }
    private let state = Locked(State.building)

    /// The build is done. True when the opener gave up first (the build releases the device).
    func finish() -> Bool {
        state.withLock { state in
            defer { state = .finished }
            return state == .abandoned
        }
    }

    /// The opener gives up. True when the build had already finished (the opener releases the device).
    func abandon() -> Bool {
        state.withLock { state in
            defer { if state == .building { state = .abandoned } }
            return state == .finished
        }
    }
}
