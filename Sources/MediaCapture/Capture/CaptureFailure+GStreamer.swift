// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// Where a GStreamer error on opening becomes a typed failure (the W3C name follows from its case).
///
/// | Situation | Failure (W3C name) |
/// |---|---|
/// | `GST_RESOURCE_ERROR_NOT_FOUND` (no such device) | `.notFound` (`NotFoundError`) |
/// | `BUSY`, `OPEN_READ`, `OPEN_READ_WRITE`, `READ`, and anything else | `.notReadable` (`NotReadableError`) |
/// | `NOT_AUTHORIZED` | `.notAllowed` (`NotAllowedError`) |
extension CaptureFailure {
    /// The failure of a source that could not be opened. `device` names it in the message.
    init(opening device: String, _ error: GStreamerError) {
        // GStreamer's texts have no final stop ("Device '/dev/video0' is busy"); ours follow them.
        let reason = error.message.hasSuffix(".") ? error.message : error.message + "."
        let detail = error.description
        switch error.resourceCode {
        case .notFound?:
            self = .notFound("No capture device at \(device): \(reason) Check the path or list devices with `imagecapture devices`.", detail: detail)
        case .notAuthorized?:
            self = .notAllowed("Access to \(device) was denied: \(reason) Check the device's permissions (the `video` group).", detail: detail)
        case .busy?:
            self = .notReadable("\(device) is busy: \(reason) Close the other program using it, or stop its other tracks.", detail: detail)
        default:
            self = .notReadable("\(device) could not be read: \(reason)", detail: detail)
        }
    }
}
