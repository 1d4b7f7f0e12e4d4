// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// A codec a camera's frames are encoded in for live viewers (see ``EncodingBranch``): the one each
/// protocol's clients take (H.264 for RTSP and WebRTC, VP8 for WebRTC, JPEG for RTSP's MJPEG mount,
/// an MJPEG camera's own JPEGs as they are).
package enum EncodedVideoCodec: String, Sendable, Hashable, CaseIterable {
    case h264, vp8, jpeg

    /// The caps of the encoded frames: H.264 as a byte stream of whole access units, the parameter
    /// sets before every key frame.
    package var caps: String {
        switch self {
        case .h264: "video/x-h264,stream-format=byte-stream,alignment=au"
        case .vp8: "video/x-vp8"
        case .jpeg: "image/jpeg"
        }
    }

    /// Enough for a 640x480 or 720p camera on a LAN; viewers share it.
    package var bitsPerSecond: UInt32 { 2_000_000 }

    /// At most this many frames between key frames (a joining viewer also asks for one at once).
    package var keyFrameInterval: UInt32 { 60 }
}
