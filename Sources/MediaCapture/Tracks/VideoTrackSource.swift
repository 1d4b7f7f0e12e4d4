// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// The W3C side of an opened camera: the source a video track and its clones share.
///
/// It owns what the specs define: settings, capabilities, constraints (SelectSettings), photo
/// capabilities and settings, photo validation and the photo queue; and it is where a
/// ``CaptureFailure`` from the ``Capturer`` below becomes a `DOMException`. `MediaStreamTrack` and
/// `ImageCapture` talk to it only, never to branches or GStreamer.
final class VideoTrackSource: Sendable {
    /// One track's share of the source: its frames branch on the capturer.
    struct Track: Sendable {
        let id: UInt64
        /// The branch (for the capture layer and tests; the W3C types only pass it back).
        let branch: TrackBranch
    }

    let capturer: Capturer
    /// Photo jobs, run one at a time, in call order.
    private let photoQueue = Locked(PhotoQueue())
    /// The control values as they changed (the last few): a frame carries those of the last change
    /// that landed before its capture.
    private let controlChanges = ControlRecord()
    /// Whether the source has controls: the record holds their values, and frames carry them merged
    /// into the track's settings. Fixed once it is open (a session attaches its controls as it starts,
    /// before the source is made), and read per frame, where asking the session cost about 4 µs of a
    /// held grab's 55 (its code and objects, cold after the caller's sleep).
    private let hasControls: Bool

    private init(_ capturer: Capturer) {
        self.capturer = capturer
        hasControls = capturer.controls != nil
        Self.noteControls(of: capturer, in: controlChanges)
        // A change made elsewhere (another program, the driver) is known when its event comes. The
        // callback holds the record only: a weak reference to the source would put every retain of
        // it (one per grab) on the slow path of a side table.
        capturer.onControlsChangedElsewhere { [controlChanges] capturer in Self.noteControls(of: capturer, in: controlChanges) }
    }

    /// Opens `device` in `mode` and waits (bounded) for the first frame.
    /// - Returns: the source and the first track's share, already holding a frame.
    /// - Throws: `NotFoundError`, `NotReadableError`, `NotAllowedError`, `AbortError`, or the
    ///   backend's refusal (a device in use, a fault).
    static func open(
        _ device: ResolvedDevice, mode: SourceMode?, size: AspectCrop.Size?, frameRate: Double?, panTiltZoom: Bool,
        timing: CaptureTiming
    ) async throws(DOMException) -> (VideoTrackSource, Track) {
        do {
            let (capturer, branch) = try await Capturer.open(
                device, mode: mode, size: size, frameRate: frameRate, panTiltZoom: panTiltZoom, timing: timing)
            return (VideoTrackSource(capturer), Track(id: 0, branch: branch))
        } catch {
            throw DOMException(error)
        }
    }

    // MARK: - Tracks

    var device: ResolvedDevice { capturer.device }
    /// The camera's controls (nil for a source without any the library knows).
    var controls: (any ControlBackend)? { capturer.controls }
    /// Whether the source was opened with pan-tilt-zoom permission.
    var panTiltZoom: Bool { capturer.panTiltZoom }
    var isEnded: Bool { capturer.isEnded }

    /// Registers what a track does when the source ends by itself, mutes, or changes elsewhere.
    func observe(_ track: Track, _ observer: Capturer.Observer) { capturer.observe(branch: track.id, observer) }

    /// A share for a clone, like `model`'s (size, rate); nil when the source has ended.
    func addTrack(like model: Track) -> Track? {
        capturer.addBranch(like: model.branch).map { Track(id: $0.0, branch: $0.1) }
    }

    /// A track stopped: the last one stops the source and releases the device.
    func removeTrack(_ track: Track) { capturer.removeBranch(track.id) }

    /// The size and rate of the frame `track` holds (right after opening: the first one).
    func heldFrameFormat(of track: Track) -> (width: Int, height: Int, frameRate: Double)? { track.branch.heldFrameFormat }

    // MARK: - Frames

