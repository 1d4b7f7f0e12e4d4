// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import Glibc
import MediaCapture
import Synchronization

/// Set by the first Ctrl-C or SIGTERM (async-signal-safe: a lock-free store); a second one ends the process.
private let stopRequested = Atomic<Bool>(false)
/// With --preroll: SIGUSR1 starts the recording.
private let startRequested = Atomic<Bool>(false)

/// `imagecapture record`: the camera to a video file, through the library's MediaRecorder.
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record the camera to a video file: WebM (VP8), MP4 (H.264) or Matroska (VP8), by the file's ending.",
        discussion: """
            Until --duration or Ctrl-C (or SIGTERM): either way the file is finished and plays, and a process \
            killed outright leaves a file that plays up to its last second. With --segment, the files are \
            FILE-00000.webm, FILE-00001.webm ..., each cut at a key frame, and --max-files keeps only the newest. \
            A progress line goes to stderr.
            """)

    @OptionGroup var camera: CameraOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The file: .webm, .mp4 or .mkv.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("How long to record: 10s, 1m, 1h (default: until Ctrl-C).", valueName: "duration"))
    var duration: String?

    @Option(name: .customLong("video-bits-per-second"), help: "The video's bit rate (default: the library's for the size).")
    var videoBitsPerSecond: UInt32?

    @Option(help: ArgumentHelp("Start a new file every DURATION, at the next key frame.", valueName: "duration"))
    var segment: String?

    @Option(name: .customLong("max-files"), help: "With --segment: keep at most this many files, the oldest removed.")
    var maxFiles: Int?

    @Option(
        help: ArgumentHelp(
            "Keep the last DURATION encoded and wait for SIGUSR1 (kill -USR1 PID): the recording starts then and begins DURATION (up to twice that) before it, at a key frame (at most 10m).",
            valueName: "duration"))
    var preroll: String?

    /// The recorder's type for the file's ending.
    static func mimeType(_ path: String) -> String? {
        let lower = path.lowercased()
        if lower.hasSuffix(".webm") { return "video/webm" }
        if lower.hasSuffix(".mp4") { return "video/mp4" }
        if lower.hasSuffix(".mkv") { return "video/x-matroska" }
        return nil
    }

    func validate() throws {
        guard Self.mimeType(output) != nil else {
            throw ValidationError("-o takes a file ending in .webm, .mp4 or .mkv (it decides the format).")
        }
        for (name, value) in [("--duration", duration), ("--segment", segment), ("--preroll", preroll)] {
            if let value, RecordStills.interval(value) == nil {
                throw ValidationError("\(name) '\(value)' is not a duration such as 500ms, 10s or 1m (at most a day).")
            }
        }
        if let maxFiles {
            guard segment != nil else { throw ValidationError("--max-files applies with --segment.") }
            guard maxFiles >= 1 else { throw ValidationError("--max-files must be at least 1.") }
        }
        if videoBitsPerSecond == 0 { throw ValidationError("--video-bits-per-second must be above 0.") }
    }

    func run() async throws {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { number in
                stopRequested.store(true, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
        }
        signal(SIGUSR1) { _ in startRequested.store(true, ordering: .relaxed) }
        let limit = duration.flatMap(RecordStills.interval)
        let live = isatty(2) == 1
        try await reportingErrors {
            let track = try await camera.openTrack()
            defer { track.stop() }
            let options = MediaRecorderOptions(
                mimeType: Self.mimeType(output), videoBitsPerSecond: videoBitsPerSecond, preroll: preroll.flatMap(RecordStills.interval))
            let recorder = try MediaRecorder(MediaStream(tracks: [track]), options: options)
            if let preroll {
                status("Keeping the last \(preroll) encoded; kill -USR1 \(getpid()) starts the recording (Ctrl-C quits)")
                while !startRequested.load(ordering: .relaxed), !stopRequested.load(ordering: .relaxed) {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                guard startRequested.load(ordering: .relaxed) else {
                    status("Stopped before the start signal: nothing recorded")
                    return
                }
            }
            let outcome = Self.watch(recorder.events)
            try recorder.record(to: output, segmentDuration: segment.flatMap(RecordStills.interval), maxFiles: maxFiles)
            let clock = ContinuousClock(), start = clock.now
            var lastShown = -1
            while !stopRequested.load(ordering: .relaxed), recorder.state != .inactive, limit.map({ clock.now - start < $0 }) ?? true {
                let seconds = Int((clock.now - start).components.seconds)
                if seconds != lastShown {
                    lastShown = seconds
                    let line = "recording \(output): \(seconds) s" + (limit.map { " of \($0.components.seconds) s" } ?? " (Ctrl-C stops)")
                    if live { statusFragment("\r\u{1B}[K" + line) } else { status(line) }
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            if live { statusFragment("\n") }
            let elapsed = clock.now - start
            if recorder.state != .inactive { try recorder.stop() }
            // The file is finished once the recorder says stop (its muxer wrote its end): at most 20 s.
            let deadline = Task {
                try? await Task.sleep(for: .seconds(20))
                outcome.cancel()  // the events' iteration ends on cancellation
            }
            defer { deadline.cancel() }
            guard let error = await outcome.value else {
                throw DOMException(.unknownError, "The recording did not finish within 20 s; \(output) may lack its last second.")
            }
            if let error { throw error }
            let shown = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds / 10_000_000_000_000_000) / 100
            status("Recorded \(shown) s to \(output)\(segment == nil ? "" : " (in segments)")")
        }
    }

    /// The recorder's end, from its events: its first error (nil: none) at `.stop`; nil when the
    /// events end without one (the task cancelled: the caller's deadline).
    static func watch(_ events: AsyncStream<MediaRecorderEvent>) -> Task<DOMException??, Never> {
        Task {
            var failure: DOMException?
            for await event in events {
                switch event {
                case .error(let error): failure = failure ?? error
                case .stop: return .some(failure)
                default: break
                }
            }
            return nil
        }
    }
}
