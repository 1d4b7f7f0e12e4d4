// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaTrackCapabilities`: what a track (or a device, through `MediaDeviceInfo`) can do.
///
/// Absent members are not supported. `pan`, `tilt` and `zoom` appear only when the track was granted
/// pan-tilt-zoom permission.
public struct MediaTrackCapabilities: Sendable, Hashable {
    public var width: ULongRange?
    public var height: ULongRange?
    public var aspectRatio: DoubleRange?
    public var frameRate: DoubleRange?
    public var facingMode: [String]?
    public var resizeMode: [String]?
    public var deviceId: String?
    public var groupId: String?
    public var whiteBalanceMode: [String]?
    public var exposureMode: [String]?
    public var focusMode: [String]?
    public var exposureCompensation: MediaSettingsRange?
    public var exposureTime: MediaSettingsRange?
    public var colorTemperature: MediaSettingsRange?
    public var iso: MediaSettingsRange?
    public var brightness: MediaSettingsRange?
    public var contrast: MediaSettingsRange?
    public var saturation: MediaSettingsRange?
    public var sharpness: MediaSettingsRange?
    public var focusDistance: MediaSettingsRange?
    public var pan: MediaSettingsRange?
    public var tilt: MediaSettingsRange?
    public var zoom: MediaSettingsRange?
    public var torch: [Bool]?

    public init(
        width: ULongRange? = nil,
        height: ULongRange? = nil,
        aspectRatio: DoubleRange? = nil,
        frameRate: DoubleRange? = nil,
        facingMode: [String]? = nil,
        resizeMode: [String]? = nil,
        deviceId: String? = nil,
        groupId: String? = nil,
        whiteBalanceMode: [String]? = nil,
        exposureMode: [String]? = nil,
        focusMode: [String]? = nil,
        exposureCompensation: MediaSettingsRange? = nil,
        exposureTime: MediaSettingsRange? = nil,
        colorTemperature: MediaSettingsRange? = nil,
        iso: MediaSettingsRange? = nil,
        brightness: MediaSettingsRange? = nil,
        contrast: MediaSettingsRange? = nil,
        saturation: MediaSettingsRange? = nil,
        sharpness: MediaSettingsRange? = nil,
        focusDistance: MediaSettingsRange? = nil,
        pan: MediaSettingsRange? = nil,
        tilt: MediaSettingsRange? = nil,
        zoom: MediaSettingsRange? = nil,
        torch: [Bool]? = nil
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
extension MediaTrackCapabilities: Codable {}
