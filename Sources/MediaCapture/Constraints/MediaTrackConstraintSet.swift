// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaTrackConstraintSet`: one set of constraints, every member optional (absent = unconstrained).
///
/// Carries the Media Capture and Streams members and the seventeen Image Capture members.
public struct MediaTrackConstraintSet: Sendable, Hashable {
    public var width: ConstrainULong?
    public var height: ConstrainULong?
    public var aspectRatio: ConstrainDouble?
    public var frameRate: ConstrainDouble?
    public var facingMode: ConstrainDOMString?
    public var resizeMode: ConstrainDOMString?
    public var deviceId: ConstrainDOMString?
    public var groupId: ConstrainDOMString?
    public var whiteBalanceMode: ConstrainDOMString?
    public var exposureMode: ConstrainDOMString?
    public var focusMode: ConstrainDOMString?
    public var pointsOfInterest: ConstrainPoint2D?
    public var exposureCompensation: ConstrainDouble?
    public var exposureTime: ConstrainDouble?
    public var colorTemperature: ConstrainDouble?
    public var iso: ConstrainDouble?
    public var brightness: ConstrainDouble?
    public var contrast: ConstrainDouble?
    public var saturation: ConstrainDouble?
    public var sharpness: ConstrainDouble?
    public var focusDistance: ConstrainDouble?
    public var pan: ConstrainDoubleOrBool?
    public var tilt: ConstrainDoubleOrBool?
    public var zoom: ConstrainDoubleOrBool?
    public var torch: ConstrainBoolean?

    public init(
        width: ConstrainULong? = nil,
        height: ConstrainULong? = nil,
        aspectRatio: ConstrainDouble? = nil,
        frameRate: ConstrainDouble? = nil,
        facingMode: ConstrainDOMString? = nil,
        resizeMode: ConstrainDOMString? = nil,
        deviceId: ConstrainDOMString? = nil,
        groupId: ConstrainDOMString? = nil,
        whiteBalanceMode: ConstrainDOMString? = nil,
        exposureMode: ConstrainDOMString? = nil,
        focusMode: ConstrainDOMString? = nil,
        pointsOfInterest: ConstrainPoint2D? = nil,
        exposureCompensation: ConstrainDouble? = nil,
        exposureTime: ConstrainDouble? = nil,
        colorTemperature: ConstrainDouble? = nil,
        iso: ConstrainDouble? = nil,
        brightness: ConstrainDouble? = nil,
        contrast: ConstrainDouble? = nil,
        saturation: ConstrainDouble? = nil,
        sharpness: ConstrainDouble? = nil,
        focusDistance: ConstrainDouble? = nil,
        pan: ConstrainDoubleOrBool? = nil,
        tilt: ConstrainDoubleOrBool? = nil,
        zoom: ConstrainDoubleOrBool? = nil,
        torch: ConstrainBoolean? = nil
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
extension MediaTrackConstraintSet: Codable {}
