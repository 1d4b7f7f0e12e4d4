// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// A claim on a photo branch's held frames (zero shutter lag): released when the last reference
/// goes, so an `ImageCapture` that asked for it keeps the frames held for as long as it lives.
final class FrameHold: Sendable {
    private let release: @Sendable () -> Void

    init(release: @escaping @Sendable () -> Void) { self.release = release }

    deinit { release() }
}