    /// The frame `track` holds when newer than `sequence`, else its next one.
    /// - Parameter settings: the track's settings (its frame's settings start from them).
    /// - Throws: `UnknownError` when the track ends or no frame comes within `timeout`; `AbortError`
    ///   when the task is cancelled.
    func frame(
        of track: Track, after sequence: UInt64, timeout: Duration, settings: SettingsSnapshot
    ) async throws(DOMException) -> (ImageBitmap, UInt64) {
        do {
            let frame = try await track.branch.frame(after: sequence, timeout: timeout)
            return (bitmap(frame, track: settings), frame.sequence)
        } catch {
            throw DOMException(error)
        }
    }

    /// Every frame of `track` from now on, as bitmaps; a slow consumer gets the newest. Empty without
    /// a track.
    /// - Parameter settings: the track's settings when a frame comes.
    static func frames(
        of video: (source: VideoTrackSource, track: Track)?, settings: @escaping @Sendable () -> SettingsSnapshot
    ) -> some AsyncSequence<ImageBitmap, Never> & Sendable {
        (video?.track.branch.deliveries() ?? AsyncStream { $0.finish() }).compactMap { delivery -> ImageBitmap? in
            guard let video, let frame = video.track.branch.frame(from: delivery) else { return nil }
            return video.source.bitmap(frame, track: settings())
        }
    }

    /// A frame as a bitmap, with what its settings in force are made from: the track's settings and
    /// the control changes as they are now (two retains), merged when its metadata is read.
    private func bitmap(_ frame: Frame, track settings: SettingsSnapshot) -> ImageBitmap {
        ImageBitmap(frame, settings: FrameSettings(track: settings, controls: hasControls ? controlChanges.current : nil))
    }

    // MARK: - Settings in force

    /// The track's settings with the control values in force at `captureTime` (nil when they are
    /// no longer known).
    func settingsInForce(at captureTime: ContinuousClock.Instant?, track settings: MediaTrackSettings) -> MediaTrackSettings? {
        guard hasControls else { return settings }
        return controlChanges.current.values(at: captureTime.map(Moment.init)).map { FrameSettings.merged(settings, controls: $0.settings) }
    }

    /// Records `capturer`'s control values as they are now, as landed now.
    private static func noteControls(of capturer: Capturer, in record: ControlRecord) {
        guard let controls = capturer.controls else { return }
        record.note(ControlMembers.filter(controls.settings(), panTiltZoom: capturer.panTiltZoom))
    }

    // MARK: - Constraints

    /// What `applyConstraints` changed on a track's behalf: the mode members it now has, when the
    /// mode changed.
    struct AppliedConstraints: Sendable {
        var modeSettings: MediaTrackSettings?
    }

