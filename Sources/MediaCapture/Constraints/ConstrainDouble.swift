// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `ConstrainDouble`: a bare value, or `{min, max, exact, ideal}`.
///
/// A bare value means *ideal* at the top level of the constraints and *exact* inside `advanced`,
/// which is why it is kept apart from `.range(ideal:)`.
public enum ConstrainDouble: Sendable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case value(Double)
    case range(min: Double? = nil, max: Double? = nil, exact: Double? = nil, ideal: Double? = nil)

    public static func exact(_ value: Double) -> Self { .range(exact: value) }
    public static func ideal(_ value: Double) -> Self { .range(ideal: value) }

    public init(floatLiteral value: Double) { self = .value(value) }
    public init(integerLiteral value: Int) { self = .value(Double(value)) }
}
