import GStreamerWrapper

/// One photo to take: a size, a quality and a deadline. Equal requests waiting together share a capture.
struct PhotoRequest: Sendable, Hashable {
    var size: AspectCrop.Size
    var quality: Int
    var timeout: Duration
    var fillLightMode: FillLightMode?
    var redEyeReduction: Bool?
}

/// A capture and everyone waiting for it.
final class PhotoJob: Sendable {
    let request: PhotoRequest
    let result = SharedResult<Blob>()
    init(_ request: PhotoRequest) { self.request = request }
}

/// The source's photo state: queued jobs and what the last photo chose.
struct PhotoJobs: Sendable {
    var pending: [PhotoJob] = []
    var running = false
    /// The size the last photo chose (nil: the stream's size).
    var photoSize: AspectCrop.Size?
    var fillLightMode: FillLightMode?
    var redEyeReduction: Bool?
}

extension VideoSource {
    // MARK: - Capabilities and settings

    /// What `takePhoto` accepts: sizes from the device's modes (a smaller photo is cropped and scaled
    /// from the stream, a larger one is a native capture in a larger mode), its fill-light and red-eye
    /// support.
    func photoCapabilities() -> PhotoCapabilities {
        let camera = device.fakeCamera
        let reference = camera?.controls == .reference
        var widths = device.modes.map(\.width), heights = device.modes.map(\.height)
        if widths.isEmpty, let size = photo.inputSize {
            widths = [size.width]
            heights = [size.height]
        }
        return PhotoCapabilities(
            redEyeReduction: camera?.redEyeReduction ?? .never,
            imageHeight: heights.isEmpty ? nil : MediaSettingsRange(
                min: Double(heights.min()!), max: Double(heights.max()!), step: reference ? 2 : 1),
            imageWidth: widths.isEmpty ? nil : MediaSettingsRange(
                min: Double(widths.min()!), max: Double(widths.max()!), step: reference ? 3 : 1),
            fillLightMode: camera?.fillLightModes ?? (controls as? V4L2ControlBackend)?.fillLightModes ?? [])
    }

    /// The settings the next photo would use when its `PhotoSettings` leave them out.
    func photoSettings(streamSize: AspectCrop.Size?) -> PhotoSettings {
        let jobs = photoJobs.withLock { $0 }
        let capabilities = photoCapabilities()
        let size = jobs.photoSize ?? streamSize
        let lights = capabilities.fillLightMode ?? []
        return PhotoSettings(
            fillLightMode: jobs.fillLightMode ?? (lights.contains(.auto) ? .auto : lights.first),
            imageHeight: size.map { Double($0.height) }, imageWidth: size.map { Double($0.width) },
            redEyeReduction: jobs.redEyeReduction ?? (capabilities.redEyeReduction == .always))
    }

    // MARK: - Taking photos

    /// Queues a photo: joins a queued job (not started yet) with an equal request, else runs after the
    /// jobs before it, so captures of different settings happen in call order. Cancelling the caller's task gives it `AbortError` and leaves the others.
    /// - Throws: `UnknownError` when the photo cannot be taken (source ended, deadline passed).
    func takePhoto(_ request: PhotoRequest) async throws(DOMException) -> Blob {
        let (job, ticket, start) = photoJobs.withLock { jobs -> (PhotoJob, SharedResult<Blob>.Ticket, Bool) in
            let job: PhotoJob
            if let waiting = jobs.pending.first(where: { $0.request == request }) {
                job = waiting  // not started yet, so its photo is still taken after this call
            } else {
                job = PhotoJob(request)
                jobs.pending.append(job)
            }
            defer { jobs.running = true }
            // Reserved under the lock: the worker never sees this job as unwanted.
            return (job, job.result.reserve(), !jobs.running)
        }
        if start { Task { await self.runPhotoJobs() } }
        return try await job.result.value(ticket)
    }

    private func runPhotoJobs() async {
        while let job = photoJobs.withLock({ jobs -> PhotoJob? in
            guard !jobs.pending.isEmpty else {
                jobs.running = false
                return nil
            }
            return jobs.pending.removeFirst()
        }) {
            guard job.result.isAwaited else {
                job.result.complete(.failure(SharedResult<Blob>.aborted))
                continue
            }
            let result = await operations.withLock { await capture(job.request) }
            if case .success = result {
                photoJobs.withLock { jobs in
                    jobs.photoSize = job.request.size
                    if let mode = job.request.fillLightMode { jobs.fillLightMode = mode }
                    if let redEye = job.request.redEyeReduction { jobs.redEyeReduction = redEye }
                }
            }
            job.result.complete(result)
        }
    }

