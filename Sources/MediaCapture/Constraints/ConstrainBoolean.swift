// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `ConstrainBoolean`: a bare value, or `{exact, ideal}`.
public enum ConstrainBoolean: Sendable, Hashable, ExpressibleByBooleanLiteral {
    case value(Bool)
    case parameters(exact: Bool? = nil, ideal: Bool? = nil)

    public init(booleanLiteral value: Bool) { self = .value(value) }
}
