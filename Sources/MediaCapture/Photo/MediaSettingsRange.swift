// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaSettingsRange` (Image Capture): `min`, `max` and `step`, each optional.
public struct MediaSettingsRange: Sendable, Hashable {
    public var min: Double?
    public var max: Double?
    /// The smallest difference between two values the device distinguishes. Values are range-checked,
    /// not snapped to it.
    public var step: Double?

    public init(min: Double? = nil, max: Double? = nil, step: Double? = nil) {
        self.min = min
        self.max = max
        self.step = step
    }
}

/// Its JSON is what a browser's `JSON.stringify` gives: absent members omitted, numbers as numbers.
extension MediaSettingsRange: Codable {}
