internal import GStreamerWrapper

/// The one place where GStreamer errors become DOMExceptions.
///
/// | Situation | Name |
/// |---|---|
/// | opening: `GST_RESOURCE_ERROR_NOT_FOUND` (no such device) | `NotFoundError` |
/// | opening: `BUSY`, `OPEN_READ`, `OPEN_READ_WRITE`, `READ`, and anything else | `NotReadableError` |
/// | opening: `NOT_AUTHORIZED` | `NotAllowedError` |
extension DOMException {
    /// The error for a source that could not be opened. `device` names it in the message.
    init(opening device: String, _ error: GStreamerError) {
        // GStreamer's texts have no final stop ("Device '/dev/video0' is busy"); ours follow them.
        let reason = error.message.hasSuffix(".") ? error.message : error.message + "."
        switch error.resourceCode {
        case .notFound?:
            self.init(.notFoundError, "No capture device at \(device): \(reason) Check the path or list devices with `imagecapture devices`.")
        case .notAuthorized?:
            self.init(.notAllowedError, "Access to \(device) was denied: \(reason) Check the device's permissions (the `video` group).")
        case .busy?:
            self.init(.notReadableError, "\(device) is busy: \(reason) Close the other program using it, or stop its other tracks.")
        default:
            self.init(.notReadableError, "\(device) could not be read: \(reason)")
        }
        debugDescription = error.description
    }
}
