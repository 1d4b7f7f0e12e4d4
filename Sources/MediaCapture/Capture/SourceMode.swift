// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// A mode the source element can be asked for: size, frame rate and how frames are encoded.
struct SourceMode: Sendable, Hashable {
    /// The largest width or height a mode may have (GStreamer's video caps stop at 32767).
    static let maximumSide = 32767

    enum Encoding: Sendable, Hashable {
        /// Raw video; `format` is GStreamer's name (`YUY2`, `I420`...) or nil to let the device choose.
        case raw(format: String?)
        /// Motion JPEG, decoded by `jpegdec` in each branch, behind its gate.
        case mjpeg
    }

    var width: Int
    var height: Int
    var frameRate: Fraction
    var encoding: Encoding

    var videoMode: VideoMode { VideoMode(width: width, height: height, frameRate: frameRate.value) }

    var size: AspectCrop.Size { AspectCrop.Size(width: width, height: height) }

    /// Whether a size can be a mode's: 1 to ``maximumSide`` on each side.
    static func isValid(width: Int, height: Int) -> Bool {
        (1...maximumSide).contains(width) && (1...maximumSide).contains(height)
    }

    /// The caps for `videotestsrc` standing in for a camera (fake and recorded cameras): MJPEG
    /// modes stream as raw I420 at the same size and rate.
    var emulatedCapsString: String {
        guard case .mjpeg = encoding else { return capsString }
        return SourceMode(width: width, height: height, frameRate: frameRate, encoding: .raw(format: "I420")).capsString
    }

    /// The caps for the source capsfilter, built from typed values only.
    var capsString: String {
        let size = "width=\(width),height=\(height),framerate=\(frameRate.numerator)/\(frameRate.denominator)"
        switch encoding {
        case .raw(let format?): return "video/x-raw,format=\(format),\(size)"
        case .raw(nil): return "video/x-raw,\(size)"
        case .mjpeg: return "image/jpeg,\(size)"
        }
    }

    /// The modes in a device's caps, normalised: one entry per (size, rate, encoding) with lists
    /// expanded, stepwise sizes and rate ranges sampled at the usual values, raw preferred over MJPEG
    /// for the same size and rate (no decoding cost).
    static func modes(from caps: Caps) -> [SourceMode] {
        var result: [SourceMode] = []
        for structure in caps.normalized().structures {
            let encoding: Encoding
            switch structure.name {
            case "video/x-raw":
                if case .string(let format)? = structure.fields["format"] { encoding = .raw(format: format) } else { encoding = .raw(format: nil) }
            case "image/jpeg": encoding = .mjpeg
            default: continue
            }
            for (width, height) in sizes(structure.fields["width"], structure.fields["height"]) {
                for rate in rates(structure.fields["framerate"]) {
                    result.append(SourceMode(width: width, height: height, frameRate: rate, encoding: encoding))
                }
            }
        }
        return preferringRaw(result)
    }

    /// One mode per size and rate, in their first order: where a camera offers the same size and
    /// rate as raw video and as MJPEG, the raw one (no decoding, no compression); among raw formats,
    /// the first listed. A live camera's caps and a recorded listing go through the same rule.
    static func preferringRaw(_ modes: [SourceMode]) -> [SourceMode] {
        var seen: [VideoModeKey: Int] = [:]
        var unique: [SourceMode] = []
        for mode in modes {
            let key = VideoModeKey(width: mode.width, height: mode.height, rate: mode.frameRate)
            if let index = seen[key] {
                if case .mjpeg = unique[index].encoding, case .raw = mode.encoding { unique[index] = mode }
            } else {
                seen[key] = unique.count
                unique.append(mode)
            }
        }
        return unique
    }

    private struct VideoModeKey: Hashable {
        let width: Int, height: Int, rate: Fraction
    }

    static let commonSizes = [
        (160, 120), (320, 240), (640, 360), (640, 480), (800, 600), (1024, 768), (1280, 720), (1280, 960),
        (1600, 1200), (1920, 1080), (2560, 1440), (3840, 2160),
    ]
    static let commonRates = [5, 10, 15, 20, 24, 25, 30, 50, 60].map { Fraction($0, 1) }

    private static func values(_ value: CapsValue?) -> [Int]? {
        switch value {
        case .int(let v)?: [v]
        case .list(let items)?: items.compactMap { if case .int(let v) = $0 { v } else { nil } }
        default: nil
        }
    }

    private static func sizes(_ width: CapsValue?, _ height: CapsValue?) -> [(Int, Int)] {
        if let widths = values(width), let heights = values(height) {
            return widths.flatMap { w in heights.map { (w, $0) } }
        }
        // Stepwise: the usual sizes inside the range, plus the largest.
        guard case .intRange(let minW, let maxW, let stepW)? = width,
            case .intRange(let minH, let maxH, let stepH)? = height
        else { return [] }
        func fits(_ v: Int, _ low: Int, _ high: Int, _ step: Int) -> Bool {
            v >= low && v <= high && (step <= 1 || (v - low) % step == 0)
        }
        var found = commonSizes.filter { fits($0.0, minW, maxW, stepW) && fits($0.1, minH, maxH, stepH) }
        if !found.contains(where: { $0 == (maxW, maxH) }) { found.append((maxW, maxH)) }
        return found
    }

    private static func rates(_ value: CapsValue?) -> [Fraction] {
        switch value {
        case .fraction(let n, let d)?: return n > 0 && d > 0 ? [Fraction(n, d)] : []
        case .list(let items)?: return items.flatMap { rates($0) }
        case .fractionRange(let low, let high)?:
            let minimum = Fraction(low.0, max(low.1, 1)), maximum = Fraction(high.0, max(high.1, 1))
            var found = commonRates.filter { $0.value >= minimum.value && $0.value <= maximum.value }
            if maximum.value > 0, !found.contains(maximum) { found.append(maximum) }
            return found
        default: return []
        }
    }
}

/// A frame rate as GStreamer writes it (`30000/1001`).
struct Fraction: Sendable, Hashable {
    var numerator: Int
    var denominator: Int

    init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The highest frame rate a mode may have (high-speed sensors stay well below it).
    static let maximumRate = 10_000.0

    /// The fraction for a rate given as a number: integers, halves, and the NTSC x/1.001 rates.
    /// Nil for a rate that is not a finite number in 0 < rate <= ``maximumRate``.
    init?(_ value: Double) {
        guard value.isFinite, value > 0, value <= Self.maximumRate else { return nil }
        if value == value.rounded() {
            self.init(Int(value), 1)
        } else if (value * 2) == (value * 2).rounded() {
            self.init(Int(value * 2), 2)
        } else if abs(value * 1.001 - (value * 1.001).rounded()) < 0.001 {
            self.init(Int((value * 1.001).rounded()) * 1000, 1001)
        } else {
            self.init(Int((value * 1000).rounded()), 1000)
        }
    }

    var value: Double { denominator == 0 ? 0 : Double(numerator) / Double(denominator) }
}
