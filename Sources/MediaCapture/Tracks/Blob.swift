/// W3C `Blob`: encoded bytes and their MIME type.
public struct Blob: Sendable, Hashable {
    /// The MIME type, e.g. `"image/jpeg"`.
    public var type: String
    public var bytes: [UInt8]
    public var size: Int { bytes.count }

    public init(type: String, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }
}