    /// `applyConstraints` for one track: SelectSettings over the source's modes (plus crop-and-scale
    /// sizes) and its controls' domains; control writes go to the device and are read back, and a new
    /// mode switches the camera (tracks fire `mute`, then `unmute`). Runs under the capturer's
    /// operations, so calls, photos and mode switches happen one at a time, in call order.
    /// - Parameters:
    ///   - current: the track's current settings (its mode members).
    ///   - keepingMode: serve the track from the source's current mode (crop-and-scale), never switch
    ///     it: for a camera shared by another `getUserMedia`, whose first track must not change under it.
    /// - Throws: `OverconstrainedError` naming the constraint that cannot be satisfied, or the control
    ///   the device refused.
    func applyConstraints(
        _ constraints: MediaTrackConstraints, track: Track, keepingMode: Bool = false,
        current: @escaping @Sendable () -> MediaTrackSettings
    ) async throws(DOMException) -> AppliedConstraints {
        let capturer = self.capturer, device = self.device, controls = self.controls, panTiltZoom = self.panTiltZoom
        return try await capturer.operations.withLock { () async throws(DOMException) -> AppliedConstraints in
            let current = current()
            let sourceMode = capturer.currentMode.withLock { $0 }
            let native = device.candidates(panTiltZoom: false, withControls: false)
            let all = native + CropAndScale.candidates(native, constraints, always: keepingMode)
            let candidates = keepingMode ? all.filter { $0.mode == sourceMode } : all
            let modes = candidates.isEmpty ? [current] : candidates.map(\.settings)
            let currentIndex =
                modes.firstIndex {
                    $0.width == current.width && $0.height == current.height && $0.frameRate == current.frameRate
                        && $0.resizeMode == current.resizeMode
                } ?? 0
            let capabilities = controls.map { ControlMembers.filter($0.capabilities(), panTiltZoom: panTiltZoom) }
            let settings = controls.map { ControlMembers.filter($0.settings(), panTiltZoom: panTiltZoom) }
            let sameSourceMode = Set(candidates.indices.filter { candidates[$0].mode == sourceMode })
            let resolution = try ConstraintResolution.resolve(
                constraints, modes: modes, current: currentIndex, sameSourceMode: sameSourceMode,
                capabilities: capabilities ?? MediaTrackCapabilities(), settings: settings ?? MediaTrackSettings()
            ).get()
            if let controls, resolution.changes != MediaTrackSettings() {
                do throws(ControlFailure) {
                    try await controls.apply(resolution.changes)
                } catch {
                    Log.logger.debug("\(Log.redacted(device.label)) refused a control write: \(error.member): \(error.message)")
                    throw DOMException.overconstrained(error.member, error.message)
                }
                Self.noteControls(of: capturer, in: self.controlChanges)  // the device took them: frames captured from now on
            }
            guard resolution.modeIndex != currentIndex, candidates.indices.contains(resolution.modeIndex),
                let mode = candidates[resolution.modeIndex].mode
            else { return AppliedConstraints() }
            let chosen = modes[resolution.modeIndex]
            track.branch.setMaximumFrameRate(CropAndScale.decimatedRate(chosen, mode))
            await capturer.switchMode(
                to: mode, branch: track.branch, size: AspectCrop.Size(width: chosen.width ?? mode.width, height: chosen.height ?? mode.height))
            return AppliedConstraints(modeSettings: chosen)
        }
    }

    /// Writes control values as they are (a bracket's restore), under the operations like
    /// `applyConstraints`. A value the device refuses is left as it is.
    func setControls(_ values: MediaTrackSettings) async {
        guard let controls, values != MediaTrackSettings() else { return }
        await capturer.operations.withLock {
            try? await controls.apply(values)
            Self.noteControls(of: self.capturer, in: self.controlChanges)
        }
    }

    // MARK: - Photo capabilities and settings

    /// What `takePhoto` accepts: sizes from the device's modes (a smaller photo is cropped and scaled
    /// from the stream, a larger one is a native capture in a larger mode), and the device's extras
    /// (fill light, red-eye reduction, size steps). Only modes of the stream's encoding count: a
    /// still switches the running source's mode in place, which cannot go from raw video to MJPEG
    /// (the decoder is part of the MJPEG graph), so a larger MJPEG-only size would be upscaled.
    func photoCapabilities() -> PhotoCapabilities {
        let extras = capturer.photoExtras
        let encoding = capturer.currentMode.withLock { $0?.encoding }
        let modes = device.modes.filter { encoding == nil || $0.encoding == encoding }
        var widths = modes.map(\.width), heights = modes.map(\.height)
        if widths.isEmpty, let size = capturer.inputSize {
            // Modes unknown (a network camera, a caller's source): anything up to the stream's size,
            // cropped and scaled from it.
            widths = [1, size.width]
            heights = [1, size.height]
        }
        return PhotoCapabilities(
            redEyeReduction: extras.redEyeReduction,
            imageHeight: heights.min().flatMap { low in
                heights.max().map { high in
                    MediaSettingsRange(min: Double(low), max: Double(high), step: extras.heightStep)
                }
            },
            imageWidth: widths.min().flatMap { low in
                widths.max().map { high in
                    MediaSettingsRange(min: Double(low), max: Double(high), step: extras.widthStep)
                }
            },
            fillLightMode: extras.fillLightModes)
    }

