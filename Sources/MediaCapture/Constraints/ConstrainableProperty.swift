// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// One constrainable property: its W3C name and how to read and write its constraint, setting and
/// capability.
///
/// The table ``all`` drives the constraint engine, `getSupportedConstraints()`, the device-selection
/// rules and every copy, overlay and filter of the control members, so a member is added in one place.
struct ConstrainableProperty: Sendable {
    let name: String
    /// Whether a required (min/max/exact) form is allowed in `getUserMedia` (mediacapture-main's
    /// "allowed required constraints for device selection"). These are the mode members: the
    /// camera's mode gives them; every other member is a control.
    let allowedRequiredForDeviceSelection: Bool
    let constraint: @Sendable (MediaTrackConstraintSet, _ inAdvanced: Bool) -> NormalizedConstraint?
    let setting: @Sendable (MediaTrackSettings) -> SettingValue?
    /// Writes a value of the setting's type (others are ignored).
    let assign: @Sendable (inout MediaTrackSettings, SettingValue) -> Void
    /// Copies the setting from one dictionary to another, absence included.
    let copySetting: @Sendable (MediaTrackSettings, inout MediaTrackSettings) -> Void
    /// Copies the capability from one dictionary to another, absence included.
    let copyCapability: @Sendable (MediaTrackCapabilities, inout MediaTrackCapabilities) -> Void
    /// The values the capability allows, for the constraint engine (nil: the track lacks the member).
    let domain: @Sendable (MediaTrackCapabilities, MediaTrackSettings) -> ConstraintResolution.Domain?
    /// Sets an exact constraint from text (`100`, `manual`, `true`); false when the text is not of
    /// the member's type (a number must be finite; a boolean is `true` or `false`).
    var parseExact: @Sendable (inout MediaTrackConstraintSet, String) -> Bool = { _, _ in false }
    /// The capability as a person reads it (`3 ... 2047 step 1`, `manual, continuous`); nil when absent.
    var describeCapability: @Sendable (MediaTrackCapabilities) -> String? = { _ in nil }

    /// A mode member (size, rate, aspect, resize mode, ids, facing mode), as opposed to a control.
    var isModeMember: Bool { allowedRequiredForDeviceSelection }

    /// Pan, tilt and zoom: present only with pan-tilt-zoom permission.
    var isPanTiltZoom: Bool { ["pan", "tilt", "zoom"].contains(name) }

    /// The control members (every member but the mode members).
    static let controls: [ConstrainableProperty] = all.filter { !$0.isModeMember }

    static let all: [ConstrainableProperty] = [
        ulong("width", \.width, \.width, \.width),
        ulong("height", \.height, \.height, \.height),
        double("aspectRatio", \.aspectRatio, \.aspectRatio, \.aspectRatio, mode: true),
        double("frameRate", \.frameRate, \.frameRate, \.frameRate, mode: true),
        string("facingMode", \.facingMode, \.facingMode, \.facingMode, mode: true),
        string("resizeMode", \.resizeMode, \.resizeMode, \.resizeMode, mode: true),
        identifier("deviceId", \.deviceId, \.deviceId, \.deviceId),
        identifier("groupId", \.groupId, \.groupId, \.groupId),
        string("whiteBalanceMode", \.whiteBalanceMode, \.whiteBalanceMode, \.whiteBalanceMode),
        string("exposureMode", \.exposureMode, \.exposureMode, \.exposureMode),
        string("focusMode", \.focusMode, \.focusMode, \.focusMode),
        ConstrainableProperty(
            name: "pointsOfInterest", allowedRequiredForDeviceSelection: false,
            constraint: { set, advanced in
                switch set.pointsOfInterest {
                case nil: nil
                case .value(let points): advanced ? .points(exact: points, ideal: nil) : .points(exact: nil, ideal: points)
                case .parameters(let exact, let ideal): .points(exact: exact, ideal: ideal)
                }
            },
            setting: { $0.pointsOfInterest.map { .points($0) } },
            assign: { if case .points(let v) = $1 { $0.pointsOfInterest = v } },
            copySetting: { $1.pointsOfInterest = $0.pointsOfInterest },
            copyCapability: { _, _ in },  // W3C defines no capability for it
            domain: { _, settings in settings.pointsOfInterest != nil ? .points(exact: nil) : nil }),
        double("exposureCompensation", \.exposureCompensation, \.exposureCompensation, \.exposureCompensation),
        double("exposureTime", \.exposureTime, \.exposureTime, \.exposureTime),
        double("colorTemperature", \.colorTemperature, \.colorTemperature, \.colorTemperature),
        double("iso", \.iso, \.iso, \.iso),
        double("brightness", \.brightness, \.brightness, \.brightness),
        double("contrast", \.contrast, \.contrast, \.contrast),
        double("saturation", \.saturation, \.saturation, \.saturation),
        double("sharpness", \.sharpness, \.sharpness, \.sharpness),
        double("focusDistance", \.focusDistance, \.focusDistance, \.focusDistance),
        doubleOrBool("pan", \.pan, \.pan, \.pan),
        doubleOrBool("tilt", \.tilt, \.tilt, \.tilt),
        doubleOrBool("zoom", \.zoom, \.zoom, \.zoom),
        ConstrainableProperty(
            name: "torch", allowedRequiredForDeviceSelection: false,
            constraint: { set, advanced in
                switch set.torch {
                case nil: nil
                case .value(let value): advanced ? .boolean(exact: value, ideal: nil) : .boolean(exact: nil, ideal: value)
                case .parameters(let exact, let ideal): .boolean(exact: exact, ideal: ideal)
                }
            },
            setting: { $0.torch.map { .bool($0) } },
            assign: { if case .bool(let v) = $1 { $0.torch = v } },
            copySetting: { $1.torch = $0.torch },
            copyCapability: { $1.torch = $0.torch },
            domain: { capabilities, _ in capabilities.torch.map { .bools($0) } },
            parseExact: { set, text in
                guard let value = Bool(text) else { return false }  // `true` or `false`, nothing else
                set.torch = .parameters(exact: value)
                return true
            },
            describeCapability: { $0.torch?.map(\.description).joined(separator: ", ") }),
    ]

