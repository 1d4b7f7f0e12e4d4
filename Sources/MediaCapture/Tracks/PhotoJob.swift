// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// One photo (or a burst) to take: a size, a quality and a deadline. Equal requests waiting together share a capture.
struct PhotoRequest: Sendable, Hashable {
    var size: AspectCrop.Size
    var quality: Int
    var timeout: Duration
    var fillLightMode: FillLightMode?
    var redEyeReduction: Bool?
    /// Whether the JPEG carries an EXIF block.
    var exif = true
    /// Whether a held frame (captured at or before the call) may be used.
    var zeroShutterLag = false
    /// How many photos, of distinct frames: consecutive ones without an interval, else one at each
    /// multiple of it from the start.
    var count = 1
    var interval: Duration?
}

/// One capture and everyone waiting for it.
final class PhotoJob: Sendable {
    let request: PhotoRequest
    /// With zero shutter lag: the newest frame held when the job was queued.
    let held: HeldFrame?
    let result = SharedResult<[Blob], DOMException>(cancelled: .aborted)
    init(_ request: PhotoRequest, held: HeldFrame?) {
        self.request = request
        self.held = held
    }
}

/// A source's queue of photo jobs, and what the last photo chose.
struct PhotoQueue: Sendable {
    var pending: [PhotoJob] = []
    var running = false
    /// The size the last photo chose (nil: the stream's size).
    var photoSize: AspectCrop.Size?
    var fillLightMode: FillLightMode?
    var redEyeReduction: Bool?
}
