// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `(boolean or ConstrainDouble)`, the type of `pan`, `tilt` and `zoom`.
///
/// `true` asks for a camera that has the control without changing its value; `false` for one without it.
public enum ConstrainDoubleOrBool: Sendable, Hashable, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral
{
    case bool(Bool)
    case double(ConstrainDouble)

    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(.value(value)) }
    public init(integerLiteral value: Int) { self = .double(.value(Double(value))) }
}
