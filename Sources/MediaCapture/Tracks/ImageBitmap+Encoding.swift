// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

extension ImageBitmap {
    /// The image types ``encode(type:quality:)`` writes.
    public static let encodableTypes = ["image/png", "image/jpeg"]

    /// The JPEG quality when none in 0...1 is given: what Chromium and Firefox use (the HTML
    /// standard leaves the default to the user agent).
    static let defaultJPEGQuality = 0.92

    /// Encodes the frame, like a canvas's `toBlob(type, quality)`. Runs off the caller's thread.
    /// - Parameters:
    ///   - type: `image/png` or `image/jpeg` (``encodableTypes``).
    ///   - quality: for `image/jpeg`, a number from 0 (smallest) to 1 (best). As canvas does, anything
    ///     else (nil, NaN, out of range) means the default, 0.92 (as in browsers). Ignored for PNG.
    /// - Throws: `NotSupportedError` for another type; `InvalidStateError` after ``close()``;
    ///   `UnknownError` when encoding fails or takes over 5 s.
    /// The algorithm is HTML's `HTMLCanvasElement.toBlob()` ("serialization of a bitmap as a file").
    public func encode(type: String = "image/png", quality: Double? = nil) async throws(DOMException) -> Blob {
        guard Self.encodableTypes.contains(type) else {
            throw DOMException(.notSupportedError, "Cannot encode to '\(type)'; use one of \(Self.encodableTypes).")
        }
        guard let frame = retainedFrame() else { throw Self.closed }
        switch await frame.encoded(as: type, jpegQuality: Self.jpegQuality(quality)) {
        case .success(let bytes): return Blob(type: type, bytes: bytes)
        case .failure(let failure): throw DOMException(failure)
        }
    }

    /// Canvas's quality (0...1, anything else the default) as `jpegenc`'s 1...100.
    static func jpegQuality(_ quality: Double?) -> Int {
        let chosen = quality.flatMap { (0...1).contains($0) ? $0 : nil } ?? defaultJPEGQuality
        return max(1, Int((chosen * 100).rounded()))
    }
}
