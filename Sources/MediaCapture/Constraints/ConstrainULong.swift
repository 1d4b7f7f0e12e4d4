// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `ConstrainULong`: a bare value, or `{min, max, exact, ideal}`.
///
/// A bare value means *ideal* at the top level and *exact* inside `advanced`.
public enum ConstrainULong: Sendable, Hashable, ExpressibleByIntegerLiteral {
    case value(UInt32)
    case range(min: UInt32? = nil, max: UInt32? = nil, exact: UInt32? = nil, ideal: UInt32? = nil)

    public static func exact(_ value: UInt32) -> Self { .range(exact: value) }
    public static func ideal(_ value: UInt32) -> Self { .range(ideal: value) }

    public init(integerLiteral value: UInt32) { self = .value(value) }
}
