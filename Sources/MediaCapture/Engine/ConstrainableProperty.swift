/// One constrainable property: its W3C name and how to read its constraint and its setting.
///
/// The table ``all`` drives the constraint engine, `getSupportedConstraints()` and the
/// device-selection rules, so a member is added in one place.
struct ConstrainableProperty: Sendable {
    let name: String
    /// Whether a required (min/max/exact) form is allowed in `getUserMedia` (mediacapture-main's
    /// "allowed required constraints for device selection").
    let allowedRequiredForDeviceSelection: Bool
    let constraint: @Sendable (MediaTrackConstraintSet, _ inAdvanced: Bool) -> NormalizedConstraint?
    let setting: @Sendable (MediaTrackSettings) -> SettingValue?

    static let all: [ConstrainableProperty] = [
        ulong("width", \.width, \.width, selection: true),
        ulong("height", \.height, \.height, selection: true),
        double("aspectRatio", \.aspectRatio, \.aspectRatio, selection: true),
        double("frameRate", \.frameRate, \.frameRate, selection: true),
        string("facingMode", \.facingMode, \.facingMode, selection: true),
        string("resizeMode", \.resizeMode, \.resizeMode, selection: true),
        string("deviceId", \.deviceId, \.deviceId, selection: true),
        string("groupId", \.groupId, \.groupId, selection: true),
        string("whiteBalanceMode", \.whiteBalanceMode, \.whiteBalanceMode),
        string("exposureMode", \.exposureMode, \.exposureMode),
        string("focusMode", \.focusMode, \.focusMode),
        ConstrainableProperty(
            name: "pointsOfInterest", allowedRequiredForDeviceSelection: false,
            constraint: { set, advanced in
                switch set.pointsOfInterest {
                case nil: nil
                case .value(let points): advanced ? .points(exact: points, ideal: nil) : .points(exact: nil, ideal: points)
                case .parameters(let exact, let ideal): .points(exact: exact, ideal: ideal)
                }
            }, setting: { $0.pointsOfInterest.map { .points($0) } }),
        double("exposureCompensation", \.exposureCompensation, \.exposureCompensation),
        double("exposureTime", \.exposureTime, \.exposureTime),
        double("colorTemperature", \.colorTemperature, \.colorTemperature),
        double("iso", \.iso, \.iso),
        double("brightness", \.brightness, \.brightness),
        double("contrast", \.contrast, \.contrast),
        double("saturation", \.saturation, \.saturation),
        double("sharpness", \.sharpness, \.sharpness),
        double("focusDistance", \.focusDistance, \.focusDistance),
        doubleOrBool("pan", \.pan, \.pan),
        doubleOrBool("tilt", \.tilt, \.tilt),
        doubleOrBool("zoom", \.zoom, \.zoom),
        ConstrainableProperty(
            name: "torch", allowedRequiredForDeviceSelection: false,
            constraint: { set, advanced in
                switch set.torch {
                case nil: nil
                case .value(let value): advanced ? .boolean(exact: value, ideal: nil) : .boolean(exact: nil, ideal: value)
                case .parameters(let exact, let ideal): .boolean(exact: exact, ideal: ideal)
                }
            }, setting: { $0.torch.map { .bool($0) } }),
    ]

    static let names: Set<String> = Set(all.map(\.name))

    // MARK: - Builders per W3C type

    private static func numeric(_ value: ConstrainDouble, inAdvanced: Bool) -> NormalizedConstraint {
        switch value {
        case .value(let bare): inAdvanced ? .numeric(min: nil, max: nil, exact: bare, ideal: nil)
            : .numeric(min: nil, max: nil, exact: nil, ideal: bare)
        case .range(let min, let max, let exact, let ideal): .numeric(min: min, max: max, exact: exact, ideal: ideal)
        }
    }

