// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `Blob`: encoded bytes and their MIME type.
public struct Blob: Sendable, Hashable {
    /// The MIME type, e.g. `"image/jpeg"`.
    public var type: String
    public var bytes: [UInt8]
    public var size: Int { bytes.count }
    /// For a photo, the metadata of the frame it was made from (capture time, frame number, the
    /// settings in force); nil otherwise.
    public internal(set) var metadata: VideoFrameMetadata?

    public init(type: String, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }
}