    /// The settings the next photo would use when its `PhotoSettings` leave them out.
    func photoSettings(streamSize: AspectCrop.Size?) -> PhotoSettings {
        let queue = photoQueue.withLock { ($0.photoSize, $0.fillLightMode, $0.redEyeReduction) }
        let capabilities = photoCapabilities()
        let size = queue.0 ?? streamSize
        let lights = capabilities.fillLightMode ?? []
        return PhotoSettings(
            fillLightMode: queue.1 ?? (lights.contains(.auto) ? .auto : lights.first),
            imageHeight: size.map { Double($0.height) }, imageWidth: size.map { Double($0.width) },
            redEyeReduction: queue.2 ?? (capabilities.redEyeReduction == .always))
    }

    /// The "in parallel" part of reading the photo state: the device's own delay (none for most),
    /// cut short when the source ends (the caller then finds the track ended).
    /// - Throws: `AbortError` when the task is cancelled.
    func gatherPhotoState() async throws(DOMException) {
        do { try await capturer.gatherPhotoState() } catch { throw DOMException(error) }
    }

    // MARK: - Taking photos

    /// Queues a photo: joins a queued job (not started yet) with an equal request, else runs after the
    /// jobs before it, so captures of different settings happen in call order. Cancelling the caller's
    /// task gives it `AbortError` and leaves the others. The deadline counts from the call. The call
    /// returns once the camera is as it was: a flash's light and a native still's mode put back.
    /// - Throws: `UnknownError` when the photo cannot be taken (source ended, deadline passed, the
    ///   camera stalled, the flash refused); `AbortError`.
    /// - Parameter settings: the calling track's settings (the photo's metadata starts from them).
    func takePhoto(_ request: PhotoRequest, settings: MediaTrackSettings) async throws(DOMException) -> Blob {
        guard let photo = try await takePhotos(request, settings: settings).first else {
            throw DOMException(.incomplete(Capturer.noPhotoWithin(request.timeout)))
        }
        return photo
    }

    /// As ``takePhoto(_:settings:)`` for `request.count` photos of distinct frames (a burst): the
    /// deadline grows by a frame interval (or the burst's interval) per photo after the first.
    func takePhotos(_ request: PhotoRequest, settings: MediaTrackSettings) async throws(DOMException) -> [Blob] {
        var request = request
        if request.count > 1 {
            // Bounded inputs (count ≤ 100, interval ≤ a day): no overflow.
            let rate = capturer.currentMode.withLock { $0?.frameRate.value } ?? 1
            let step = max(request.interval ?? .zero, .seconds(1 / max(rate, 0.1)))
            request.timeout += step * (request.count - 1)
        }
        // Taken at the call: the photo is of a frame captured at or before it, however long it queues.
        let held = request.zeroShutterLag ? capturer.photo.newestHeld() : nil
        let (job, ticket, start) = photoQueue.withLock { queue -> (PhotoJob, SharedResult<[Blob], DOMException>.Ticket, Bool) in
            let job: PhotoJob
            if let waiting = queue.pending.first(where: { $0.request == request }) {
                job = waiting  // not started yet: its photo is of a frame after this call (zero shutter lag: before the first)
            } else {
                job = PhotoJob(request, held: held)
                queue.pending.append(job)
            }
            defer { queue.running = true }
            // Reserved under the lock: the worker never sees this job as unwanted.
            return (job, job.result.reserve(), !queue.running)
        }
        if start { Task { await self.runPhotoJobs() } }
        // The deadline counts from the call: time queued behind other photos is part of it.
        guard let photos = try await job.result.value(ticket, timeout: request.timeout) else {
            throw DOMException(.incomplete(Capturer.noPhotoWithin(request.timeout)))
        }
        // Callers that shared the capture may be different tracks: each gets its own settings.
        return photos.map { photo in
            var photo = photo
            let captured = photo.metadata?.captureTime
            photo.metadata?.settings = settingsInForce(at: captured, track: settings)
            return photo
        }
    }

