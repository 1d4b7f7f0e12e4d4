// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The constraint types' JSON: every form a web page writes (a bare value, a list, `{exact, ideal}`,
// `{min, max, exact, ideal}`), encoded back in the same form, absent members omitted.

/// The members of a range constraint's object form.
private enum RangeKey: String, CodingKey { case min, max, exact, ideal }

extension Encoder {
    /// A bare value: `640`, `true`, `[{"x": 0.5, "y": 0.5}]`.
    fileprivate func encodeBare(_ value: some Encodable) throws {
        var single = singleValueContainer()
        try single.encode(value)
    }

    /// The object form, present members only: `{"max": 1080, "min": 480}`, `{"exact": true}`.
    fileprivate func encodeObject<Value: Encodable>(min: Value? = nil, max: Value? = nil, exact: Value?, ideal: Value?) throws {
        var object = container(keyedBy: RangeKey.self)
        try object.encodeIfPresent(min, forKey: .min)
        try object.encodeIfPresent(max, forKey: .max)
        try object.encodeIfPresent(exact, forKey: .exact)
        try object.encodeIfPresent(ideal, forKey: .ideal)
    }
}

extension Decoder {
    /// The object form's members, each absent or of `type`.
    fileprivate func decodeObject<Value: Decodable>(_ type: Value.Type) throws -> (min: Value?, max: Value?, exact: Value?, ideal: Value?) {
        let object = try container(keyedBy: RangeKey.self)
        return (
            try object.decodeIfPresent(type, forKey: .min), try object.decodeIfPresent(type, forKey: .max),
            try object.decodeIfPresent(type, forKey: .exact), try object.decodeIfPresent(type, forKey: .ideal)
        )
    }
}

extension ConstrainDouble: Codable {
    public init(from decoder: any Decoder) throws {
        if let value = try? decoder.singleValueContainer().decode(Double.self) {
            self = .value(value)
            return
        }
        let object = try decoder.decodeObject(Double.self)
        self = .range(min: object.min, max: object.max, exact: object.exact, ideal: object.ideal)
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .value(let value): try encoder.encodeBare(value)
        case .range(let min, let max, let exact, let ideal): try encoder.encodeObject(min: min, max: max, exact: exact, ideal: ideal)
        }
    }
}

extension ConstrainULong: Codable {
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let number = try? single.decode(Double.self) {
            self = .value(try Self.unsignedLong(number, decoder.codingPath))
            return
        }
        let object = try decoder.container(keyedBy: RangeKey.self)
        func member(_ key: RangeKey) throws -> UInt32? {
            try object.decodeIfPresent(Double.self, forKey: key).map { try Self.unsignedLong($0, object.codingPath + [key]) }
        }
        self = .range(min: try member(.min), max: try member(.max), exact: try member(.exact), ideal: try member(.ideal))
    }

    /// WebIDL `unsigned long`: a fraction is truncated; outside 0...4294967295 is an error here (a
    /// browser would wrap it around, which no camera size means).
    private static func unsignedLong(_ number: Double, _ path: [any CodingKey]) throws -> UInt32 {
        guard number.isFinite, number >= 0, number < 4_294_967_296 else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(number) is not an unsigned long (0 to 4294967295)"))
        }
        return UInt32(number.rounded(.towardZero))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .value(let value): try encoder.encodeBare(value)
        case .range(let min, let max, let exact, let ideal): try encoder.encodeObject(min: min, max: max, exact: exact, ideal: ideal)
        }
    }
}

/// A string or a list of strings, as `ConstrainDOMString` writes either.
private struct StringOrList: Codable {
    var strings: [String]

    init(_ strings: [String]) { self.strings = strings }

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let string = try? single.decode(String.self) {
            strings = [string]
        } else {
            strings = try single.decode([String].self)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        if strings.count == 1 { try single.encode(strings[0]) } else { try single.encode(strings) }
    }
}

extension ConstrainDOMString: Codable {
    public init(from decoder: any Decoder) throws {
        if let value = try? StringOrList(from: decoder) {
            self = .value(value.strings)
            return
        }
        let object = try decoder.decodeObject(StringOrList.self)
        self = .parameters(exact: object.exact?.strings, ideal: object.ideal?.strings)
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .value(let strings): try StringOrList(strings).encode(to: encoder)
        case .parameters(let exact, let ideal):
            try encoder.encodeObject(exact: exact.map(StringOrList.init), ideal: ideal.map(StringOrList.init))
        }
    }
}

extension ConstrainBoolean: Codable {
    public init(from decoder: any Decoder) throws {
        if let value = try? decoder.singleValueContainer().decode(Bool.self) {
            self = .value(value)
            return
        }
        let object = try decoder.decodeObject(Bool.self)
        self = .parameters(exact: object.exact, ideal: object.ideal)
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .value(let value): try encoder.encodeBare(value)
        case .parameters(let exact, let ideal): try encoder.encodeObject(exact: exact, ideal: ideal)
        }
    }
}

extension ConstrainDoubleOrBool: Codable {
    public init(from decoder: any Decoder) throws {
        if let value = try? decoder.singleValueContainer().decode(Bool.self) {
            self = .bool(value)
        } else {
            self = .double(try ConstrainDouble(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .bool(let value): try encoder.encodeBare(value)
        case .double(let constraint): try constraint.encode(to: encoder)
        }
    }
}

extension ConstrainPoint2D: Codable {
    public init(from decoder: any Decoder) throws {
        if let points = try? decoder.singleValueContainer().decode([Point2D].self) {
            self = .value(points)
            return
        }
        let object = try decoder.decodeObject([Point2D].self)
        self = .parameters(exact: object.exact, ideal: object.ideal)
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .value(let points): try encoder.encodeBare(points)
        case .parameters(let exact, let ideal): try encoder.encodeObject(exact: exact, ideal: ideal)
        }
    }
}

/// The basic set's members at the top level, next to `advanced` (a list of sets), as in a page's
/// `applyConstraints({width: 640, advanced: [{zoom: 2}]})`.
extension MediaTrackConstraints: Codable {
    private enum Key: String, CodingKey { case advanced }

    public init(from decoder: any Decoder) throws {
        let basic = try MediaTrackConstraintSet(from: decoder)
        let object = try decoder.container(keyedBy: Key.self)
        self.init(basic: basic, advanced: try object.decodeIfPresent([MediaTrackConstraintSet].self, forKey: .advanced) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        try basic.encode(to: encoder)
        guard !advanced.isEmpty else { return }
        var object = encoder.container(keyedBy: Key.self)
        try object.encode(advanced, forKey: .advanced)
    }
}
