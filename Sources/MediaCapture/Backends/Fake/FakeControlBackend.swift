// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Glibc
import Locking

/// The fake camera's controls: values are stored verbatim (range-checked by the engine, not snapped
/// to `step`), and act on the picture: brightness, exposure compensation, contrast and saturation
/// through `videobalance`,
/// pan, tilt and zoom as a digital crop-and-scale before the tee.
final class FakeControlBackend: ControlBackend {
    private let profile: FakeControls
    private let values: Locked<MediaTrackSettings>
    private let balance: Element?
    private let panTiltZoom: DigitalPanTiltZoom?

    /// - Parameter panTiltZoomActive: whether the picture follows pan/tilt/zoom (the source was opened
    ///   with pan-tilt-zoom permission); otherwise the picture stays whole.
    private let frames: FrameBoundary

    init(_ camera: FakeCamera, pipeline: Pipeline, panTiltZoomActive: Bool, frames: FrameBoundary) {
        self.frames = frames
        profile = FakeControls(camera, panTiltZoomGranted: true)
        values = Locked(profile.settings)
        balance = pipeline.element(named: PipelineDescription.Name.balance)
        panTiltZoom =
            panTiltZoomActive && camera.controls == .reference
            ? pipeline.element(named: PipelineDescription.Name.panTiltZoomCrop).map(DigitalPanTiltZoom.init) : nil
        render(profile.settings)
    }

    /// The source is about to stream frames of `size` (a mode switch).
    func prepareForNewInput() { panTiltZoom?.prepareForNewInput() }

    func capabilities() -> MediaTrackCapabilities { profile.capabilities }

    func settings() -> MediaTrackSettings { values.withLock { $0 } }

    /// The picture is cropped by `max(1, zoom)` when pan/tilt/zoom was granted.
    var zoomIsDigitalRatio: Bool { panTiltZoom != nil }

    func apply(_ changes: MediaTrackSettings) async throws(ControlFailure) {
        // The picture follows under the same lock, so two calls never leave it showing the older one,
        // and between two frames: the zoom's crop is read by negotiation.
        await frames.run { [self] in
            values.withLock { values in
                var merged = MediaTrackSettings()
                ControlMembers.copyControls(from: values, to: &merged)
                ControlMembers.overlay(changes, on: &merged)
                values = merged
                render(merged)
            }
        }
    }

    /// Exposure compensation as a brightness offset: steep around 0 EV (a -2/0/+2 bracket differs
    /// clearly), saturating far from it (the reference profile's 33 is as bright as 3).
    private static func exposureOffset(_ compensation: Double?) -> Double {
        0.3 * tanh((compensation ?? 0) / 2)
    }

    /// The picture follows the settings; the initial values are neutral for the balance.
    private func render(_ settings: MediaTrackSettings) {
        let initial = profile.settings
        if let balance, let brightness = settings.brightness, let range = profile.capabilities.brightness,
            let low = range.min, let high = range.max, high > low
        {
            let exposure = Self.exposureOffset(settings.exposureCompensation) - Self.exposureOffset(initial.exposureCompensation)
            balance.set("brightness", min(1, max(-1, (brightness - (initial.brightness ?? 0)) / (high - low) + exposure)))
            balance.set("contrast", min(2, max(0, (settings.contrast ?? 1) / (initial.contrast ?? 1))))
            balance.set("saturation", min(2, max(0, (settings.saturation ?? 1) / (initial.saturation ?? 1))))
        }
        guard let panTiltZoom, let pan = profile.capabilities.pan, let tilt = profile.capabilities.tilt else { return }
        func fraction(_ value: Double?, _ range: MediaSettingsRange) -> Double {
            guard let value, let low = range.min, let high = range.max, high > low else { return 0.5 }
            return min(1, max(0, (value - low) / (high - low)))
        }
        panTiltZoom.set(
            zoom: max(1, settings.zoom ?? 1), panFraction: fraction(settings.pan, pan),
            tiltFraction: fraction(settings.tilt, tilt))
    }
}

/// A crop window that follows zoom (a ratio: 2 shows the middle half), pan (0 = left edge, 1 = right)
/// and tilt (0 = bottom, 1 = top: positive tilt looks up), recomputed on every input size.
final class DigitalPanTiltZoom: Sendable {
    private let crop: Element
    private let state = Locked<(input: AspectCrop.Size?, zoom: Double, pan: Double, tilt: Double)>((nil, 1, 0.5, 0.5))

    init(_ crop: Element) {
        self.crop = crop
        crop.staticPad("sink")?.addVideoCapsProbe { [weak self] width, height in
            self?.update { $0.input = AspectCrop.Size(width: width, height: height) }
        }
    }

    /// The source is about to switch modes: the crop lets whole frames through until the new mode's
    /// CAPS event sets the window again. Margins for either size would not fit frames of the other
    /// (old ones still on their way, or the sizes the source asks about while renegotiating), and
    /// a crop that fits nothing fails the stream as not negotiated. Tracks are muted meanwhile.
    func prepareForNewInput() {
        update { $0.input = nil }
    }

    func set(zoom: Double, panFraction: Double, tiltFraction: Double) {
        update { state in
            state.zoom = zoom
            state.pan = panFraction
            state.tilt = tiltFraction
        }
    }

    /// Changes the state and sets the crop under the same lock: a caps event on the streaming thread
    /// and a write from `applyConstraints` never leave the crop of the state that lost the race.
    private func update(_ change: (inout (input: AspectCrop.Size?, zoom: Double, pan: Double, tilt: Double)) -> Void) {
        state.withLock { state in
            change(&state)
            guard let input = state.input else {
                crop.setMargins(left: 0, right: 0, top: 0, bottom: 0)
                return
            }
            let width = max(1, Int((Double(input.width) / state.zoom).rounded()))
            let height = max(1, Int((Double(input.height) / state.zoom).rounded()))
            let left = Int((Double(input.width - width) * state.pan).rounded())
            let top = Int((Double(input.height - height) * (1 - state.tilt)).rounded())
            crop.setMargins(left: left, right: input.width - width - left, top: top, bottom: input.height - height - top)
        }
    }
}
