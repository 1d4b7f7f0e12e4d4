// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

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
    /// The frame's presentation time on its track's timeline (WebCodecs' `VideoFrame.timestamp`):
    /// frames of one track increase by about one frame interval.
    public var timestamp: Duration { stamp.timestamp }
    private let frame: Locked<Frame?>
    private let stamp: FrameStamp
    /// What the settings in force at the capture time are made from, merged when ``metadata`` is
    /// read (a grab only keeps references).
    private let settings: FrameSettings

    init(_ frame: Frame, settings: FrameSettings) {
        width = frame.width
        height = frame.height
        bytesPerRow = frame.bytesPerRow
        stamp = frame.stamp
        self.settings = settings
        self.frame = Locked(frame)
    }

    /// When and how the frame was captured: capture time, the source's frame number, the settings in
    /// force.
    public var metadata: VideoFrameMetadata {
        VideoFrameMetadata(
            captureTime: stamp.captureTime, frameNumber: stamp.frameNumber, settings: settings.inForce(at: stamp.captured))
    }

    /// Releases the frame. Reading the pixels afterwards throws `InvalidStateError`. Idempotent.
    public func close() {
        let released = frame.withLock { frame in
            defer { frame = nil }
            return frame
        }
        _ = released  // freed here, outside the lock
    }

    /// The frame, unless closed (for encoders; the caller's reference keeps it alive).
    func retainedFrame() -> Frame? { frame.withLock { $0 } }

    static var closed: DOMException { DOMException(.invalidStateError, "The ImageBitmap was closed; grab a new frame.") }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { frame.withLock { $0 == nil } }

    /// Reads the pixels in place: `height` rows of `width` RGBA pixels, ``bytesPerRow`` apart.
    /// - Throws: `InvalidStateError` after ``close()``; `UnknownError` when the frame cannot be mapped;
    ///   whatever `body` throws.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let frame = retainedFrame() else { throw Self.closed }
        do {
            return try frame.withBytes(body)
        } catch let failure as CaptureFailure {
            throw DOMException(failure)
        }
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