    private func runPhotoJobs() async {
        while let job = photoQueue.withLock({ queue -> PhotoJob? in
            guard !queue.pending.isEmpty else {
                queue.running = false
                return nil
            }
            return queue.pending.removeFirst()
        }) {
            guard job.result.isAwaited else {
                job.result.complete(.failure(DOMException.aborted))
                continue
            }
            let capturer = self.capturer, request = job.request
            let result: Result<[CapturedPhoto], CaptureFailure>
            if let interval = request.interval, request.count > 1 {
                result = await captureSpaced(job, every: interval)
            } else {
                result = await capturer.operations.withLock { await capturer.capture(request, count: request.count, held: job.held) }
            }
            finish(job, result)
        }
    }

    /// A burst with an interval: one capture at each multiple of it from the start (the first frame
    /// after that instant), each under the operations lock on its own. Stops within 100 ms once no
    /// one waits or the source ended (the queue behind it must not wait out the interval).
    private func captureSpaced(_ job: PhotoJob, every interval: Duration) async -> Result<[CapturedPhoto], CaptureFailure> {
        let capturer = self.capturer, start = ContinuousClock.now
        var single = job.request
        single.count = 1
        var photos: [CapturedPhoto] = []
        for index in 0..<job.request.count {
            // In slices, checked each time: this worker task is never cancelled.
            let due = start + interval * index
            while ContinuousClock.now < due, job.result.isAwaited, !capturer.isEnded {
                try? await Task.sleep(until: min(due, .now + .milliseconds(100)), clock: .continuous)
            }
            guard job.result.isAwaited else { return .failure(.cancelled()) }
            switch await capturer.operations.withLock({ await capturer.capture(single) }) {
            case .success(let taken): photos += taken
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(photos)
    }

    /// The photo's EXIF: the device's vendor and label, the frame's capture time, the photo's size, and
    /// the exposure settings and digital zoom the camera had in force then; whether the flash fired.
    private func exif(for photo: CapturedPhoto, _ request: PhotoRequest) -> ExifBlock {
        let hasFlash = capturer.photoExtras.fillLightModes.contains(.flash)
        return ExifBlock(
            make: device.device.vendor, model: device.label, captured: photo.captureTime,
            width: request.size.width, height: request.size.height,
            settings: settingsInForce(at: photo.captureTime, track: MediaTrackSettings()),
            flash: hasFlash ? request.fillLightMode == .flash : nil, digitalZoom: controls?.zoomIsDigitalRatio ?? false)
    }

    /// Hands a capture's outcome to its job's callers, and remembers the settings a photo chose.
    private func finish(_ job: PhotoJob, _ result: Result<[CapturedPhoto], CaptureFailure>) {
        // A camera that stopped delivering fails the photos waiting behind too: they would stall alike.
        // (`.stalled` comes only from the photo branch's stall rule.)
        let waiting = photoQueue.withLock { queue -> [PhotoJob] in
            if case .success = result {
                queue.photoSize = job.request.size
                if let mode = job.request.fillLightMode { queue.fillLightMode = mode }
                if let redEye = job.request.redEyeReduction { queue.redEyeReduction = redEye }
            }
            guard case .failure(.stalled) = result else { return [] }
            defer { queue.pending.removeAll() }
            return queue.pending
        }
        for queued in waiting { queued.result.complete(.failure(DOMException(.stalled))) }
        job.result.complete(
            result.map { photos in
                photos.map { photo in
                    var blob = Blob(
                        type: "image/jpeg", bytes: job.request.exif ? exif(for: photo, job.request).inserted(into: photo.jpeg) : photo.jpeg)
                    blob.metadata = VideoFrameMetadata(captureTime: photo.captureTime, frameNumber: photo.frameNumber, photoOrigin: photo.origin)
                    return blob
                }
            }.mapError(DOMException.init))
    }

    /// Keeps the newest frames for zero shutter lag while the returned hold lives.
    func holdFrames() -> FrameHold { capturer.photo.holdFrames() }
}
