// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `ULongRange`: exactly `min` and `max` (no `step`: the spec gives these ranges two keys only).
public struct ULongRange: Sendable, Hashable {
    public var min: UInt32?
    public var max: UInt32?

    public init(min: UInt32? = nil, max: UInt32? = nil) {
        self.min = min
        self.max = max
    }
}

/// Its JSON is what a browser's `JSON.stringify` gives: absent members omitted, numbers as numbers.
extension ULongRange: Codable {}
