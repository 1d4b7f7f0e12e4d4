// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The library's side of each measurement (scripts/bench/run.py runs the peers' side in the same run).
import Glibc
import MediaCapture
import Synchronization

/// A flag the measuring task sets and reader tasks read.
final class Flag: Sendable {
    private let state: Mutex<Bool>
    init(_ value: Bool) { state = Mutex(value) }
    var value: Bool {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

/// Frames counted per reader.
final class Counters: Sendable {
    private let state: Mutex<[Int]>
    init(_ count: Int) { state = Mutex(Array(repeating: 0, count: count)) }
    func increment(_ index: Int) { state.withLock { $0[index] += 1 } }
    var values: [Int] { state.withLock { $0 } }
}

enum Measurements {
    static func camera(_ width: Int, _ height: Int, rate: Double = 30, live: Bool = true, label: String = "Fake Camera") -> CaptureDevice {
        .fake(FakeCamera(label: label, isLive: live, modes: [VideoMode(width: width, height: height, frameRate: rate)]))
    }

    static func open(_ device: CaptureDevice) async throws -> (MediaStreamTrack, ImageCapture) {
        let stream = try await MediaDevices(devices: [device]).getUserMedia(MediaStreamConstraints(video: true))
        let track = stream.getVideoTracks()[0]
        return (track, try ImageCapture(track))
    }

    /// Distinct frames per second through grabFrame on a camera that is not live (as fast as the
    /// pipeline runs), after a warm-up.
    static func throughput(_ width: Int, _ height: Int, frames: Int) async throws {
        let (track, capture) = try await open(camera(width, height, live: false))
        defer { track.stop() }
        for _ in 0..<50 { _ = try await capture.grabFrame() }
        let clock = ContinuousClock(), start = clock.now
        for _ in 0..<frames { _ = try await capture.grabFrame() }
        let seconds = milliseconds(clock.now - start) / 1000
        Result(metric: "throughput", size: "\(width)x\(height)", value: Double(frames) / seconds, unit: "fps").emit()
    }

    /// getUserMedia to the first frame in Swift, `count` times after one warm-up open (plugin loading
    /// is a once-per-process cost the peers pay too, outside their timing).
    static func firstFrame(_ width: Int, _ height: Int, count: Int) async throws {
        var samples: [Double] = []
        let clock = ContinuousClock()
        for index in 0...count {
            let start = clock.now
            let (track, capture) = try await open(camera(width, height))
            _ = try await capture.grabFrame()
            if index > 0 { samples.append(milliseconds(clock.now - start)) }
            track.stop()
        }
        Result(metric: "first-frame", size: "\(width)x\(height)", value: median(samples), unit: "ms", samples: samples).emit()
    }

    /// grabFrame on a live 30 fps camera: with a frame held (the last grab was more than one interval
    /// ago) and waiting for the next (requests at phases spread evenly over the interval).
    static func latency(_ width: Int, _ height: Int, count: Int) async throws {
        let (track, capture) = try await open(camera(width, height))
        defer { track.stop() }
        let clock = ContinuousClock()
        var held: [Double] = [], waiting: [Double] = []
        _ = try await capture.grabFrame()
        for phase in phases(count: count, interval: 1000.0 / 30) {
            try await Task.sleep(for: .milliseconds(45))
            var start = clock.now
            _ = try await capture.grabFrame()
            held.append(milliseconds(clock.now - start))
            _ = try await capture.grabFrame()  // now in step with the frame clock
            try await Task.sleep(for: phase)
            start = clock.now
            _ = try await capture.grabFrame()
            waiting.append(milliseconds(clock.now - start))
        }
        let size = "\(width)x\(height)"
        Result(metric: "grab-held", size: size, value: median(held), unit: "ms", samples: held).emit()
        Result(metric: "grab-waiting", size: size, value: median(waiting), unit: "ms", samples: waiting).emit()
    }

    /// What a frame's metadata costs a grab: held grabs as in ``latency(_:_:count:)``, each followed
    /// by reading the bitmap's `metadata` (its capture time, frame number and the settings in force,
    /// merged then), the two timed apart. What keeping the metadata costs every grab, read or not,
    /// shows only against a build from before it (scripts/bench/compare.py, docs/PERFORMANCE.md).
    static func metadata(_ width: Int, _ height: Int, count: Int) async throws {
        let (track, capture) = try await open(camera(width, height))
        defer { track.stop() }
        let clock = ContinuousClock()
        var held: [Double] = [], read: [Double] = []
        _ = try await capture.grabFrame()
        for _ in 0..<count {
            try await Task.sleep(for: .milliseconds(45))
            let start = clock.now
            let bitmap = try await capture.grabFrame()
            let grabbed = clock.now
            let metadata = bitmap.metadata
            let done = clock.now
            precondition(metadata.captureTime != nil && metadata.frameNumber != nil && metadata.settings != nil)
            held.append(milliseconds(grabbed - start))
            read.append(milliseconds(done - grabbed))
        }
        let both = zip(held, read).map { $0 + $1 }
        Result(
            metric: "metadata", size: "\(width)x\(height)", value: median(both), unit: "ms", samples: both,
            extra: ["grab-held": median(held), "read": median(read)]
        ).emit()
    }

    /// `count` held grabs back to back, each from an `ImageCapture` of its own (so each is served the
    /// frame the track holds), `pause` ms apart (0: none): for profiling the grab path, as in
    /// `perf record -g benchmarks held-loop 300000`. In µs: a grab with everything in cache takes
    /// about 1 µs, where ``latency(_:_:count:)``'s, after a 45 ms sleep, takes about 50.
    static func heldLoop(count: Int, pause: Int) async throws {
        let (track, first) = try await open(camera(640, 480))
        defer { track.stop() }
        _ = try await first.grabFrame()
        var captures: [ImageCapture] = []
        for _ in 0..<count { captures.append(try ImageCapture(track)) }
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for capture in captures {
            if pause > 0 { try await Task.sleep(for: .milliseconds(pause)) }
            let start = clock.now
            _ = try await capture.grabFrame()
            samples.append(milliseconds(clock.now - start) * 1000)
        }
        Result(metric: "held-loop", size: "640x480", value: median(samples), unit: "us").emit()
    }

    /// takePhoto against its floor measured in the same process: the wait for the next frame (half an
    /// interval in the median over phases spread evenly; measured per call) plus one jpegenc encode
    /// of that size; and
    /// the branch's own processing (its thread's CPU time) against jpegenc's.
    static func photo(_ width: Int, _ height: Int, count: Int) async throws {
        let floor = try await encoderFloor(width: width, height: height, frames: 40)
        let alone = try await encoderFloor(width: width, height: height, frames: 40, branch: true)
        let (call, frameWait, cpu) = try await photoPath(width: width, height: height, photos: count)
        let size = "\(width)x\(height)"
        Result(
            metric: "takePhoto", size: size, value: median(call), unit: "ms", samples: call,
            extra: [
                "floor": median(frameWait) + floor, "frame-wait": median(frameWait), "jpegenc": floor,
                "after-frame": median(zip(call, frameWait).map { $0 - $1 }),
            ]
        ).emit()
        Result(
            metric: "photo-processing", size: size, value: median(cpu), unit: "ms CPU", samples: cpu,
            extra: ["jpegenc": floor, "branch-alone": alone]
        ).emit()
    }

    /// takePhoto with zero shutter lag against without, at `rate`; with one encode of that size (the
    /// jpegenc floor) for the ratio the target is stated in.
    static func zeroShutterLag(_ width: Int, _ height: Int, rate: Int, count: Int) async throws {
        let floor = try await encoderFloor(width: width, height: height, frames: 40)
        let (lagless, plain) = try await laglessPhotos(width: width, height: height, rate: Double(rate), photos: count)
        let size = "\(width)x\(height)@\(rate)"
        Result(
            metric: "takePhoto-zero-shutter-lag", size: size, value: median(lagless), unit: "ms", samples: lagless,
            extra: [
                "without": median(plain), "jpegenc": floor, "ratio-to-encode": median(lagless) / floor,
                "held-photos": Double(lagless.count),
            ]
        ).emit()
    }

    /// A native still larger than the track's mode (the camera switches mode and back), timed, with
    /// the longest gap between the frames a reader of the track got meanwhile.
    static func nativeStill(count: Int) async throws {
        let device = CaptureDevice.fake(
            FakeCamera(modes: [
                VideoMode(width: 640, height: 480, frameRate: 30), VideoMode(width: 3264, height: 2448, frameRate: 15),
            ]))
        let stream = try await MediaDevices(devices: [device]).getUserMedia(
            MediaStreamConstraints(video: .constraints(MediaTrackConstraints(width: 640, height: 480))))
        let track = stream.getVideoTracks()[0]
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let clock = ContinuousClock()
        var times: [Double] = [], gaps: [Double] = []
        for _ in 0..<count {
            let reading = Flag(true)
            let reader = Task {
                var last = clock.now, longest = Duration.zero
                while reading.value {
                    guard (try? await capture.grabFrame()) != nil else { continue }
                    longest = max(longest, clock.now - last)
                    last = clock.now
                }
                return longest
            }
            try await Task.sleep(for: .milliseconds(300))
            let start = clock.now
            let blob = try await capture.takePhoto(PhotoSettings(imageHeight: 2448, imageWidth: 3264))
            times.append(milliseconds(clock.now - start))
            precondition(blob.size > 0)
            try await Task.sleep(for: .milliseconds(300))
            reading.value = false
            gaps.append(milliseconds(await reader.value))
        }
        Result(
            metric: "native-still", size: "3264x2448", value: median(times), unit: "ms", samples: times,
            extra: ["longest-frame-gap": median(gaps)]
        ).emit()
    }

    /// CPU of an open live track nobody reads, as a percentage of one core over `seconds`.
    static func idleCPU(_ width: Int, _ height: Int, seconds: Int) async throws {
        let (track, _) = try await open(camera(width, height))
        defer { track.stop() }
        try await Task.sleep(for: .seconds(3))  // past the gate's linger (2 s) after the first frame
        let before = processCPUSeconds()
        try await Task.sleep(for: .seconds(seconds))
        let used = processCPUSeconds() - before
        Result(metric: "idle-cpu", size: "\(width)x\(height)", value: used / Double(seconds) * 100, unit: "%").emit()
    }

    /// Resident memory after a warm-up and after many grabs and photos on a non-live 480p camera.
    static func memory(grabs: Int, photos: Int) async throws {
        let (track, capture) = try await open(camera(640, 480, live: false))
        defer { track.stop() }
        for _ in 0..<2000 { _ = try await capture.grabFrame() }
        for _ in 0..<200 { _ = try await capture.takePhoto() }
        let warm = residentKilobytes()
        var checkpoints: [Double] = []
        for round in 0..<10 {
            for _ in 0..<(grabs / 10) { _ = try await capture.grabFrame() }
            for _ in 0..<(photos / 10) { _ = try await capture.takePhoto() }
            checkpoints.append(Double(residentKilobytes() - warm) / 1024)
            _ = round
        }
        Result(
            metric: "rss-growth", size: "640x480", value: checkpoints.last ?? .nan, unit: "MiB", samples: checkpoints,
            extra: ["warm-rss": Double(warm) / 1024]
        ).emit()
    }

    /// `count` live 720p30 tracks, each on its own camera and read through frames(): the lowest
    /// per-track rate and the process's CPU over `seconds`.
    static func tracks(count: Int, seconds: Int) async throws {
        var opened: [MediaStreamTrack] = []
        for index in 0..<count { opened.append(try await open(camera(1280, 720, label: "Fake Camera \(index + 1)")).0) }
        defer { for track in opened { track.stop() } }
        let counting = Flag(false), running = Flag(true)
        let counts = Counters(count)
        let readers = opened.enumerated().map { index, track in
            Task {
                for await frame in track.frames() {
                    if counting.value { counts.increment(index) }
                    frame.close()
                    if !running.value { break }
                }
            }
        }
        try await Task.sleep(for: .seconds(1))
        let before = processCPUSeconds()
        counting.value = true
        try await Task.sleep(for: .seconds(seconds))
        counting.value = false
        let used = processCPUSeconds() - before
        running.value = false
        let rates = counts.values.map { Double($0) / Double(seconds) }
        for track in opened { track.stop() }
        for reader in readers { await reader.value }
        Result(
            metric: "tracks", size: "\(count)x1280x720", value: rates.min() ?? 0, unit: "fps",
            samples: rates, extra: ["cpu": used / Double(seconds) * 100]
        ).emit()
    }
}
