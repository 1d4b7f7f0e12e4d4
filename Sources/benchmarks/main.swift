// benchmarks: the photo path's own processing against the libjpeg-turbo floor (jpegenc alone on the
// same I420 frames), measured side by side in one run and reported as a ratio.
import Glibc
import GStreamerWrapper
import MediaCapture
import Synchronization

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// jpegenc alone: the time each buffer spends between its sink and src pads (what libjpeg-turbo costs).
/// With `branch`, the photo branch's own elements run before jpegenc, alone (no camera, no track
/// branch competing), timed from the queue to jpegenc's output.
func encoderFloor(width: Int, height: Int, frames: Int, branch: Bool = false) async throws -> Double {
    let elements = branch
        ? "queue name=start ! videocrop ! videoscale add-borders=false ! videoconvert ! capsfilter name=photo-caps ! " : ""
    let pipeline = try Pipeline(
        description: "videotestsrc name=src pattern=smpte ! capsfilter name=caps ! \(elements)jpegenc name=enc quality=90 ! fakesink sync=false",
        name: "floor")
    pipeline.element(named: "photo-caps")?.set(
        "caps", Caps("video/x-raw,format=I420,width=\(width),height=\(height),pixel-aspect-ratio=1/1"))
    pipeline.element(named: "src")?.set("num-buffers", Int32(frames))
    // Paced like a camera, so the branch's queue holds no backlog and only processing is timed.
    pipeline.element(named: "src")?.set("is-live", branch)
    pipeline.element(named: "caps")?.set("caps", Caps("video/x-raw,format=I420,width=\(width),height=\(height),framerate=30/1"))
    // Starts in FIFO order: with a queue in the branch, the next buffer starts before this one ends.
    let times = Mutex<(started: [ContinuousClock.Instant], samples: [Double])>(([], []))
    let encoder = pipeline.element(named: "enc")
    (branch ? pipeline.element(named: "start") : encoder)?.staticPad("sink")?.addBufferProbe { _ in
        times.withLock { $0.started.append(.now) }
        return .pass
    }
    encoder?.staticPad("src")?.addBufferProbe { _ in
        times.withLock { state in
            if !state.started.isEmpty { state.samples.append(milliseconds(.now - state.started.removeFirst())) }
        }
        return .pass
    }
    let done = AsyncStream.makeStream(of: Void.self)
    pipeline.onMessage { message in
        if case .endOfStream = message { done.continuation.yield() }
        if case .error = message { done.continuation.yield() }
    }
    try await pipeline.play()
    for await _ in done.stream { break }
    await pipeline.stop()
    return median(times.withLock { Array($0.samples.dropFirst(3)) })  // skip warm-up
}

/// The library's photo path on a live fake camera in that mode: shutter pass to JPEG in Swift.
func photoPath(width: Int, height: Int, photos: Int) async throws -> (Double, Double) {
    let camera = FakeCamera(modes: [VideoMode(width: width, height: height)])
    let stream = try await MediaDevices(devices: [.fake(camera)]).getUserMedia(MediaStreamConstraints(video: true))
    let track = stream.getVideoTracks()[0]
    defer { track.stop() }
    let capture = try ImageCapture(track)
    let timing = capture.installPhotoTiming()  // pad probes the benchmark adds; the library has none
    var pipeline: [Double] = [], swift: [Double] = []
    for index in 0..<photos {
        _ = try await capture.takePhoto()
        if index >= 3, let time = timing?.lastPhoto() {
            pipeline.append(milliseconds(time.inPipeline))
            swift.append(milliseconds(time.toNow))
        }
        try await Task.sleep(for: .milliseconds(Int.random(in: 0...66)))  // no phase-lock to the frame clock
    }
    return (median(pipeline), median(swift))
}

/// Resident memory in kB (from /proc/self/statm).
func residentKilobytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0, resident = 0
    guard withUnsafeMutablePointer(to: &size, { size in
        withUnsafeMutablePointer(to: &resident) { resident in readStatm(file, size, resident) }
    }) else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

private func readStatm(_ file: UnsafeMutablePointer<FILE>, _ size: UnsafeMutablePointer<Int>, _ resident: UnsafeMutablePointer<Int>) -> Bool {
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, 256, file) != nil else { return false }
    let fields = String(decoding: line.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self).split(separator: " ")
    guard fields.count > 1, let s = Int(fields[0]), let r = Int(fields[1]) else { return false }
    size.pointee = s
    resident.pointee = r
    return true
}

/// Per-call cost and memory growth of grabFrame and takePhoto over many calls (a non-live 480p
/// fake camera): a call that gets slower, or a process that keeps growing, shows here.
func steadyState(grabs: Int, photos: Int, rounds: Int) async throws {
    let camera = FakeCamera(isLive: false, modes: [VideoMode(width: 640, height: 480)])
    let stream = try await MediaDevices(devices: [.fake(camera)]).getUserMedia(MediaStreamConstraints(video: true))
    let track = stream.getVideoTracks()[0]
    defer { track.stop() }
    let capture = try ImageCapture(track)
    let clock = ContinuousClock()
    print("steady state (non-live 640x480 fake camera): per-call ms and resident memory, by round")
    for (name, count) in [("grabFrame", grabs), ("takePhoto", photos)] {
        for round in 1...rounds {
            let rssBefore = residentKilobytes()
            let start = clock.now
            for _ in 0..<count {
                if name == "grabFrame" { _ = try await capture.grabFrame() } else { _ = try await capture.takePhoto() }
            }
            let perCall = milliseconds(clock.now - start) / Double(count)
            let grown = residentKilobytes() - rssBefore
            print("  \(name) round \(round): \(format3(perCall)) ms per call, RSS \(grown >= 0 ? "+" : "")\(grown) kB over \(count) calls")
        }
    }
}

if CommandLine.arguments.contains("--steady-state") {
    try await steadyState(grabs: 5000, photos: CommandLine.arguments.contains("--many-photos") ? 3000 : 500, rounds: 8)
    await MediaDevices.shutdown()
    exit(0)
}

print("photo path vs libjpeg-turbo floor (jpegenc alone), I420 in, quality 90, medians")
print("size        floor ms   photo path ms   ratio   (to the Swift caller ms)   branch alone ms")
var worst = 0.0, worstAlone = 0.0
for (width, height) in [(640, 480), (1280, 720), (1920, 1080)] {
    let floor = try await encoderFloor(width: width, height: height, frames: 40)
    let alone = try await encoderFloor(width: width, height: height, frames: 40, branch: true)
    let (path, toSwift) = try await photoPath(width: width, height: height, photos: 30)
    worst = max(worst, path / floor)
    worstAlone = max(worstAlone, alone / floor)
    print(pad("\(width)x\(height)", 11), pad(format3(floor), 10), pad(format3(path), 15),
          pad("\(format3(path / floor))x", 7), pad("(\(format3(toSwift)))", 26), format3(alone))
}
print("""
    worst ratio, the photo branch alone (its own processing): \(format3(worstAlone))x  (target: at most 1.3x)
    worst ratio in situ (live camera + a track branch converting the same frame, same cores): \(format3(worst))x
    """)
await MediaDevices.shutdown()

func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

func format3(_ value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    return "\(scaled)"
}
