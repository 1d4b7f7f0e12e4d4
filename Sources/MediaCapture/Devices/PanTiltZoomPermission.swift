// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The pan-tilt-zoom permission policy, as a browser keeps the permission per camera.
///
/// A track exposes `pan`, `tilt` and `zoom` (in its capabilities, settings and constraints) whenever
/// the permission is granted for its camera, whatever its `getUserMedia` asked for. A `getUserMedia`
/// that asks for pan, tilt or zoom (with any value but `false`) is what consults an undecided policy;
/// the answer is kept for that camera by the ``MediaDevices`` that asked.
///
/// Implements the permission integration of MediaStream Image Capture's pan, tilt and zoom
/// (`#permissions-integration`).
public enum PanTiltZoomPermission: Sendable {
    /// Granted beforehand: every track of every camera exposes pan, tilt and zoom.
    case granted
    /// Denied: no track exposes them; a required pan/tilt/zoom constraint is `OverconstrainedError`,
    /// ideal and advanced forms resolve without effect.
    case denied
    /// Undecided: `ask` answers the first `getUserMedia` that requests pan, tilt or zoom on a camera
    /// (a browser's prompt); until then, tracks do not expose them.
    case prompt(_ ask: @Sendable (MediaDeviceInfo) async -> Bool)

    /// Undecided, answering yes when asked: a track has pan, tilt and zoom once a `getUserMedia`
    /// requested them on its camera.
    public static let grantedWhenRequested = PanTiltZoomPermission.prompt { _ in true }
}
