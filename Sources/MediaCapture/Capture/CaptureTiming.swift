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

    /// How long without any frame means the camera stalled: four frame intervals plus a second (the
    /// default `grabFrame` deadline, the photo's stall rule, the bound of a change between frames).
    static func stallBound(frameRate: Double?) -> Duration {
        let rate = frameRate.flatMap { $0.isFinite ? $0 : nil } ?? 30
        return .milliseconds(Int(4000 / min(max(rate, 1), 1000))) + .seconds(1)
    }
}
