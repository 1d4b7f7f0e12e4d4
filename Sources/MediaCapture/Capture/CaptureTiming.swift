// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The library's time constants, in one place so tests can shorten them.
struct CaptureTiming: Sendable, Hashable {
    /// How long opening may take (reaching PLAYING, then the first frame) before the device counts
    /// as unreadable.
    var openTimeout = Duration.seconds(5)
    /// How long a branch's gate stays open after the last demand for its frames.
    var gateLinger = Duration.seconds(2)
    /// How long a mode switch may take to deliver a frame of the new mode.
    var modeSwitchTimeout = Duration.seconds(5)
    /// How long stopping a pipeline may take before it is abandoned as wedged.
    var stopTimeout = Duration.seconds(5)

    static let standard = CaptureTiming()

    // The constants no test shortens.

    /// How long one device call (a V4L2 ioctl, a driver's open for a probe) may take before the device
    /// counts as not answering.
    static let deviceCallTimeout = Duration.seconds(5)
    /// How long an open waits for the device's last release, and `shutdown()` for every release: a
    /// driver that never lets go must not hang the next open (which then finds the device busy).
    static let releaseTimeout = Duration.seconds(5)
    /// How long `ImageBitmap.encode` may take.
    static let encodeTimeout = Duration.seconds(5)
    /// How long a one-off listing of the system's cameras may take, and each of its two PipeWire attempts.
    static let listingTimeout = Duration.seconds(5)
    static let pipeWireListingAttempt = Duration.seconds(2)

    /// How long without any frame means the camera stalled: four frame intervals plus a second (the
    /// default `grabFrame` deadline, the photo's stall rule, the bound of a change between frames).
    static func stallBound(frameRate: Double?) -> Duration {
        let rate = frameRate.flatMap { $0.isFinite ? $0 : nil } ?? 30
        return .milliseconds(Int(4000 / min(max(rate, 1), 1000))) + .seconds(1)
    }
}
