// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import Glibc
import MediaCapture
import Synchronization

/// Set by the first Ctrl-C (async-signal-safe: a lock-free store); a second one ends the process.
private let interruptedFlag = Atomic<Bool>(false)

/// `imagecapture record-stills`: a timelapse of photos.
struct RecordStills: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a photo every interval (a timelapse) into a folder, until --count or Ctrl-C.",
        discussion:
            "Files are named after their capture time (still-YYYYMMDD-HHMMSS.mmm.jpg, UTC). Ctrl-C stops after the photo in progress and keeps what was taken; a second Ctrl-C ends at once."
    )

    @OptionGroup var camera: CameraOptions
    @OptionGroup var photo: PhotoOptions

    @Option(help: ArgumentHelp("The interval: 500ms, 1s, 2.5s, 1m.", valueName: "duration"))
    var every: String = "1s"

    @Option(help: "How many photos (default: until Ctrl-C).")
    var count: Int?

    @Option(name: .shortAndLong, help: ArgumentHelp("The folder (made if missing).", valueName: "dir"))
    var output: String

    func validate() throws {
        guard Self.interval(every) != nil else { throw ValidationError("--every '\(every)' is not a duration such as 500ms, 1s or 1m.") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1.") }
        guard !output.isEmpty, output != "-" else { throw ValidationError("-o takes a folder for the photos.") }
    }

    /// `500ms`, `1s`, `2.5s`, `1m`: at least 1 ms, at most a day.
    static func interval(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        guard let (suffix, scale) = units.first(where: { text.hasSuffix($0.0) && Double(text.dropLast($0.0.count)) != nil }),
            let number = Double(text.dropLast(suffix.count)), number.isFinite
        else { return nil }
        let seconds = number * scale
        guard seconds >= 0.001, seconds <= 86_400 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    func run() async throws {
        let interval = Self.interval(every)!
        if mkdir(output, 0o755) != 0 && errno != EEXIST {
            status("imagecapture: cannot make \(output): \(String(cString: strerror(errno)))")
            throw ExitStatus.output
        }
        signal(SIGINT) { _ in
            interruptedFlag.store(true, ordering: .relaxed)
            signal(SIGINT, SIG_DFL)
        }
        let live = isatty(2) == 1
        try await reportingErrors {
            let track = try await camera.openTrack()
            defer { track.stop() }
            let capture = try photo.capture(track)
            let clock = ContinuousClock(), start = clock.now
            var taken = 0, next = start
            while count.map({ taken < $0 }) ?? true, !interruptedFlag.load(ordering: .relaxed) {
                let blob = try await capture.takePhoto(photo.settings)
                let path = output + "/" + Self.fileName(for: now())
                try Output(path: path).write(blob.bytes)
                taken += 1
                let line = "\(taken)\(count.map { "/\($0)" } ?? "") \(path) (\(blob.size) bytes)"
                if live { statusFragment("\r\u{1B}[K" + line) } else { status(line) }
                guard count.map({ taken < $0 }) ?? true else { break }
                // On a fixed grid from the start; a photo that took longer than the interval is not caught up on.
                next = max(next + interval, clock.now)
                while clock.now < next, !interruptedFlag.load(ordering: .relaxed) {
                    try? await Task.sleep(for: min(.milliseconds(100), next - clock.now))
                }
            }
            if live { statusFragment("\n") }
            let interrupted = interruptedFlag.load(ordering: .relaxed)
            status("record-stills: \(taken) photo\(taken == 1 ? "" : "s") in \(output)\(interrupted ? ", stopped by Ctrl-C" : "")")
        }
    }

    private func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }

    /// `still-20261201-112233.456.jpg` (UTC).
    static func fileName(for time: timespec) -> String {
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = Int(time.tv_nsec / 1_000_000)
        let millis = String(repeating: "0", count: 3 - String(milliseconds).count) + String(milliseconds)
        return
            "still-\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))-\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec)).\(millis).jpg"
    }
}
