// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// A frame the photo branch held for zero shutter lag (a copy in the camera's format), as the W3C
/// side passes it from the call to the capture without seeing GStreamer.
struct HeldFrame: Sendable {
    let sample: Sample
    /// The photo branch's caps generation when it was held.
    let capsGeneration: UInt64
}
