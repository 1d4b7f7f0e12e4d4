// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// Candidates for `resizeMode: "crop-and-scale"`: each native size itself and the sizes below a native
/// mode that the track's own branch produces by centre-cropping and scaling, the camera staying in
/// that mode.
///
/// They join the candidates only when the constraints ask for crop-and-scale (top level or in an
/// advanced set), so a plain `getUserMedia` keeps the camera's native sizes.
enum CropAndScale {
    static let mode = "crop-and-scale"

    static func isRequested(_ constraints: MediaTrackConstraints) -> Bool {
        ([constraints.basic] + constraints.advanced).contains { set in
            switch set.resizeMode {
            case .value(let modes)?: modes.contains(mode)
            case .parameters(let exact, let ideal)?: (exact ?? []).contains(mode) || (ideal ?? []).contains(mode)
            case nil: false
            }
        }
    }

    /// The rate a crop-and-scale track of `mode` runs at when its settings say `settings`: nil when it
    /// is the mode's own (nothing to drop).
    static func decimatedRate(_ settings: MediaTrackSettings, _ mode: SourceMode?) -> Double? {
        guard settings.resizeMode == Self.mode, let rate = settings.frameRate, let mode,
            rate < mode.frameRate.value - 0.001
        else { return nil }
        return rate
    }

    /// For each native candidate, the size the constraints point at (exact, else ideal, else a bound),
    /// the missing side following the asked aspect ratio or the mode's, when it fits inside the mode.
    /// - Parameter always: also when the constraints do not ask for crop-and-scale (a shared camera,
    ///   which serves a second track from its open mode).
    static func candidates(
        _ native: [(settings: MediaTrackSettings, mode: SourceMode?)], _ constraints: MediaTrackConstraints, always: Bool = false
    ) -> [(settings: MediaTrackSettings, mode: SourceMode?)] {
        guard always || isRequested(constraints) else { return [] }
        let sets = [constraints.basic] + constraints.advanced
        return native.flatMap { candidate -> [(settings: MediaTrackSettings, mode: SourceMode?)] in
            guard let mode = candidate.mode else { return [] }
            return sets.compactMap { set -> (settings: MediaTrackSettings, mode: SourceMode?)? in
                var aspect = target(set.aspectRatio) ?? Double(mode.width) / Double(mode.height)
                if !(aspect.isFinite && aspect > 0) { aspect = Double(mode.width) / Double(mode.height) }
                var width = target(set.width.map(ulong)), height = target(set.height.map(ulong))
                if width == nil, let height { width = (height * aspect).rounded() }
                if height == nil, let width { height = (width / aspect).rounded() }
                // Neither side asked for: the mode's own size, cropped to an asked aspect (crop-and-scale
                // includes each native size itself).
                if width == nil && height == nil {
                    let modeAspect = Double(mode.width) / Double(mode.height)
                    (width, height) =
                        aspect < modeAspect
                        ? ((Double(mode.height) * aspect).rounded(), Double(mode.height))
                        : (Double(mode.width), (Double(mode.width) / aspect).rounded())
                }
                // Compared as numbers first: an aspect of 1e300 or 0 gives sides no Int can hold.
                guard let width, let height, width.isFinite, height.isFinite, width >= 1, height >= 1,
                    width <= Double(mode.width), height <= Double(mode.height)
                else { return nil }
                var settings = candidate.settings
                settings.width = Int(width)
                settings.height = Int(height)
                settings.aspectRatio = width / height
                settings.resizeMode = Self.mode
                // Any rate up to the mode's: the track's branch drops frames to it.
                if let rate = target(set.frameRate), rate.isFinite, rate >= 1, rate < mode.frameRate.value {
                    settings.frameRate = rate
                }
                return (settings, mode)
            }
        }
    }

    private static func ulong(_ value: ConstrainULong) -> ConstrainDouble {
        switch value {
        case .value(let bare): .value(Double(bare))
        case .range(let min, let max, let exact, let ideal):
            .range(min: min.map(Double.init), max: max.map(Double.init), exact: exact.map(Double.init), ideal: ideal.map(Double.init))
        }
    }

    /// The value a constraint points at: exact, else ideal (or a bare value), else its bound.
    private static func target(_ value: ConstrainDouble?) -> Double? {
        switch value {
        case .value(let bare)?: bare
        case .range(let min, let max, let exact, let ideal)?: exact ?? ideal ?? max ?? min
        case nil: nil
        }
    }
}
