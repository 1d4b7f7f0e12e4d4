// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `DoubleRange`: exactly `min` and `max`.
public struct DoubleRange: Sendable, Hashable {
    public var min: Double?
    public var max: Double?

    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }
}

/// Its JSON is what a browser's `JSON.stringify` gives: absent members omitted, numbers as numbers.
extension DoubleRange: Codable {}