    static let byName: [String: ConstrainableProperty] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static let names: Set<String> = Set(all.map(\.name))

    // MARK: - Builders per W3C type

    private static func numeric(_ value: ConstrainDouble, inAdvanced: Bool) -> NormalizedConstraint {
        switch value {
        case .value(let bare):
            inAdvanced
                ? .numeric(min: nil, max: nil, exact: bare, ideal: nil)
                : .numeric(min: nil, max: nil, exact: nil, ideal: bare)
        case .range(let min, let max, let exact, let ideal): .numeric(min: min, max: max, exact: exact, ideal: ideal)
        }
    }

    private static func ulong(
        _ name: String, _ constraint: KeyPath<MediaTrackConstraintSet, ConstrainULong?> & Sendable,
        _ setting: WritableKeyPath<MediaTrackSettings, Int?> & Sendable,
        _ capability: WritableKeyPath<MediaTrackCapabilities, ULongRange?> & Sendable
    ) -> ConstrainableProperty {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: true,
            constraint: { set, advanced in
                switch set[keyPath: constraint] {
                case nil: nil
                case .value(let bare): numeric(.value(Double(bare)), inAdvanced: advanced)
                case .range(let min, let max, let exact, let ideal):
                    .numeric(
                        min: min.map(Double.init), max: max.map(Double.init),
                        exact: exact.map(Double.init), ideal: ideal.map(Double.init))
                }
            },
            setting: { $0[keyPath: setting].map { .number(Double($0)) } },
            assign: { if case .number(let v) = $1, v.isFinite, let whole = Int(exactly: v.rounded()) { $0[keyPath: setting] = whole } },
            copySetting: { $1[keyPath: setting] = $0[keyPath: setting] },
            copyCapability: { $1[keyPath: capability] = $0[keyPath: capability] },
            domain: { capabilities, _ in
                guard let range = capabilities[keyPath: capability], let low = range.min, let high = range.max else { return nil }
                return .range(Double(low), Double(high))
            })
    }

    private static func double<Capability: Sendable>(
        _ name: String, _ constraint: WritableKeyPath<MediaTrackConstraintSet, ConstrainDouble?> & Sendable,
        _ setting: WritableKeyPath<MediaTrackSettings, Double?> & Sendable,
        _ capability: WritableKeyPath<MediaTrackCapabilities, Capability?> & Sendable, mode: Bool = false
    ) -> ConstrainableProperty where Capability: NumericRange {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: mode,
            constraint: { set, advanced in set[keyPath: constraint].map { numeric($0, inAdvanced: advanced) } },
            setting: { $0[keyPath: setting].map { .number($0) } },
            assign: { if case .number(let v) = $1 { $0[keyPath: setting] = v } },
            copySetting: { $1[keyPath: setting] = $0[keyPath: setting] },
            copyCapability: { $1[keyPath: capability] = $0[keyPath: capability] },
            domain: { capabilities, _ in capabilities[keyPath: capability]?.bounds.map { .range($0.0, $0.1) } },
            parseExact: { set, text in
                guard let value = Double(text), value.isFinite else { return false }
                set[keyPath: constraint] = .exact(value)
                return true
            },
            describeCapability: { $0[keyPath: capability]?.text })
    }

    /// `deviceId`, `groupId`: a string setting whose capability is the one value.
    private static func identifier(
        _ name: String, _ constraint: WritableKeyPath<MediaTrackConstraintSet, ConstrainDOMString?> & Sendable,
        _ setting: WritableKeyPath<MediaTrackSettings, String?> & Sendable,
        _ capability: WritableKeyPath<MediaTrackCapabilities, String?> & Sendable
    ) -> ConstrainableProperty {
        let strings = string(name, constraint, setting, \.facingMode, mode: true)
        return ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: true, constraint: strings.constraint,
            setting: strings.setting, assign: strings.assign, copySetting: strings.copySetting,
            copyCapability: { $1[keyPath: capability] = $0[keyPath: capability] },
            domain: { capabilities, _ in capabilities[keyPath: capability].map { .strings([$0]) } })
    }

    private static func string(
        _ name: String, _ constraint: WritableKeyPath<MediaTrackConstraintSet, ConstrainDOMString?> & Sendable,
        _ setting: WritableKeyPath<MediaTrackSettings, String?> & Sendable,
        _ capability: WritableKeyPath<MediaTrackCapabilities, [String]?> & Sendable, mode: Bool = false
    ) -> ConstrainableProperty {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: mode,
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
            },
            setting: { $0[keyPath: setting].map { .string($0) } },
            assign: { if case .string(let v) = $1 { $0[keyPath: setting] = v } },
            copySetting: { $1[keyPath: setting] = $0[keyPath: setting] },
            copyCapability: { $1[keyPath: capability] = $0[keyPath: capability] },
            domain: { capabilities, _ in capabilities[keyPath: capability].map { .strings($0) } },
            parseExact: { set, text in
                guard !text.isEmpty else { return false }
                set[keyPath: constraint] = .exact(text)
                return true
            },
            describeCapability: { $0[keyPath: capability]?.joined(separator: ", ") })
    }

    private static func doubleOrBool(
        _ name: String, _ constraint: WritableKeyPath<MediaTrackConstraintSet, ConstrainDoubleOrBool?> & Sendable,
        _ setting: WritableKeyPath<MediaTrackSettings, Double?> & Sendable,
        _ capability: WritableKeyPath<MediaTrackCapabilities, MediaSettingsRange?> & Sendable
    ) -> ConstrainableProperty {
        ConstrainableProperty(
            name: name, allowedRequiredForDeviceSelection: false,
            constraint: { set, advanced in
                switch set[keyPath: constraint] {
                case nil: nil
                case .bool(let exists): .existence(exists)
                case .double(let value): numeric(value, inAdvanced: advanced)
                }
            },
            setting: { $0[keyPath: setting].map { .number($0) } },
            assign: { if case .number(let v) = $1 { $0[keyPath: setting] = v } },
            copySetting: { $1[keyPath: setting] = $0[keyPath: setting] },
            copyCapability: { $1[keyPath: capability] = $0[keyPath: capability] },
            domain: { capabilities, _ in capabilities[keyPath: capability]?.bounds.map { .range($0.0, $0.1) } },
            parseExact: { set, text in
                guard let value = Double(text), value.isFinite else { return false }
                set[keyPath: constraint] = .double(.exact(value))
                return true
            },
            describeCapability: { $0[keyPath: capability]?.text })
    }
}

