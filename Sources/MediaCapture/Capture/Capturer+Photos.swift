// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// A photo as the capturer took it: the JPEG and when and which frame.
struct CapturedPhoto: Sendable {
    var jpeg: [UInt8]
    var captureTime: ContinuousClock.Instant?
    var frameNumber: UInt64?
    var origin: PhotoFrameOrigin
}

extension Capturer {
    /// What `takePhoto` accepts beyond sizes (the session's fill light, red-eye reduction, steps).
    var photoExtras: PhotoExtras { session.photoExtras }

    /// The size of the frames the source delivers now (nil before the first).
    var inputSize: AspectCrop.Size? { photo.inputSize }

    /// The "in parallel" part of reading the photo state: the device's own delay (none for most),
    /// cut short when the source ends (the caller then finds the track ended).
    /// - Throws: `.cancelled` when the task is cancelled.
    func gatherPhotoState() async throws(CaptureFailure) {
        guard let delay = session.photoStateDelay else { return }
        _ = try await ended.value(timeout: min(delay, .seconds(86_400)))
    }

    /// One capture, as JPEG bytes. Call under ``operations``. A photo larger than the current mode is
    /// taken natively: the source switches to the smallest mode that covers it, waits for that mode's
    /// first frame, readies the fill light, encodes one frame, and comes back to the previous mode,
    /// whatever failed on the way. The switch is the library's own, not an interruption: tracks stay
    /// unmuted, their frames keep their size (scaled from the photo mode meanwhile), and a grab during
    /// the switch waits for the next frame. It returns once the light and the mode are back, so that
    /// the camera is as it was when `takePhoto` resolves.
    ///
    /// With zero shutter lag, the photo is of `held` (the newest frame held at the call), unless it
    /// needs a mode switch or a fill light (those need a frame taken after them), or none was held or
    /// it is no longer (the source switched modes since).
    /// A burst takes `count` consecutive frames at one opening of the shutter.
    /// - Returns: the photos in frame order; or `.incomplete` when the source ended or no photo came
    ///   within the request's timeout, `.stalled` when no frame at all came for the stall bound,
    ///   `.cancelled`, or the flash's refusal.
    /// - Parameter held: with zero shutter lag, the newest frame held at the call.
    func capture(_ request: PhotoRequest, count: Int = 1, held: HeldFrame? = nil) async -> Result<[CapturedPhoto], CaptureFailure> {
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
        let wantsLight = request.fillLightMode.map { $0 != .off } ?? false
        let origin: PhotoFrameOrigin =
            switch (request.zeroShutterLag, switchTo, wantsLight) {
            case (false, _, _): .nextFrame
            case (true, .some, _): .nextFrameAfterModeSwitch
            case (true, nil, true): .nextFrameForFillLight
            case (true, nil, false): held == nil ? .nextFrameNoneHeld : .heldFrame
            }
        let outcome = await lightAndCapture(
            request, count: count, requiring: switchTo?.size, held: origin == .heldFrame ? held : nil, origin: origin)
        if let previous, switchTo != nil {
            if !isEnded {
                stream(in: previous)
                _ = await photo.waitForInput(previous.size, timeout: timing.modeSwitchTimeout)
            }
        }
        return outcome
    }

    /// Readies the light, takes `count` frames (of size `input`, when given; `held` when it is still
    /// held), and puts the light back.
    private func lightAndCapture(
        _ request: PhotoRequest, count: Int, requiring input: AspectCrop.Size?, held: HeldFrame?, origin: PhotoFrameOrigin
    ) async -> Result<[CapturedPhoto], CaptureFailure> {
        let restore: LightRestore?
        do {
            restore = try await session.prepareLight(request.fillLightMode)
        } catch {
            return .failure(error)
        }
        let outcome: Result<(taken: [PhotoBranch.Taken], usedHeld: Bool), SampleHub.Failure>
        do {
            let rate = currentMode.withLock { $0?.frameRate.value }
            outcome = .success(
                try await photo.capture(
                    requiring: input, count: count, held: held, timeout: request.timeout,
                    stallBound: CaptureTiming.stallBound(frameRate: rate)))
        } catch {
            outcome = .failure(error)
        }
        if let restore { await session.restoreLight(restore) }
        switch outcome {
        case .success(let (taken, usedHeld)):
            let origin = origin == .heldFrame && !usedHeld ? .nextFrameNoneHeld : origin
            let cameraJPEG = photo.takesCameraJPEG
            do {
                return .success(
                    try taken.map { sample, frameNumber in
                        let bytes = try sample.copyBytes()
                        return CapturedPhoto(
                            jpeg: cameraJPEG ? HuffmanTables.completed(bytes) : bytes,
                            captureTime: Frame.captureTime(sample.runningTime, of: pipeline),
                            frameNumber: frameNumber, origin: origin)
                    })
            } catch {
                return .failure(.incomplete("The photo could not be read: \(error)"))
            }
        case .failure(.ended): return .failure(Self.endedDuringPhoto)
        case .failure(.timedOut): return .failure(.incomplete(Self.noPhotoWithin(request.timeout)))
        case .failure(.stalled): return .failure(.stalled)
        case .failure(.cancelled): return .failure(.cancelled())
        }
    }

    /// The message of a photo that did not come in time (the capture's deadline and the queue's).
    static func noPhotoWithin(_ timeout: Duration) -> String {
        "The camera delivered no photo within \(timeout); it may have stalled."
    }

    private static var endedDuringPhoto: CaptureFailure { .incomplete("The track ended before the photo was taken.") }

    /// The mode to switch to for a photo of `size`, or nil when the current one covers it: the
    /// smallest mode (same encoding) covering the size, the nearest frame rate first; when none covers
    /// it, the largest.
    private func modeCovering(_ size: AspectCrop.Size, from current: SourceMode) -> SourceMode? {
        guard size.width > current.width || size.height > current.height else { return nil }
        let usable = device.modes.filter { $0.encoding == current.encoding }
        func area(_ mode: SourceMode) -> Int { mode.width * mode.height }
        let covering = usable.filter { $0.width >= size.width && $0.height >= size.height }
        let best =
            covering.min { lhs, rhs in
                area(lhs) != area(rhs)
                    ? area(lhs) < area(rhs)
                    : abs(lhs.frameRate.value - current.frameRate.value) < abs(rhs.frameRate.value - current.frameRate.value)
            } ?? usable.max { area($0) < area($1) }
        return best == current ? nil : best
    }
}
