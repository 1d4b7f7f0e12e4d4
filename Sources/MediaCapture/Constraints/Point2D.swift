// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `Point2D`: a point in normalised square space, origin top-left, both coordinates in 0...1.
public struct Point2D: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double = 0, y: Double = 0) {
        self.x = x
        self.y = y
    }
}

/// Its JSON is what a browser's `JSON.stringify` gives: absent members omitted, numbers as numbers.
extension Point2D: Codable {}
