internal import GStreamerWrapper

extension VideoSource {
    // MARK: - Capabilities and settings

    /// What `takePhoto` accepts: sizes from the device's modes (a smaller photo is cropped and scaled
    /// from the stream, a larger one is a native capture in a larger mode), and the device's extras
    /// (fill light, red-eye reduction, size steps). Only modes of the stream's encoding count: a
    /// still switches the running source's mode in place, which cannot go from raw video to MJPEG
    /// (the decoder is part of the MJPEG graph), so a larger MJPEG-only size would be upscaled.
    func photoCapabilities() -> PhotoCapabilities {
        let extras = session.photoExtras
        let encoding = currentMode.withLock { $0?.encoding }
        let modes = device.modes.filter { encoding == nil || $0.encoding == encoding }
        var widths = modes.map(\.width), heights = modes.map(\.height)
        if widths.isEmpty, let size = photo.inputSize {
            // Modes unknown (a network camera, a caller's source): anything up to the stream's size,
            // cropped and scaled from it.
            widths = [1, size.width]
            heights = [1, size.height]
        }
        return PhotoCapabilities(
            redEyeReduction: extras.redEyeReduction,
            imageHeight: heights.min().flatMap { low in heights.max().map { high in
                MediaSettingsRange(min: Double(low), max: Double(high), step: extras.heightStep) } },
            imageWidth: widths.min().flatMap { low in widths.max().map { high in
                MediaSettingsRange(min: Double(low), max: Double(high), step: extras.widthStep) } },
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
        guard let delay = session.photoStateDelay else { return }
        _ = try await ended.value(timeout: min(delay, .seconds(86_400)))
    }

    // MARK: - Taking photos

    /// Queues a photo: joins a queued job (not started yet) with an equal request, else runs after the
    /// jobs before it, so captures of different settings happen in call order. Cancelling the caller's
    /// task gives it `AbortError` and leaves the others.
    /// - Throws: `UnknownError` when the photo cannot be taken (source ended, deadline passed, the
    ///   flash refused).
    func takePhoto(_ request: PhotoRequest) async throws(DOMException) -> Blob {
        let (job, ticket, start) = photoQueue.withLock { queue -> (PhotoJob, SharedResult<Blob>.Ticket, Bool) in
            let job: PhotoJob
            if let waiting = queue.pending.first(where: { $0.request == request }) {
                job = waiting  // not started yet, so its photo is still taken after this call
            } else {
                job = PhotoJob(request)
                queue.pending.append(job)
            }
            defer { queue.running = true }
            // Reserved under the lock: the worker never sees this job as unwanted.
            return (job, job.result.reserve(), !queue.running)
        }
        if start { Task { await self.runPhotoJobs() } }
        // The deadline counts from the call: time queued behind other photos is part of it.
        guard let photo = try await job.result.value(ticket, timeout: request.timeout) else {
            throw DOMException(.unknownError, "The camera delivered no photo within \(request.timeout); it may have stalled.")
        }
        return photo
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
            let result = await operations.withLock { await capture(job.request) }
            // A camera that stopped delivering fails the photos waiting behind too: they would stall alike.
            let waiting = photoQueue.withLock { queue -> [PhotoJob] in
                guard queue.stalled else { return [] }
                queue.stalled = false
                defer { queue.pending.removeAll() }
                return queue.pending
            }
            for queued in waiting { queued.result.complete(.failure(Self.stoppedDelivering)) }
            if case .success = result {
                photoQueue.withLock { queue in
                    queue.photoSize = job.request.size
                    if let mode = job.request.fillLightMode { queue.fillLightMode = mode }
                    if let redEye = job.request.redEyeReduction { queue.redEyeReduction = redEye }
                }
            }
            job.result.complete(result)
        }
    }

    /// One capture. A photo larger than the current mode is taken natively: the source switches to the
    /// smallest mode that covers it, waits for that mode's first frame, readies the fill light, encodes
    /// one frame, and comes back to the previous mode, whatever failed on the way. The switch is the
    /// library's own, not an interruption: tracks stay unmuted, their frames keep their size (scaled
    /// from the photo mode meanwhile), and a grab during the switch waits for the next frame.
    private func capture(_ request: PhotoRequest) async -> Result<Blob, DOMException> {
        guard !isEnded else { return .failure(Self.endedDuringPhoto) }
        let previous = currentMode.withLock { $0 }
        let switchTo = previous.flatMap { modeCovering(request.size, from: $0) }
        let photo = self.photo
        // Between two frames: the crop's margins must not change under a caps query in flight.
        if !photo.isConfigured(size: request.size, quality: request.quality) {
            await frames.run { photo.configure(size: request.size, quality: request.quality) }
        }
        if let mode = switchTo {
            stream(in: mode)
            // The flash must light the new mode's frame: wait for it before strobing.
            _ = await photo.waitForInput(mode.size, timeout: timing.modeSwitchTimeout)
        }
        let outcome = await lightAndCapture(request, requiring: switchTo?.size)
        if let previous, switchTo != nil {
            if !isEnded {
                stream(in: previous)
                _ = await photo.waitForInput(previous.size, timeout: timing.modeSwitchTimeout)
            }
        }
        return outcome
    }

    /// Readies the light, takes one frame (of size `input`, when given), and puts the light back.
    private func lightAndCapture(_ request: PhotoRequest, requiring input: AspectCrop.Size?) async -> Result<Blob, DOMException> {
        let restore: LightRestore?
        do {
            restore = try await session.prepareLight(request.fillLightMode)
        } catch {
            return .failure(error)
        }
        let outcome: Result<Sample, SampleHub.Failure>
        do {
            let rate = currentMode.withLock { $0?.frameRate.value }
            outcome = .success(try await photo.capture(
                requiring: input, timeout: request.timeout, stallBound: ImageCapture.stallBound(frameRate: rate)))
        } catch {
            outcome = .failure(error)
        }
        if let restore { await session.restoreLight(restore) }
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
        case .failure(.stalled):
            photoQueue.withLock { $0.stalled = true }
            return .failure(Self.stoppedDelivering)
        case .failure(.cancelled):
            return .failure(DOMException.aborted)
        }
    }

    private static var stoppedDelivering: DOMException {
        DOMException(.unknownError, "The camera stopped delivering frames; the track stays live, and photos work again when frames resume.")
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
}
