// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// One frame of a camera encoded for live viewers: the bytes a payloader takes (an H.264 access unit
/// in byte-stream form, a VP8 frame).
package struct EncodedVideoFrame: Sendable {
    package var codec: EncodedVideoCodec
    package var bytes: [UInt8]
    package var isKeyFrame: Bool
    /// The frame's capture time on the camera's pipeline (nanoseconds of running time), when known.
    package var captureTime: UInt64?
}
