extension ImageBitmap {
    /// The image types ``encode(type:)`` writes.
    public static let encodableTypes = ["image/png", "image/jpeg"]

    /// Encodes the frame, like a canvas's `toBlob(type)`. Runs off the caller's thread.
    /// - Throws: `NotSupportedError` for another type; `InvalidStateError` after ``close()``;
    ///   `UnknownError` when encoding fails or takes over 5 s.
    public func encode(type: String = "image/png") async throws(DOMException) -> Blob {
        guard Self.encodableTypes.contains(type) else {
            throw DOMException(.notSupportedError, "Cannot encode to '\(type)'; use one of \(Self.encodableTypes).")
        }
        guard let frame = retainedFrame() else { throw Self.closed }
        switch await frame.encoded(as: type) {
        case .success(let bytes): return Blob(type: type, bytes: bytes)
        case .failure(let failure): throw DOMException(failure)
        }
    }
}