    /// One capture. A photo larger than the current mode is taken natively: the source switches to the
    /// smallest mode that covers it (tracks fire `mute`), one frame is encoded, and the previous mode
    /// comes back (tracks fire `unmute`); the tracks' frames keep their size throughout.
    private func capture(_ request: PhotoRequest) async -> Result<Blob, DOMException> {
        guard !isEnded else { return .failure(Self.endedDuringPhoto) }
        let previous = currentMode.withLock { $0 }
        let switchTo = previous.flatMap { modeCovering(request.size, from: $0) }
        photo.configure(size: request.size, quality: request.quality)
        if let mode = switchTo {
            setMuted(true)
            stream(in: mode)
        }
        // A V4L2 flash strobes just before the shutter is armed; the LED mode comes back afterwards.
        var restoreLED: Int64?
        if request.fillLightMode == .flash, let v4l2 = controls as? V4L2ControlBackend {
            do throws(ControlFailure) {
                restoreLED = try v4l2.fireFlash()
            } catch {
                return .failure(DOMException(.unknownError, error.message))
            }
        }
        defer { if let restoreLED { (controls as? V4L2ControlBackend)?.restoreLED(restoreLED) } }
        let outcome: Result<Sample, FrameHub.Failure>
        do {
            outcome = .success(
                try await photo.capture(
                    requiring: switchTo.map { AspectCrop.Size(width: $0.width, height: $0.height) },
                    timeout: request.timeout))
        } catch {
            outcome = .failure(error)
        }
        if let previous, switchTo != nil, !isEnded {
            stream(in: previous)
            _ = await photo.waitForInput(AspectCrop.Size(width: previous.width, height: previous.height), timeout: .seconds(5))
            setMuted(false)
        }
        switch outcome {
        case .success(let sample):
            do {
                return .success(Blob(type: "image/jpeg", bytes: try sample.copyBytes()))
            } catch {
                return .failure(DOMException(.unknownError, "The photo could not be read: \(error)"))
            }
        case .failure(.ended):
            return .failure(Self.endedDuringPhoto)
        case .failure(.timedOut):
            return .failure(DOMException(.unknownError, "The camera delivered no photo within \(request.timeout); it may have stalled."))
        case .failure(.cancelled):
            return .failure(SharedResult<Blob>.aborted)
        }
    }

    private static var endedDuringPhoto: DOMException {
        DOMException(.unknownError, "The track ended before the photo was taken.")
    }

    /// The mode to switch to for a photo of `size`, or nil when the current one covers it: the
    /// smallest mode (same encoding) covering the size, the nearest frame rate first; when none covers
    /// it, the largest.
    private func modeCovering(_ size: AspectCrop.Size, from current: SourceMode) -> SourceMode? {
        guard size.width > current.width || size.height > current.height else { return nil }
        let usable = device.modes.filter { $0.encoding == current.encoding }
        func area(_ mode: SourceMode) -> Int { mode.width * mode.height }
        let covering = usable.filter { $0.width >= size.width && $0.height >= size.height }
        let best = covering.min { lhs, rhs in
            area(lhs) != area(rhs) ? area(lhs) < area(rhs)
                : abs(lhs.frameRate.value - current.frameRate.value) < abs(rhs.frameRate.value - current.frameRate.value)
        } ?? usable.max { area($0) < area($1) }
        return best == current ? nil : best
    }

    /// Asks the source for another mode (it renegotiates with its next frame).
    func stream(in mode: SourceMode) {
        currentMode.withLock { $0 = mode }
        pipeline.element(named: PipelineDescription.Name.sourceCaps)?
            .set("caps", Caps(device.isEmulated ? mode.emulatedCapsString : mode.capsString))
        pipeline.element(named: PipelineDescription.Name.panTiltZoomCaps)?
            .set("caps", Caps("video/x-raw,width=\(mode.width),height=\(mode.height)"))
    }

    /// Switches the source to `mode` for a track that asked for it (its branch takes `size`); every
    /// track fires `mute`, and `unmute` once the new mode's first frame arrives. Call under `operations`.
    func switchMode(to mode: SourceMode, branch: TrackBranch, size: AspectCrop.Size) async {
        guard mode != currentMode.withLock({ $0 }) else {
            branch.setSize(size)
            return
        }
        setMuted(true)
        branch.setSize(size)
        stream(in: mode)
        _ = await photo.waitForInput(AspectCrop.Size(width: mode.width, height: mode.height), timeout: .seconds(5))
        setMuted(false)
    }
}
