// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc

/// A `ContinuousClock.Instant` on the wall clock (for JSON, EXIF and logs): now, less how long ago it
/// was on `ContinuousClock`, the two clocks read together, so neither's epoch matters.
public enum WallClock {
    /// Nanoseconds since the Unix epoch.
    public static func unixNanoseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let ago = ContinuousClock.now - instant
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            - (ago.components.seconds * 1_000_000_000 + ago.components.attoseconds / 1_000_000_000)
    }

    /// "2026-12-07T13:35:01.123Z": UTC, ISO 8601 with milliseconds (rounded down).
    public static func iso8601(_ instant: ContinuousClock.Instant) -> String? {
        let nanoseconds = unixNanoseconds(instant)
        let milliseconds = nanoseconds >= 0 ? nanoseconds / 1_000_000 : (nanoseconds - 999_999) / 1_000_000  // floor
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        var utc = tm()
        guard gmtime_r(&seconds, &utc) != nil else { return nil }
        func padded(_ value: Int32, _ digits: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        let fraction = Int32(milliseconds - Int64(seconds) * 1000)
        return "\(padded(utc.tm_year + 1900, 4))-\(padded(utc.tm_mon + 1, 2))-\(padded(utc.tm_mday, 2))"
            + "T\(padded(utc.tm_hour, 2)):\(padded(utc.tm_min, 2)):\(padded(utc.tm_sec, 2)).\(padded(fraction, 3))Z"
    }
}
