/// One photo to take: a size, a quality and a deadline. Equal requests waiting together share a capture.
struct PhotoRequest: Sendable, Hashable {
    var size: AspectCrop.Size
    var quality: Int
    var timeout: Duration
    var fillLightMode: FillLightMode?
    var redEyeReduction: Bool?
    /// Whether the JPEG carries an EXIF block.
    var exif = true
}

/// One capture and everyone waiting for it.
final class PhotoJob: Sendable {
    let request: PhotoRequest
    let result = SharedResult<Blob, DOMException>(cancelled: .aborted)
    init(_ request: PhotoRequest) { self.request = request }
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