/// A capability with a lower and an upper bound (`DoubleRange`, `MediaSettingsRange`).
protocol NumericRange: Sendable {
    /// (min, max) when both are known.
    var bounds: (Double, Double)? { get }
    /// `min ... max step s`, as a person reads it.
    var text: String { get }
}

extension MediaSettingsRange: NumericRange {
    var bounds: (Double, Double)? {
        guard let min, let max else { return nil }
        return (min, max)
    }

    var text: String { "\((min ?? 0).formatted) ... \((max ?? 0).formatted) step \((step ?? 0).formatted)" }
}

extension DoubleRange: NumericRange {
    var bounds: (Double, Double)? {
        guard let min, let max else { return nil }
        return (min, max)
    }

    var text: String { "\((min ?? 0).formatted) ... \((max ?? 0).formatted)" }
}

/// A constraint with the bare-value rule already applied (ideal at top level, exact in `advanced`).
enum NormalizedConstraint: Sendable, Hashable {
    case numeric(min: Double?, max: Double?, exact: Double?, ideal: Double?)
    case strings(exact: [String]?, ideal: [String]?)
    case boolean(exact: Bool?, ideal: Bool?)
    case points(exact: [Point2D]?, ideal: [Point2D]?)
    /// `pan: true` / `pan: false`: prefer a camera with (without) the control; never required.
    case existence(Bool)

    /// Whether every number in it is finite (WebIDL's `double` rejects NaN and the infinities).
    var isFinite: Bool {
        switch self {
        case .numeric(let min, let max, let exact, let ideal): [min, max, exact, ideal].allSatisfy { $0?.isFinite ?? true }
        case .points(let exact, let ideal): ((exact ?? []) + (ideal ?? [])).allSatisfy { $0.x.isFinite && $0.y.isFinite }
        case .strings, .boolean, .existence: true
        }
    }

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
