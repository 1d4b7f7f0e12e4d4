// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// One RGBA frame a track's branch delivered, held without copying: what an `ImageBitmap` keeps.
struct Frame: Sendable {
    private let sample: Sample
    let width: Int
    let height: Int
    /// Bytes from one row to the next: at least `width * 4`.
    let bytesPerRow: Int
    private let offset: Int
    /// Its number on its branch (the hub's count of deliveries).
    let sequence: UInt64
    /// When and which frame it is.
    let stamp: FrameStamp

    /// Nil when the sample is not an RGBA frame.
    init?(_ delivery: SampleHub.Delivery) {
        guard let layout = delivery.sample.videoLayout, layout.format == "RGBA" else { return nil }
        sample = delivery.sample
        width = layout.width
        height = layout.height
        bytesPerRow = layout.bytesPerRow
        offset = layout.planeOffset
        sequence = delivery.sequence
        stamp = delivery.stamp ?? FrameStamp(sample, of: nil)
    }

    /// A buffer's capture time from its running time: the pipeline's clock says how long ago it was
    /// made; read together with `ContinuousClock.now`, so neither clock's epoch matters.
    /// Called as the sample arrives: a frame is never captured after it reached the library, and a
    /// network camera's timestamps, mapped from the sender's clock, can run a little ahead of ours.
    static func captureTime(_ runningTime: UInt64?, of pipeline: Pipeline) -> ContinuousClock.Instant? {
        guard let runningTime, let age = pipeline.age(ofRunningTime: runningTime) else { return nil }
        let now = ContinuousClock.now
        return age < .zero ? now : now - age
    }

    /// Reads the pixels in place: `height` rows of `width` RGBA pixels, ``bytesPerRow`` apart.
    /// - Throws: `.incomplete` when the frame cannot be mapped or is short; whatever `body` throws.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let needed = bytesPerRow * (height - 1) + width * 4
        let offset = self.offset
        let mapped: Result<R, any Error> = Result {
            try sample.withMappedBytes { bytes in
                guard bytes.count >= offset + needed else {
                    throw CaptureFailure.incomplete("The frame holds \(bytes.count) bytes, fewer than its size needs.")
                }
                return try body(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + needed)]))
            }
        }
        if case .failure(let error as GStreamerError) = mapped {
            throw CaptureFailure.incomplete("The frame could not be read: \(error.message)")
        }
        return try mapped.get()
    }

    /// The frame encoded as `type` (`image/png`, `image/jpeg`), on a thread of its own, bounded
    /// (`CaptureTiming.encodeTimeout`).
    /// - Parameter jpegQuality: `jpegenc`'s quality, 1...100, for `image/jpeg` (ignored for PNG).
    func encoded(as type: String, jpegQuality: Int) async -> Result<[UInt8], CaptureFailure> {
        guard let caps = Caps(type) else { return .failure(.notSupported("Cannot encode to '\(type)'.")) }
        let sample = self.sample
        let timeout = CaptureTiming.encodeTimeout
        // The call's own deadline ends it; the wait's bound (a second later) covers a pipeline that
        // hangs going to NULL after it.
        let result: Result<[UInt8], GStreamerError>? = await BlockingCall.run(timeout: timeout + .seconds(1)) {
            Result { () throws(GStreamerError) in
                let converted =
                    type == "image/jpeg"
                    ? try sample.jpegEncoded(quality: jpegQuality, timeoutMilliseconds: timeout.milliseconds)
                    : try sample.converted(to: caps, timeoutMilliseconds: timeout.milliseconds)
                do { return try converted.copyBytes() } catch let error as GStreamerError { throw error } catch { throw .wrapper("\(error)") }
            }
        }
        guard let result else { return .failure(.incomplete("Encoding to \(type) took longer than \(timeout).")) }
        return result.mapError { .incomplete("Encoding to \(type) failed: \($0.message)") }
    }
}

/// When and which frame a sample is: its presentation time, its capture time on `ContinuousClock`
/// and the source's number for it, worked out on the streaming thread as the branch delivers it.
struct FrameStamp: Sendable {
    /// Its presentation time on the pipeline's timeline (its running time).
    var timestamp: Duration
    /// When the camera captured it (see `VideoFrameMetadata.captureTime`).
    var captured: Moment?
    /// The source's own number for it (see `VideoFrameMetadata.frameNumber`).
    var frameNumber: UInt64?

    var captureTime: ContinuousClock.Instant? { captured?.instant }

    /// - Parameter pipeline: the pipeline the sample came from, whose clock dates it (nil: undated).
    init(_ sample: Sample, of pipeline: Pipeline?) {
        let running = sample.runningTime
        timestamp = .nanoseconds(Int64(clamping: running ?? 0))
        captured = pipeline.flatMap { Frame.captureTime(running, of: $0) }.map(Moment.init)
        frameNumber = sample.offset
    }
}

/// An instant of `ContinuousClock` kept as its distance from one instant of the process: the same
/// instant exactly, in a type of fixed layout. `ContinuousClock.Instant` is not one (the concurrency
/// library's types are resilient): held in `FrameStamp`, it made `Frame`, `SampleHub.Delivery` and
/// `ImageBitmap` types whose every copy and optional check went through runtime value witnesses
/// (0.5 of a held grab's 2.2 µs in cache), and its comparisons are calls into that library.
struct Moment: Sendable, Comparable {
    private let sinceEpoch: Duration

    /// What moments count from (any instant would do: the arithmetic is exact).
    private static let epoch = ContinuousClock.now

    init(_ instant: ContinuousClock.Instant) { sinceEpoch = Self.epoch.duration(to: instant) }

    var instant: ContinuousClock.Instant { Self.epoch.advanced(by: sinceEpoch) }

    static func < (lhs: Moment, rhs: Moment) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }
}
