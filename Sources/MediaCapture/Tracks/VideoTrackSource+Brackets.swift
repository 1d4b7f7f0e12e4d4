// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

extension VideoTrackSource {
    /// A bracket: for each set, applies it, takes a photo of a frame captured with it applied (its
    /// metadata's settings show it, not just the request), and afterwards puts back the control
    /// values the sets changed, whatever happened. The track's constraints are not touched.
    /// - Throws: `OverconstrainedError` before any photo for a set with a mode member (size, rate:
    ///   use `applyConstraints`), a control the camera lacks, or a value outside its capabilities;
    ///   `AbortError` when the task is cancelled; as ``takePhoto(_:settings:)`` otherwise.
    func takeBracket(
        _ sets: [MediaTrackConstraintSet], _ request: PhotoRequest, track: Track, settings: MediaTrackSettings
    ) async throws(DOMException) -> [Blob] {
        let touched = try checkBracket(sets)
        // A camera without controls can take only empty sets (checked above): a photo each.
        let before = controls?.settings() ?? MediaTrackSettings()
        var photos: [Blob] = []
        do throws(DOMException) {
            for set in sets {
                guard !Task.isCancelled else { throw DOMException.aborted }
                _ = try await applyConstraints(MediaTrackConstraints(advanced: [set]), track: track, keepingMode: true) { settings }
                let applied = controls?.settings() ?? MediaTrackSettings()
                photos.append(try await photo(showing: applied, of: touched, request, settings: settings))
            }
        } catch {
            await restoreControls(touched, to: before)
            throw error
        }
        await restoreControls(touched, to: before)
        return photos
    }

    /// The members the sets change; every set checked against the controls before anything is.
    private func checkBracket(_ sets: [MediaTrackConstraintSet]) throws(DOMException) -> [ConstrainableProperty] {
        let capabilities = controls.map { ControlMembers.filter($0.capabilities(), panTiltZoom: panTiltZoom) } ?? MediaTrackCapabilities()
        let current = controls.map { ControlMembers.filter($0.settings(), panTiltZoom: panTiltZoom) } ?? MediaTrackSettings()
        var touched: [ConstrainableProperty] = []
        for set in sets {
            for property in ConstrainableProperty.all {
                // As in an advanced set: a bare value is exact.
                guard let constraint = property.constraint(set, true) else { continue }
                let name = property.name
                guard !property.isModeMember else {
                    throw DOMException.overconstrained(name, "A bracket varies camera controls only; set \(name) with applyConstraints before it.")
                }
                guard let domain = property.domain(capabilities, current) else {
                    throw DOMException.overconstrained(name, "The camera has no \(name) control to bracket; see getCapabilities().")
                }
                guard !domain.narrowed(by: constraint).isEmpty else {
                    let allowed = property.describeCapability(capabilities) ?? "none"
                    throw DOMException.overconstrained(
                        name, "A bracket's \(name) is outside what the camera allows (\(allowed)); see getCapabilities().")
                }
                if !touched.contains(where: { $0.name == name }) { touched.append(property) }
            }
        }
        return touched
    }

    /// Photos until one is of a frame captured with `applied`'s values of `members` in force (a frame
    /// on its way when they landed is older), within the request's deadline.
    private func photo(
        showing applied: MediaTrackSettings, of members: [ConstrainableProperty], _ request: PhotoRequest, settings: MediaTrackSettings
    ) async throws(DOMException) -> Blob {
        let end = ContinuousClock.now + request.timeout
        while true {
            var attempt = request
            attempt.timeout = max(.milliseconds(1), end - .now)
            let photo = try await takePhoto(attempt, settings: settings)
            let inForce = photo.metadata?.settings ?? MediaTrackSettings()
            if members.allSatisfy({ $0.setting(inForce) == $0.setting(applied) }) { return photo }
            guard ContinuousClock.now < end else {
                throw DOMException(.unknownError, "No frame showed the bracket's settings within \(request.timeout); the camera may not apply them.")
            }
        }
    }

    /// Puts `members` back to their values in `before`, in a task of its own so that a cancelled
    /// bracket still restores them.
    private func restoreControls(_ members: [ConstrainableProperty], to before: MediaTrackSettings) async {
        var values = MediaTrackSettings()
        for member in members { member.copySetting(before, &values) }
        await Task { await self.setControls(values) }.value
    }
}
