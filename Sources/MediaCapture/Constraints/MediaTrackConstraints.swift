// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaTrackConstraints`: the top-level (basic) constraint set plus `advanced` sets.
///
/// Members of the basic set read and write through this type too (`constraints.width`).
/// In the basic set a bare value is *ideal*; inside `advanced` a bare value is *exact*, and each
/// advanced set is applied whole or skipped.
@dynamicMemberLookup
public struct MediaTrackConstraints: Sendable, Hashable {
    /// The top-level members.
    public var basic: MediaTrackConstraintSet
    public var advanced: [MediaTrackConstraintSet]

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
        torch: ConstrainBoolean? = nil,
        advanced: [MediaTrackConstraintSet] = []
    ) {
        self.basic = MediaTrackConstraintSet(
            width: width,
            height: height,
            aspectRatio: aspectRatio,
            frameRate: frameRate,
            facingMode: facingMode,
            resizeMode: resizeMode,
            deviceId: deviceId,
            groupId: groupId,
            whiteBalanceMode: whiteBalanceMode,
            exposureMode: exposureMode,
            focusMode: focusMode,
            pointsOfInterest: pointsOfInterest,
            exposureCompensation: exposureCompensation,
            exposureTime: exposureTime,
            colorTemperature: colorTemperature,
            iso: iso,
            brightness: brightness,
            contrast: contrast,
            saturation: saturation,
            sharpness: sharpness,
            focusDistance: focusDistance,
            pan: pan,
            tilt: tilt,
            zoom: zoom,
            torch: torch
        )
        self.advanced = advanced
    }

    public init(basic: MediaTrackConstraintSet, advanced: [MediaTrackConstraintSet] = []) {
        self.basic = basic
        self.advanced = advanced
    }

    public subscript<Value>(dynamicMember member: WritableKeyPath<MediaTrackConstraintSet, Value>) -> Value {
        get { basic[keyPath: member] }
        set { basic[keyPath: member] = newValue }
    }
}

extension MediaTrackConstraints {
    /// Checks what WebIDL checks before any algorithm runs: every number is finite.
    /// - Throws: `TypeError` naming the first member with NaN or an infinity.
    func validateNumbers() throws(DOMException) {
        for (index, set) in ([basic] + advanced).enumerated() {
            for property in ConstrainableProperty.all {
                guard let constraint = property.constraint(set, index > 0), !constraint.isFinite else { continue }
                throw DOMException(.typeError, "'\(property.name)' must be a finite number (it is NaN or infinite).")
            }
        }
    }
}

extension MediaTrackConstraints {
    /// The members that apply to a device of `kind`. mediacapture-main's SelectSettings gives a member
    /// that does not apply to the device's kind a fitness distance of 0, whatever its value: for a
    /// microphone that is every member but `deviceId` and `groupId` (the library has no audio members).
    func applicable(to kind: MediaDeviceInfo.Kind) -> MediaTrackConstraints {
        guard kind == .audioinput else { return self }
        func audio(_ set: MediaTrackConstraintSet) -> MediaTrackConstraintSet {
            MediaTrackConstraintSet(deviceId: set.deviceId, groupId: set.groupId)
        }
        return MediaTrackConstraints(basic: audio(basic), advanced: advanced.map(audio))
    }
}
