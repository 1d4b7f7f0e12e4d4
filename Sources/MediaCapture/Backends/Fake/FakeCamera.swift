// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// A camera without hardware: the production pipeline with `videotestsrc` in place of the device, a
/// control backend that stores values, and deterministic faults for tests. See the DocC article
/// "Testing without a camera" for the reference profile.
public struct FakeCamera: Sendable, Hashable {
    /// The picture the fake camera shows.
    public enum TestPattern: Sendable, Hashable {
        case smpte, ball
        /// A one-pixel checkerboard: tells a native capture from an upscaled one.
        case checkers1
        case zonePlate
        /// Four solid colours, one per quarter (red, green, blue, white from top-left, clockwise), and a
        /// black square of an eighth of the height at the centre: makes zoom, pan and tilt visible.
        case quadrants
        /// One colour everywhere, `0xAARRGGBB`: lets tests check pixel values. The picture goes through
        /// the camera's YUV (I420) like a real camera's, so primaries, black and white come back
        /// within ±2 per channel, other colours within ±4.
        case solidColor(argb: UInt32)
    }

    /// Which image-capture controls the camera has.
    public enum ControlProfile: Sendable, Hashable {
        /// The web-platform-tests mock camera's controls and values.
        case reference
        /// No image-capture controls at all, like a bare `videotestsrc` track.
        case plain
    }

    /// Deterministic failures.
    public enum Fault: Sendable, Hashable {
        /// After this many frames the source fails with an error: the track ends with an `ended` event.
        case endAfterFrames(Int)
        /// After this many frames no frame arrives any more (a stalled camera); the track stays live.
        case stallAfterFrames(Int)
        /// After `after` frames the next `count` are lost, then frames flow again: a camera that stalls
        /// for a while and recovers. The track stays live throughout.
        case dropFrames(after: Int, count: Int)
        /// Opening fails with this error name (`NotReadableError` for a busy camera, `NotFoundError`...).
        case failToOpen(DOMException.Name)
        /// Gathering photo capabilities or settings takes this long (lets a test stop the track mid-call).
        case photoStateDelay(Duration)
    }

    /// The default modes: five sizes from 320×240 to 3264×2448, each at 30 and 15 fps.
    public static let defaultModes: [VideoMode] = [
        (320, 240), (640, 480), (1280, 720), (1920, 1080), (3264, 2448),
    ].flatMap { size in [30.0, 15.0].map { VideoMode(width: size.0, height: size.1, frameRate: $0) } }

    public var label: String
    public var pattern: TestPattern
    /// True (default): frames come at the mode's rate, like a camera. False: as fast as the pipeline
    /// runs (benchmarks).
    public var isLive: Bool
    public var modes: [VideoMode]
    public var controls: ControlProfile
    public var panTiltZoomPermission: Bool
    public var supportsTorch: Bool
    public var redEyeReduction: RedEyeReduction
    public var fillLightModes: [FillLightMode]
    public var faults: [Fault]

    public init(
        label: String = "Fake Camera", pattern: TestPattern = .smpte, isLive: Bool = true,
        modes: [VideoMode] = FakeCamera.defaultModes, controls: ControlProfile = .reference,
        panTiltZoomPermission: Bool = true, supportsTorch: Bool = true,
        redEyeReduction: RedEyeReduction = .controllable, fillLightModes: [FillLightMode] = [.auto, .flash],
        faults: [Fault] = []
    ) {
        self.label = label
        self.pattern = pattern
        self.isLive = isLive
        self.modes = modes
        self.controls = controls
        self.panTiltZoomPermission = panTiltZoomPermission
        self.supportsTorch = supportsTorch
        self.redEyeReduction = redEyeReduction
        self.fillLightModes = fillLightModes
        self.faults = faults
    }
}
