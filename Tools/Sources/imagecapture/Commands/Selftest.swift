// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import DemoServer
import Glibc
import MediaCapture

/// `imagecapture selftest`: for the leak check (scripts/check-leaks.sh), not for users.
struct Selftest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open and stop tracks, then shut GStreamer down (for leak checks).", shouldDisplay: false)

    @OptionGroup var camera: CameraOptions

    @Option(help: "How many tracks (each with a clone).")
    var tracks = 100

    @Flag(help: "Keep one stopped track alive, to prove the leak check sees a leak.")
    var leakOne = false

    @Option(help: "Start/stop cycles of one recorder after the tracks (resident memory compared after the first 20).")
    var recordingCycles = 100

    @Flag(help: "After the recording cycles, publish the camera (RTSP and WHEP on free ports, URLs on stdout) until SIGINT.")
    var publish = false

    func run() async throws {
        try await reportingErrors {
            // Every path that holds GStreamer objects: clones, frames, photos, controls and the fake
            // camera's digital pan/tilt/zoom, a live mode change, held frames (zero shutter lag, kept
            // past the track's stop), bursts and brackets, and recordings (stopped, or ended by their
            // track's stop; WebM and MP4; some pre-rolled).
            var lagless: ImageCapture?
            for index in 0..<tracks {
                let track = try await camera.openTrack(controls: index % 2 == 0)
                let copy = track.clone()
                _ = try await ImageCapture(copy).grabFrame()
                _ = try await ImageCapture(track).takePhoto()
                if index % 5 == 0 {
                    lagless = try ImageCapture(track, options: ImageCapture.Options(zeroShutterLag: true))
                    _ = try await ImageCapture(track).grabFrame()
                    _ = try await lagless?.takePhoto()
                    _ = try await lagless?.takePhotoBurst(count: 2)
                    if index % 2 == 0 {
                        _ = try await lagless?.takePhotoBracket([-1.0, 1].map { MediaTrackConstraintSet(exposureCompensation: .value($0)) })
                    }
                }
                if index % 10 == 0 {
                    try await track.applyConstraints(MediaTrackConstraints(width: .exact(320), brightness: 3, zoom: 2))
                }
                var recorder: MediaRecorder?
                if index % 2 == 1 {
                    // Every third of them pre-rolls: its ring goes first, and the next pre-roll begins at the end.
                    let preroll: Duration? = index % 6 == 3 ? .milliseconds(300) : nil
                    recorder = try MediaRecorder(
                        MediaStream(tracks: [copy]),
                        options: MediaRecorderOptions(mimeType: index % 4 == 1 ? "video/webm" : "video/mp4", preroll: preroll))
                    if preroll != nil { try await Task.sleep(for: .milliseconds(400)) }
                    try recorder?.start(timeslice: .milliseconds(50))
                    try await Task.sleep(for: .milliseconds(150))
                    if index % 8 == 1 { try recorder?.stop() }  // otherwise the clone's stop ends it
                }
                let ended = recorder.map { Self.stopped($0.events) }
                track.stop()
                copy.stop()
                if let ended, await !ended.value {
                    throw DOMException(.unknownError, "A recording did not end within 10 s of its stop.")
                }
            }
            lagless = nil
            if recordingCycles > 0 { try await Self.cycleRecorder(camera: camera, cycles: recordingCycles) }
            if publish {
                // The publishers' objects (RTSP media, WebRTC viewers, the shared encodes) must all be
                // gone by the shutdown below: check-leaks.sh runs clients against them meanwhile.
                let (devices, constraints) = try camera.selection()
                var server = DemoServer(port: 0, devices: devices, constraints: constraints, linger: .milliseconds(500))
                server.servesPage = false
                server.rtsp = .init(port: 0)
                try await server.run(
                    onListening: { url in standardOutput("whep: \(url)whep\n") }, onPublished: { url in standardOutput("rtsp: \(url)\n") })
            }
            if leakOne {
                let kept = try await camera.openTrack()
                kept.stop()
                _ = Unmanaged.passRetained(kept)  // never released: its pipeline outlives gst_deinit
            }
            await MediaDevices.shutdown()
            print("selftest: opened and stopped \(tracks) tracks (and as many clones)")
        }
    }

    /// One recorder started and stopped `cycles` times on one track (WebM and MP4 in turn, each ended
    /// by its `stop` event): prints the resident memory's growth from the 20th cycle to the last.
    static func cycleRecorder(camera: CameraOptions, cycles: Int) async throws {
        let track = try await camera.openTrack()
        defer { track.stop() }
        var warm: Int?
        for cycle in 0..<cycles {
            let recorder = try MediaRecorder(
                MediaStream(tracks: [track]), options: MediaRecorderOptions(mimeType: cycle % 2 == 0 ? "video/webm" : "video/mp4"))
            let ended = stopped(recorder.events)
            try recorder.start(timeslice: .milliseconds(20))
            try await Task.sleep(for: .milliseconds(40))
            try recorder.stop()
            guard await ended.value else { throw DOMException(.unknownError, "Recording cycle \(cycle) did not end within 10 s of its stop.") }
            if cycle == min(19, cycles - 1) { warm = residentBytes() }
        }
        let growth = (Double((residentBytes() ?? 0) - (warm ?? 0)) / 1_048_576 * 100).rounded() / 100
        print("selftest: \(cycles) recording cycles, resident memory \(growth >= 0 ? "+" : "")\(growth) MiB after the first 20")
    }

    /// The process's resident memory, from /proc/self/statm.
    static func residentBytes() -> Int? {
        guard let file = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(file) }
        var size = 0, resident = 0
        guard fscanfPair(file, &size, &resident) else { return nil }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The first two numbers of a line.
    private static func fscanfPair(_ file: UnsafeMutablePointer<FILE>, _ first: inout Int, _ second: inout Int) -> Bool {
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let a = Int(fields[0]), let b = Int(fields[1]) else { return false }
        (first, second) = (a, b)
        return true
    }

    /// Whether `events` reach `.stop` within 10 s.
    static func stopped(_ events: AsyncStream<MediaRecorderEvent>) -> Task<Bool, Never> {
        let reached = Task {
            for await event in events { if case .stop = event { return true } }
            return false
        }
        return Task {
            let deadline = Task {
                try? await Task.sleep(for: .seconds(10))
                reached.cancel()  // an AsyncStream's iteration ends on cancellation
            }
            defer { deadline.cancel() }
            return await reached.value
        }
    }
}
