// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaTrackSettings`: the values a track actually has now (as negotiated or read back from the device).
public struct MediaTrackSettings: Sendable, Hashable {
    public var width: Int?
    public var height: Int?
    public var aspectRatio: Double?
    public var frameRate: Double?
    public var facingMode: String?
    public var resizeMode: String?
    public var deviceId: String?
    public var groupId: String?
    public var whiteBalanceMode: String?
    public var exposureMode: String?
    public var focusMode: String?
    public var pointsOfInterest: [Point2D]?
    public var exposureCompensation: Double?
    public var exposureTime: Double?
    public var colorTemperature: Double?
    public var iso: Double?
    public var brightness: Double?
    public var contrast: Double?
    public var saturation: Double?
    public var sharpness: Double?
    public var focusDistance: Double?
    public var pan: Double?
    public var tilt: Double?
    public var zoom: Double?
    public var torch: Bool?

    public init(
        width: Int? = nil,
        height: Int? = nil,
        aspectRatio: Double? = nil,
        frameRate: Double? = nil,
        facingMode: String? = nil,
        resizeMode: String? = nil,
        deviceId: String? = nil,
        groupId: String? = nil,
        whiteBalanceMode: String? = nil,
        exposureMode: String? = nil,
        focusMode: String? = nil,
        pointsOfInterest: [Point2D]? = nil,
        exposureCompensation: Double? = nil,
        exposureTime: Double? = nil,
        colorTemperature: Double? = nil,
        iso: Double? = nil,
        brightness: Double? = nil,
        contrast: Double? = nil,
        saturation: Double? = nil,
        sharpness: Double? = nil,
        focusDistance: Double? = nil,
        pan: Double? = nil,
        tilt: Double? = nil,
        zoom: Double? = nil,
        torch: Bool? = nil
    ) {
        self.width = width
        self.height = height
        self.aspectRatio = aspectRatio
        self.frameRate = frameRate
        self.facingMode = facingMode
        self.resizeMode = resizeMode
        self.deviceId = deviceId
        self.groupId = groupId
        self.whiteBalanceMode = whiteBalanceMode
        self.exposureMode = exposureMode
        self.focusMode = focusMode
        self.pointsOfInterest = pointsOfInterest
        self.exposureCompensation = exposureCompensation
        self.exposureTime = exposureTime
        self.colorTemperature = colorTemperature
        self.iso = iso
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.sharpness = sharpness
        self.focusDistance = focusDistance
        self.pan = pan
        self.tilt = tilt
        self.zoom = zoom
        self.torch = torch
    }
}

/// Its JSON is what a browser's `JSON.stringify` gives: absent members omitted, numbers as numbers.
extension MediaTrackSettings: Codable {}
