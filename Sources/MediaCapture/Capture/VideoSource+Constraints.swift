internal import GStreamerWrapper

extension VideoSource {
    /// What `applyConstraints` changed on a track's behalf: the mode members it now has, when the
    /// mode changed.
    struct AppliedConstraints: Sendable {
        var modeSettings: MediaTrackSettings?
    }

    /// `applyConstraints` for one track: SelectSettings over the source's modes (plus crop-and-scale
    /// sizes) and its controls' domains; control writes go to the device and are read back, and a new
    /// mode switches the camera (tracks fire `mute`, then `unmute`). Runs under ``operations``, so
    /// calls, photos and mode switches happen one at a time, in call order.
    /// - Parameters:
    ///   - current: the track's current settings (its mode members).
    ///   - keepingMode: serve the track from the source's current mode (crop-and-scale), never switch
    ///     it: for a camera shared by another `getUserMedia`, whose first track must not change under it.
    /// - Throws: `OverconstrainedError` naming the constraint that cannot be satisfied, or the control
    ///   the device refused.
    func applyConstraints(
        _ constraints: MediaTrackConstraints, branch: TrackBranch, keepingMode: Bool = false,
        current: @escaping @Sendable () -> MediaTrackSettings
    ) async throws(DOMException) -> AppliedConstraints {
        try await operations.withLock { () async throws(DOMException) -> AppliedConstraints in
            let current = current()
            let sourceMode = currentMode.withLock { $0 }
            let native = device.candidates(panTiltZoom: false, withControls: false)
            let all = native + CropAndScale.candidates(native, constraints, always: keepingMode)
            let candidates = keepingMode ? all.filter { $0.mode == sourceMode } : all
            let modes = candidates.isEmpty ? [current] : candidates.map(\.settings)
            let currentIndex = modes.firstIndex {
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
                    throw DOMException.overconstrained(error.member, error.message)
                }
            }
            guard resolution.modeIndex != currentIndex, candidates.indices.contains(resolution.modeIndex),
                let mode = candidates[resolution.modeIndex].mode
            else { return AppliedConstraints() }
            let chosen = modes[resolution.modeIndex]
            branch.setMaximumFrameRate(CropAndScale.decimatedRate(chosen, mode))
            await switchMode(to: mode, branch: branch, size: AspectCrop.Size(width: chosen.width ?? mode.width, height: chosen.height ?? mode.height))
            return AppliedConstraints(modeSettings: chosen)
        }
    }

    /// Switches the source to `mode` for a track that asked for it (its branch takes `size`); every
    /// track fires `mute`, and `unmute` once the new mode's first frame arrives. Call under `operations`.
    private func switchMode(to mode: SourceMode, branch: TrackBranch, size: AspectCrop.Size) async {
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
    /// mode's CAPS event, the fake camera's zoom scales to the new size, and only then do the source's
    /// caps change. Set from another thread, the source could renegotiate in between and find no size
    /// that fits both the old settings and the new ones: not negotiated, and the stream would end.
    func stream(in mode: SourceMode) {
        currentMode.withLock { $0 = mode }
        let session = self.session, photo = self.photo, branches = liveBranches
        let sourceCaps = pipeline.canonicalElement(Pipeline.Name.sourceCaps)
        let zoomCaps = pipeline.element(named: Pipeline.Name.panTiltZoomCaps)
        let caps = Caps(device.backend.capsString(for: mode))
        let zoomSize = Caps("video/x-raw,width=\(mode.width),height=\(mode.height)")
        frames.schedule {
            session.willStream(mode.size)
            for branch in branches { branch.prepareForNewInput() }
            photo.prepareForNewInput()
            zoomCaps?.set("caps", zoomSize)
            sourceCaps.set("caps", caps)
        }
    }
}
