// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `PhotoSettings`: the settings of one `takePhoto`; absent members keep the current value.
public struct PhotoSettings: Sendable, Hashable {
    public var fillLightMode: FillLightMode?
    public var imageHeight: Double?
    public var imageWidth: Double?
    public var redEyeReduction: Bool?

    public init(
        fillLightMode: FillLightMode? = nil, imageHeight: Double? = nil, imageWidth: Double? = nil,
        redEyeReduction: Bool? = nil
    ) {
        self.fillLightMode = fillLightMode
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.redEyeReduction = redEyeReduction
    }
}

/// Its JSON is what a browser's `JSON.stringify` gives: absent members omitted, numbers as numbers.
extension PhotoSettings: Codable {}
