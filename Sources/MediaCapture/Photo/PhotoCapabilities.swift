// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `PhotoCapabilities`: the ranges `takePhoto` accepts.
public struct PhotoCapabilities: Sendable, Hashable {
    public var redEyeReduction: RedEyeReduction?
    public var imageHeight: MediaSettingsRange?
    public var imageWidth: MediaSettingsRange?
    public var fillLightMode: [FillLightMode]?

    public init(
        redEyeReduction: RedEyeReduction? = nil, imageHeight: MediaSettingsRange? = nil,
        imageWidth: MediaSettingsRange? = nil, fillLightMode: [FillLightMode]? = nil
    ) {
        self.redEyeReduction = redEyeReduction
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.fillLightMode = fillLightMode
    }
}

/// Its JSON is what a browser's `JSON.stringify` gives: absent members omitted, numbers as numbers.
extension PhotoCapabilities: Codable {}
