// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaTrackSupportedConstraints`: every constrainable property name the library understands.
public struct MediaTrackSupportedConstraints: Sendable, Hashable {
    public var names: Set<String>

    public init(names: Set<String>) { self.names = names }

    /// True when the library supports the constraint `name`.
    public subscript(_ name: String) -> Bool { names.contains(name) }
}
