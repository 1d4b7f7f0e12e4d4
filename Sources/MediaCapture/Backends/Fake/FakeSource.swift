// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Synchronization

/// Configures `videotestsrc` as the fake camera: pattern, liveness and the deterministic faults.
enum FakeSource {
    static func configure(_ source: Element, _ camera: FakeCamera) {
        source.set("is-live", camera.isLive)
        switch camera.pattern {
        case .smpte: source.set("pattern", parsing: "smpte")
        case .ball: source.set("pattern", parsing: "ball")
        case .checkers1: source.set("pattern", parsing: "checkers-1")
        case .zonePlate: source.set("pattern", parsing: "zone-plate")
        case .solidColor(let argb):
            source.set("pattern", parsing: "solid-color")
            source.set("foreground-color", UInt32(argb))
        case .quadrants:
            source.set("pattern", parsing: "solid-color")
            source.staticPad("src")?.addBufferProbe { context in
                context.withWritableVideoFrame(QuadrantPainter.paint)
                return .pass
            }
        }
        for fault in camera.faults {
            switch fault {
            case .endAfterFrames(let count): addFault(to: source, after: count, failing: true)
            case .stallAfterFrames(let count): addFault(to: source, after: count, failing: false)
            case .dropFrames(let after, let count): addGap(to: source, after: after, count: count)
            case .failToOpen, .photoStateDelay: break  // handled when opening and in ImageCapture
            }
        }
    }

    /// After `count` frames, drop every frame; when `failing`, also post one source error (a camera
    /// that fails), otherwise stay silent (a camera that stalls).
    private static func addFault(to source: Element, after count: Int, failing: Bool) {
        let seen = FrameCounter()
        source.staticPad("src")?.addBufferProbe { context in
            let frame = seen.next()
            guard frame > count else { return .pass }
            if failing && frame == count + 1 {
                context.postErrorFromElement(
                    domain: .resource, code: GStreamerError.ResourceCode.read.rawValue,
                    message: "Fake camera fault: the stream ended after \(count) frames.",
                    debug: "FakeCamera.Fault.endAfterFrames(\(count))")
            }
            return .drop
        }
    }
}

extension FakeSource {
    /// Drops frames `after + 1 ... after + count`, passes the rest.
    fileprivate static func addGap(to source: Element, after: Int, count: Int) {
        let seen = FrameCounter()
        source.staticPad("src")?.addBufferProbe { _ in
            let frame = seen.next()
            return frame > after && frame - after <= count ? .drop : .pass
        }
    }
}

private final class FrameCounter: Sendable {
    private let count = Atomic<Int>(0)
    func next() -> Int { count.add(1, ordering: .relaxed).newValue }
}

/// Paints the `quadrants` pattern into I420 frames: red, green, blue, white from top-left, clockwise,
/// with a black square of an eighth of the height at the centre (so a centred zoom shows).
enum QuadrantPainter {
    /// (Y, U, V) in BT.601 limited range.
    static let colours: [(UInt8, UInt8, UInt8)] = [(81, 90, 240), (145, 54, 34), (41, 240, 110), (235, 128, 128)]

    static func paint(_ layout: VideoLayout, _ planes: [(UnsafeMutableRawPointer, Int)]) {
        guard layout.format == "I420", planes.count == 3 else { return }
        let width = layout.width, height = layout.height
        for (plane, (base, stride)) in planes.enumerated() {
            let subsampled = plane > 0
            let planeWidth = subsampled ? (width + 1) / 2 : width
            let planeHeight = subsampled ? (height + 1) / 2 : height
            for row in 0..<planeHeight {
                let bottom = row >= planeHeight / 2
                let line = base.advanced(by: row * stride)
                for (right, range) in [(false, 0..<(planeWidth / 2)), (true, (planeWidth / 2)..<planeWidth)] {
                    // top-left 0 red, top-right 1 green, bottom-right 2 blue, bottom-left 3 white
                    let quadrant = bottom ? (right ? 2 : 3) : (right ? 1 : 0)
                    let colour = colours[quadrant]
                    let value = plane == 0 ? colour.0 : plane == 1 ? colour.1 : colour.2
                    line.advanced(by: range.lowerBound).initializeMemory(as: UInt8.self, repeating: value, count: range.count)
                }
            }
            // The centre marker: side height / 8, black (Y 16, U and V 128).
            let side = max(1, (subsampled ? (height + 1) / 2 : height) / 8)
            let left = (planeWidth - side) / 2, top = (planeHeight - side) / 2
            for row in top..<(top + side) {
                base.advanced(by: row * stride + left).initializeMemory(as: UInt8.self, repeating: plane == 0 ? 16 : 128, count: side)
            }
        }
    }
}
