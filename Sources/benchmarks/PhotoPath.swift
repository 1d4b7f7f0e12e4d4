// The photo path's own processing against the libjpeg-turbo floor (jpegenc alone on the same I420
// frames), measured side by side in one process.
import GStreamerWrapper
import MediaCapture
import Synchronization

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

/// takePhoto on a live 30 fps fake camera in that mode, at request phases spread over two frame
/// intervals: the whole call, and the photo branch's own processing (shutter to JPEG).
func photoPath(width: Int, height: Int, photos: Int) async throws -> (call: [Double], inPipeline: [Double]) {
    let camera = FakeCamera(modes: [VideoMode(width: width, height: height)])
    let stream = try await MediaDevices(devices: [.fake(camera)]).getUserMedia(MediaStreamConstraints(video: true))
    let track = stream.getVideoTracks()[0]
    defer { track.stop() }
    let capture = try ImageCapture(track)
    let timing = capture.installPhotoTiming()  // pad probes the benchmark adds; the library has none
    var call: [Double] = [], inPipeline: [Double] = []
    let clock = ContinuousClock()
    for index in 0..<(photos + 3) {
        try await Task.sleep(for: .microseconds(Int.random(in: 0...66_000)))  // no phase-lock to the frame clock
        let start = clock.now
        _ = try await capture.takePhoto()
        let elapsed = milliseconds(clock.now - start)
        if index >= 3, let time = timing?.lastPhoto() {  // the first few warm the encoder
            call.append(elapsed)
            inPipeline.append(milliseconds(time.inPipeline))
        }
    }
    return (call, inPipeline)
}
