internal import GStreamerWrapper

extension ImageBitmap {
    /// The image types ``encode(type:)`` writes.
    public static let encodableTypes = ["image/png", "image/jpeg"]

    /// Encodes the frame, like a canvas's `toBlob(type)`. Runs off the caller's thread.
    /// - Throws: `NotSupportedError` for another type; `InvalidStateError` after ``close()``;
    ///   `UnknownError` when encoding fails or takes over 5 s.
    public func encode(type: String = "image/png") async throws(DOMException) -> Blob {
        guard Self.encodableTypes.contains(type), let caps = Caps(type) else {
            throw DOMException(.notSupportedError, "Cannot encode to '\(type)'; use one of \(Self.encodableTypes).")
        }
        guard let frame = retainedSample() else {
            throw DOMException(.invalidStateError, "The ImageBitmap was closed; grab a new frame.")
        }
        let result: Result<[UInt8], GStreamerError> = await BlockingCall.run {
            Result { () throws(GStreamerError) in try frame.converted(to: caps, timeoutMilliseconds: 5000).copyEncodedBytes() }
        }
        switch result {
        case .success(let bytes): return Blob(type: type, bytes: bytes)
        case .failure(let error): throw DOMException(.unknownError, "Encoding to \(type) failed: \(error.message)")
        }
    }
}

extension Sample {
    fileprivate func copyEncodedBytes() throws(GStreamerError) -> [UInt8] {
        do { return try copyBytes() } catch let error as GStreamerError { throw error } catch { throw .wrapper("\(error)") }
    }
}
