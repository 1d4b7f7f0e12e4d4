// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// `{"name": ..., "message": ...}`, plus `constraint` for `OverconstrainedError`: what a page reads
/// off a rejected promise's error (a browser's `JSON.stringify` of a `DOMException` gives `{}`, as
/// its members are accessors, so this is the shape of `({name, message, constraint})`).
extension DOMException: Codable {
    private enum Key: String, CodingKey { case name, message, constraint }

    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        self.init(
            Name(rawValue: try object.decode(String.self, forKey: .name)), try object.decodeIfPresent(String.self, forKey: .message) ?? "",
            constraint: try object.decodeIfPresent(String.self, forKey: .constraint))
    }

    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Key.self)
        try object.encode(name.rawValue, forKey: .name)
        try object.encode(message, forKey: .message)
        try object.encodeIfPresent(constraint, forKey: .constraint)
    }
}
