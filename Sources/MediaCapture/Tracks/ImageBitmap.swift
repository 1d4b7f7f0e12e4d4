internal import GStreamerWrapper
import Locking

/// W3C `ImageBitmap`: one video frame in RGBA, held without copying until ``close()``.
///
/// The bitmap keeps the frame's memory alive (no copy); ``rgbaBytes()`` makes one tightly packed
/// copy, ``withUnsafeBytes(_:)`` reads in place with ``bytesPerRow`` (rows may be padded).
public final class ImageBitmap: Sendable {
    public let width: Int
    public let height: Int
    /// Bytes from one row to the next in ``withUnsafeBytes(_:)``: at least `width * 4`.
    public let bytesPerRow: Int
    private let offset: Int
    private let sample: Locked<Sample?>

    /// Nil when the sample is not an RGBA frame.
    init?(_ sample: Sample) {
        guard let layout = sample.videoLayout, layout.format == "RGBA" else { return nil }
        width = layout.width
        height = layout.height
        bytesPerRow = layout.bytesPerRow
        offset = layout.planeOffset
        self.sample = Locked(sample)
    }

    /// Releases the frame. Reading the pixels afterwards throws `InvalidStateError`. Idempotent.
    public func close() {
        let released = sample.withLock { sample in
            defer { sample = nil }
            return sample
        }
        _ = released  // freed here, outside the lock
    }

    /// The frame, unless closed (for encoders; the caller's reference keeps it alive).
    func retainedSample() -> Sample? { sample.withLock { $0 } }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { sample.withLock { $0 == nil } }

    /// Reads the pixels in place: `height` rows of `width` RGBA pixels, ``bytesPerRow`` apart.
    /// - Throws: `InvalidStateError` after ``close()``; `UnknownError` when the frame cannot be mapped;
    ///   whatever `body` throws.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let frame = sample.withLock({ $0 }) else {
            throw DOMException(.invalidStateError, "The ImageBitmap was closed; grab a new frame.")
        }
        let needed = bytesPerRow * (height - 1) + width * 4
        let mapped: Result<R, any Error> = Result {
            try frame.withMappedBytes { bytes in
                guard bytes.count >= offset + needed else {
                    throw DOMException(.unknownError, "The frame holds \(bytes.count) bytes, fewer than its size needs.")
                }
                return try body(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + needed)]))
            }
        }
        if case .failure(let error as GStreamerError) = mapped {
            throw DOMException(.unknownError, "The frame could not be read: \(error.message)")
        }
        return try mapped.get()
    }

    /// One tightly packed copy: `width * height * 4` bytes, RGBA, top row first.
    /// - Throws: `InvalidStateError` after ``close()``; `UnknownError` when the frame cannot be read.
    public func rgbaBytes() throws(DOMException) -> [UInt8] {
        let rowBytes = width * 4
        do {
            return try withUnsafeBytes { source in
                [UInt8](unsafeUninitializedCapacity: rowBytes * height) { target, count in
                    for row in 0..<height {
                        let from = source.baseAddress!.advanced(by: row * bytesPerRow)
                        target.baseAddress!.advanced(by: row * rowBytes).initialize(
                            from: from.assumingMemoryBound(to: UInt8.self), count: rowBytes)
                    }
                    count = rowBytes * height
                }
            }
        } catch let error as DOMException {
            throw error
        } catch {
            throw DOMException(.unknownError, "\(error)")
        }
    }
}
