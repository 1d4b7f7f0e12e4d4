// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `ConstrainDOMString`: a string or a list of strings (a list means "any of these"),
/// or `{exact, ideal}` with a string or a list each.
public enum ConstrainDOMString: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    case value([String])
    case parameters(exact: [String]? = nil, ideal: [String]? = nil)

    public static func exact(_ value: String) -> Self { .parameters(exact: [value]) }
    public static func ideal(_ value: String) -> Self { .parameters(ideal: [value]) }

    public init(stringLiteral value: String) { self = .value([value]) }
    public init(arrayLiteral elements: String...) { self = .value(elements) }
}
