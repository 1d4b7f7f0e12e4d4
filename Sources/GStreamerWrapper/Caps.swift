// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer

/// An owned reference to `GstCaps`.
///
/// `@unchecked Sendable`: caps are immutable once shared (GStreamer copies on write) and
/// mini-object reference counting is atomic.
package final class Caps: @unchecked Sendable, CustomStringConvertible {
    let pointer: UnsafeMutablePointer<GstCaps>

    /// Transfer full.
    init(adopting pointer: UnsafeMutablePointer<GstCaps>) { self.pointer = pointer }

    /// Transfer none: takes a reference of its own.
    init(retaining pointer: UnsafeMutablePointer<GstCaps>) {
        self.pointer = gst_caps_ref(pointer)
    }

    deinit { gst_caps_unref(pointer) }

    /// Parses a caps string the library built from typed values (never from a caller's text).
    /// The corresponding C function is `gst_caps_from_string`.
    package convenience init?(_ string: String) {
        GStreamer.initialize()
        guard let parsed = gst_caps_from_string(string) else { return nil }
        self.init(adopting: parsed)
    }

    package var description: String {
        guard let text = gst_caps_to_string(pointer) else { return "" }
        defer { g_free(text) }
        return String(cString: text)
    }

    /// The caps with lists expanded into one structure per combination.
    /// The corresponding C function is `gst_caps_normalize`.
    package func normalized() -> Caps {
        Caps(adopting: gst_caps_normalize(gst_caps_copy(pointer)))
    }

    /// The structures as plain Swift values (name plus fields).
    package var structures: [CapsStructure] {
        (0..<gst_caps_get_size(pointer)).compactMap { index in
            guard let structure = gst_caps_get_structure(pointer, index) else { return nil }
            return CapsStructure(structure)
        }
    }
}

/// One structure of a caps, e.g. `video/x-raw, format=YUY2, width=640, height=480, framerate=30/1`.
package struct CapsStructure: Sendable, Hashable {
    package var name: String
    package var fields: [String: CapsValue]

    package init(name: String, fields: [String: CapsValue]) {
        self.name = name
        self.fields = fields
    }

    init(_ structure: UnsafePointer<GstStructure>) {
        name = String(cString: gst_structure_get_name(structure))
        var fields: [String: CapsValue] = [:]
        for index in 0..<gst_structure_n_fields(structure) {
            guard let fieldName = gst_structure_nth_field_name(structure, guint(index)),
                let value = gst_structure_get_value(structure, fieldName)
            else { continue }
            fields[String(cString: fieldName)] = CapsValue(value)
        }
        self.fields = fields
    }
}

/// A field value of a caps structure, as far as the library needs to read one.
package indirect enum CapsValue: Sendable, Hashable {
    case int(Int)
    case intRange(min: Int, max: Int, step: Int)
    case fraction(Int, Int)
    case fractionRange(min: (Int, Int), max: (Int, Int))
    case string(String)
    case list([CapsValue])
    case other(String)

    init(_ value: UnsafePointer<GValue>) {
        let type = value.pointee.g_type
        if type == CGStreamer_G_TYPE_INT() {
            self = .int(Int(g_value_get_int(value)))
        } else if type == CGStreamer_G_TYPE_STRING() {
            self = .string(g_value_get_string(value).map { String(cString: $0) } ?? "")
        } else if type == gst_int_range_get_type() {
            self = .intRange(
                min: Int(gst_value_get_int_range_min(value)), max: Int(gst_value_get_int_range_max(value)),
                step: Int(gst_value_get_int_range_step(value)))
        } else if type == gst_fraction_get_type() {
            self = .fraction(
                Int(gst_value_get_fraction_numerator(value)), Int(gst_value_get_fraction_denominator(value)))
        } else if type == gst_fraction_range_get_type(), let low = gst_value_get_fraction_range_min(value),
            let high = gst_value_get_fraction_range_max(value)
        {
            self = .fractionRange(
                min: (Int(gst_value_get_fraction_numerator(low)), Int(gst_value_get_fraction_denominator(low))),
                max: (Int(gst_value_get_fraction_numerator(high)), Int(gst_value_get_fraction_denominator(high))))
        } else if type == gst_value_list_get_type() || type == gst_value_array_get_type() {
            let count =
                type == gst_value_list_get_type()
                ? gst_value_list_get_size(value) : gst_value_array_get_size(value)
            self = .list(
                (0..<count).compactMap { index in
                    let element =
                        type == gst_value_list_get_type()
                        ? gst_value_list_get_value(value, index) : gst_value_array_get_value(value, index)
                    return element.map { CapsValue($0) }
                })
        } else {
            let text = gst_value_serialize(value)
            defer { g_free(text) }
            self = .other(text.map { String(cString: $0) } ?? "")
        }
    }

    package static func == (lhs: CapsValue, rhs: CapsValue) -> Bool {
        switch (lhs, rhs) {
        case let (.int(a), .int(b)): a == b
        case let (.intRange(a, b, c), .intRange(d, e, f)): a == d && b == e && c == f
        case let (.fraction(a, b), .fraction(c, d)): a == c && b == d
        case let (.fractionRange(a, b), .fractionRange(c, d)): a == c && b == d
        case let (.string(a), .string(b)): a == b
        case let (.list(a), .list(b)): a == b
        case let (.other(a), .other(b)): a == b
        default: false
        }
    }

    package func hash(into hasher: inout Hasher) {
        switch self {
        case let .int(a): hasher.combine(a)
        case let .intRange(a, b, c): hasher.combine(a); hasher.combine(b); hasher.combine(c)
        case let .fraction(a, b): hasher.combine(a); hasher.combine(b)
        case let .fractionRange(a, b): hasher.combine(a.0); hasher.combine(a.1); hasher.combine(b.0); hasher.combine(b.1)
        case let .string(a): hasher.combine(a)
        case let .list(a): hasher.combine(a)
        case let .other(a): hasher.combine(a)
        }
    }
}
