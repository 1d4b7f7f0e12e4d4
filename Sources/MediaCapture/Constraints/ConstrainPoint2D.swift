// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `ConstrainPoint2D`: a list of points, or `{exact, ideal}`.
public enum ConstrainPoint2D: Sendable, Hashable {
    case value([Point2D])
    case parameters(exact: [Point2D]? = nil, ideal: [Point2D]? = nil)
}
