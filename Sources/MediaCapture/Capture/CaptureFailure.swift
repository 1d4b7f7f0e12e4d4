// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// What went wrong below the W3C layer: in a capturer, a branch or a backend. Typed and internal:
/// the W3C types (the video track source, `ImageBitmap`, `MediaDevices`) turn it into a
/// `DOMException` with ``DOMException/init(_:)``, the one place that decides the names.
enum CaptureFailure: Error, Sendable, Equatable {
    /// No such device (`NotFoundError`).
    case notFound(String, detail: String? = nil)
    /// The device is there but cannot deliver: busy, stuck, silent, a plugin missing (`NotReadableError`).
    case notReadable(String, detail: String? = nil)
    /// The system refuses access (`NotAllowedError`).
    case notAllowed(String, detail: String? = nil)
    /// The device offers nothing the library can use, such as a recorded listing (`NotSupportedError`).
    case notSupported(String)
    /// A device description that cannot be valid: a malformed URL, a mode that is not a camera mode
    /// (`TypeError`).
    case invalidDevice(String)
    /// The caller's task was cancelled (`AbortError`), with what was being done when it says more
    /// than the generic message.
    case cancelled(String? = nil)
    /// The work did not complete: the source ended, nothing came in time, the camera stalled, the
    /// flash was refused (`UnknownError`).
    case incomplete(String)
    /// The camera stopped delivering frames; the track stays live (`UnknownError`).
    case stalled
    /// A fault a fake camera was told to inject, with the W3C name it asked for.
    case injected(DOMException.Name, String)
}

extension DOMException {
    /// The W3C error for a failure below the W3C layer.
    init(_ failure: CaptureFailure) {
        switch failure {
        case .notFound(let message, let detail): self.init(.notFoundError, message, detail: detail)
        case .notReadable(let message, let detail): self.init(.notReadableError, message, detail: detail)
        case .notAllowed(let message, let detail): self.init(.notAllowedError, message, detail: detail)
        case .notSupported(let message): self.init(.notSupportedError, message)
        case .invalidDevice(let message): self.init(.typeError, message)
        case .cancelled(let message): self = message.map { DOMException(.abortError, $0) } ?? .aborted
        case .incomplete(let message): self.init(.unknownError, message)
        case .stalled:
            self.init(.unknownError, "The camera stopped delivering frames; the track stays live, and photos work again when frames resume.")
        case .injected(let name, let message): self.init(name, message)
        }
    }

    private init(_ name: Name, _ message: String, detail: String?) {
        self.init(name, message)
        debugDescription = detail
    }
}
