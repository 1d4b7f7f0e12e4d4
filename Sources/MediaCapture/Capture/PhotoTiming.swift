// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
internal import GStreamerWrapper
import Locking

// The benchmarks' hook (package access; the production path carries no timing code unless it is
// called): when a photo's frame passed the shutter and its JPEG reached the sink.

extension ImageCapture {
    /// Starts timing each photo inside the pipeline. Nil for a track without a video source.
    package func installPhotoTiming() -> PhotoTiming? {
        track.video?.source.capturer.photo.installTiming()
    }
}

extension PhotoBranch {
    /// Starts timing each photo inside the pipeline, for the benchmarks only: the production path
    /// carries no timing code unless this is called.
    func installTiming() -> PhotoTiming {
        let timing = PhotoTiming()
        shutter.staticPad("sink")?.addBufferProbe { _ in
            timing.arrived()
            return .pass
        }
        shutter.staticPad("src")?.addBufferProbe { _ in
            timing.passed()
            return .pass
        }
        branchStart?.addBufferProbe { _ in
            timing.branchStarted()
            return .pass
        }
        sinkPad?.addBufferProbe { _ in
            timing.encoded()
            return .pass
        }
        return timing
    }
}

/// When the last photo's frame passed the shutter and when its JPEG reached the photo sink, and the
/// CPU time the branch's thread spent on it (crop, scale, convert, encode: all on the queue's thread,
/// so other threads' work and preemption do not count).
package final class PhotoTiming: Sendable {
    private struct Times {
        /// When the last few frames reached the shutter, photo or not.
        var arrivals: [ContinuousClock.Instant] = []
        var passed: ContinuousClock.Instant?
        var encoded: ContinuousClock.Instant?
        var cpuAtStart: Duration?
        var cpu: Duration?
    }

    private let times = Locked(Times())

    fileprivate func arrived() {
        let now = ContinuousClock.now
        times.withLock { times in
            if times.arrivals.count == 16 { times.arrivals.removeFirst() }
            times.arrivals.append(now)
        }
    }
    fileprivate func passed() {
        times.withLock { times in
            times.passed = .now
            times.encoded = nil
            times.cpuAtStart = nil
            times.cpu = nil
        }
    }
    fileprivate func branchStarted() {
        let now = Self.threadCPUTime()
        times.withLock { $0.cpuAtStart = now }
    }
    fileprivate func encoded() {
        let now = Self.threadCPUTime()
        times.withLock { times in
            times.encoded = .now
            times.cpu = times.cpuAtStart.map { now - $0 }
        }
    }

    /// For the last photo: from the shutter to the photo sink (crop, scale, convert, encode), to now,
    /// and the branch thread's CPU time for it.
    package func lastPhoto() -> (inPipeline: Duration, toNow: Duration, cpu: Duration?)? {
        let times = times.withLock { $0 }
        guard let passed = times.passed, let encoded = times.encoded else { return nil }
        return (encoded - passed, .now - passed, times.cpu)
    }

    /// When the first frame after `instant` reached the shutter (the camera's part of a photo's wait).
    package func firstArrival(after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        times.withLock { $0.arrivals.first { $0 >= instant } }
    }

    /// The calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`).
    package static func threadCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }
}