    private static func ulong(
        _ name: String, _ constraint: KeyPath<MediaTrackConstraintSet, ConstrainULong?> & Sendable,
        _ setting: KeyPath<MediaTrackSettings, Int?> & Sendable, selection: Bool
    ) -> ConstrainableProperty {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: selection,
            constraint: { set, advanced in
                switch set[keyPath: constraint] {
                case nil: nil
                case .value(let bare): numeric(.value(Double(bare)), inAdvanced: advanced)
                case .range(let min, let max, let exact, let ideal):
                    .numeric(min: min.map(Double.init), max: max.map(Double.init),
                             exact: exact.map(Double.init), ideal: ideal.map(Double.init))
                }
            }, setting: { $0[keyPath: setting].map { .number(Double($0)) } })
    }

    private static func double(
        _ name: String, _ constraint: KeyPath<MediaTrackConstraintSet, ConstrainDouble?> & Sendable,
        _ setting: KeyPath<MediaTrackSettings, Double?> & Sendable, selection: Bool = false
    ) -> ConstrainableProperty {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: selection,
            constraint: { set, advanced in set[keyPath: constraint].map { numeric($0, inAdvanced: advanced) } },
            setting: { $0[keyPath: setting].map { .number($0) } })
    }

    private static func string(
        _ name: String, _ constraint: KeyPath<MediaTrackConstraintSet, ConstrainDOMString?> & Sendable,
        _ setting: KeyPath<MediaTrackSettings, String?> & Sendable, selection: Bool = false
    ) -> ConstrainableProperty {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: selection,
            constraint: { set, advanced in
                switch set[keyPath: constraint] {
                case nil: return nil
                // An empty list is the same as no constraint.
                case .value(let values): 
                    guard !values.isEmpty else { return nil }
                    return advanced ? .strings(exact: values, ideal: nil) : .strings(exact: nil, ideal: values)
                case .parameters(let exact, let ideal):
                    let exact = exact?.isEmpty == true ? nil : exact
                    let ideal = ideal?.isEmpty == true ? nil : ideal
                    return exact == nil && ideal == nil ? nil : .strings(exact: exact, ideal: ideal)
                }
            }, setting: { $0[keyPath: setting].map { .string($0) } })
    }

    private static func doubleOrBool(
        _ name: String, _ constraint: KeyPath<MediaTrackConstraintSet, ConstrainDoubleOrBool?> & Sendable,
        _ setting: KeyPath<MediaTrackSettings, Double?> & Sendable
    ) -> ConstrainableProperty {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: false,
            constraint: { set, advanced in
                switch set[keyPath: constraint] {
                case nil: nil
                case .bool(let exists): .existence(exists)
                case .double(let value): numeric(value, inAdvanced: advanced)
                }
            }, setting: { $0[keyPath: setting].map { .number($0) } })
    }
}

/// A constraint with the bare-value rule already applied (ideal at top level, exact in `advanced`).
enum NormalizedConstraint: Sendable, Hashable {
    case numeric(min: Double?, max: Double?, exact: Double?, ideal: Double?)
    case strings(exact: [String]?, ideal: [String]?)
    case boolean(exact: Bool?, ideal: Bool?)
    case points(exact: [Point2D]?, ideal: [Point2D]?)
    /// `pan: true` / `pan: false`: prefer a camera with (without) the control; never required.
    case existence(Bool)

    /// Whether the constraint has a `min`, `max` or `exact`.
    var isRequired: Bool {
        switch self {
        case .numeric(let min, let max, let exact, _): min != nil || max != nil || exact != nil
        case .strings(let exact, _): exact != nil
        case .boolean(let exact, _): exact != nil
        case .points(let exact, _): exact != nil
        case .existence: false
        }
    }

    /// The W3C fitness distance of one setting (nil = the object does not have the property).
    func fitnessDistance(to setting: SettingValue?) -> Double {
        if case .existence(let wanted) = self { return wanted == (setting != nil) ? 0 : 1 }
        guard let setting else { return isRequired ? .infinity : 1 }
        switch (self, setting) {
        case (.numeric(let min, let max, let exact, let ideal), .number(let actual)):
            if let exact, actual != exact { return .infinity }
            if let min, actual < min { return .infinity }
            if let max, actual > max { return .infinity }
            guard let ideal, actual != ideal else { return 0 }
            return abs(actual - ideal) / Swift.max(abs(actual), abs(ideal))
        case (.strings(let exact, let ideal), .string(let actual)):
            if let exact, !exact.contains(actual) { return .infinity }
            guard let ideal else { return 0 }
            return ideal.contains(actual) ? 0 : 1
        case (.boolean(let exact, let ideal), .bool(let actual)):
            if let exact, exact != actual { return .infinity }
            guard let ideal else { return 0 }
            return ideal == actual ? 0 : 1
        case (.points(let exact, let ideal), .points(let actual)):
            if let exact, exact != actual { return .infinity }
            guard let ideal else { return 0 }
            return ideal == actual ? 0 : 1
        default:
            // A constraint of another type than the setting: never satisfiable when required.
            return isRequired ? .infinity : 1
        }
    }
}

/// A setting's value, as the engine compares it.
enum SettingValue: Sendable, Hashable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case points([Point2D])
}
