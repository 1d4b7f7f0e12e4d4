// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// Keeps a `videocrop` cutting its input, centred, to a target aspect ratio, so a scaler after it
/// never distorts or letterboxes. The input size is read from CAPS events on the crop's sink pad,
/// before the crop sees them, so a mode switch is cropped right from its first frame.
final class AspectCrop: Sendable {
    private let crop: Element
    private let state = Locked<(input: Size?, target: Size?)>((nil, nil))

    struct Size: Sendable, Hashable {
        var width: Int
        var height: Int
    }

    init(_ crop: Element) {
        self.crop = crop
        crop.staticPad("sink")?.addVideoCapsProbe { [weak self] width, height in
            self?.setInput(Size(width: width, height: height))
        }
    }

    /// The source is about to switch modes: the crop lets whole frames through until the new mode's
    /// CAPS event sets its margins again. Margins for either size would not fit frames of the other
    /// (old ones still on their way, or the sizes the source asks about while renegotiating), and a
    /// crop that fits nothing fails the stream as not negotiated. Tracks are muted meanwhile.
    func prepareForNewInput() {
        update { $0.input = nil }
    }

    /// The size of the frames reaching the crop (from CAPS events, on the streaming thread).
    func setInput(_ input: Size?) {
        update { $0.input = input }
    }

    /// The size whose aspect the output must have; nil crops nothing.
    func setTarget(_ target: Size?) {
        update { $0.target = target }
    }

    /// Changes the state and sets the margins under the same lock (GStreamer's property setters do
    /// not call back into Swift): a CAPS event and a new target never leave the older one's margins.
    private func update(_ change: (inout (input: Size?, target: Size?)) -> Void) {
        state.withLock { state in
            change(&state)
            guard let input = state.input, let target = state.target else {
                crop.setMargins(left: 0, right: 0, top: 0, bottom: 0)
                return
            }
            let margins = Self.margins(of: input, toAspectOf: target)
            crop.setMargins(left: margins.0, right: margins.1, top: margins.2, bottom: margins.3)
        }
    }

    /// The margins the crop has now (for tests).
    var margins: (Int, Int, Int, Int) {
        (Int(crop.int("left")), Int(crop.int("right")), Int(crop.int("top")), Int(crop.int("bottom")))
    }

    /// The margins the state asks for.
    var expectedMargins: (Int, Int, Int, Int) {
        state.withLock { state in
            guard let input = state.input, let target = state.target else { return (0, 0, 0, 0) }
            return Self.margins(of: input, toAspectOf: target)
        }
    }

    /// Left, right, top, bottom margins that cut `input` to `target`'s aspect, centred.
    static func margins(of input: Size, toAspectOf target: Size) -> (Int, Int, Int, Int) {
        // Compare input.w / input.h with target.w / target.h without rounding.
        let inputWide = input.width * target.height, targetWide = target.width * input.height
        if inputWide > targetWide {
            let keep = (input.height * target.width + target.height / 2) / target.height
            let cut = input.width - keep
            return (cut / 2, cut - cut / 2, 0, 0)
        } else if inputWide < targetWide {
            let keep = (input.width * target.height + target.width / 2) / target.width
            let cut = input.height - keep
            return (0, 0, cut / 2, cut - cut / 2)
        }
        return (0, 0, 0, 0)
    }
}
