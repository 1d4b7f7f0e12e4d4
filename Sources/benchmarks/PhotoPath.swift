// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The photo path's own processing against the libjpeg-turbo floor (jpegenc alone on the same I420
// frames), measured side by side in one process.
import GStreamerWrapper
import MediaCapture
import Synchronization

/// jpegenc alone: the CPU time its thread spends on each frame (what libjpeg-turbo costs). With
/// `branch`, the photo branch's elements run before jpegenc, on the same thread. Both live at 30 fps,
/// as in the camera, and timed from the element after a queue to jpegenc's output, on that thread.
func encoderFloor(width: Int, height: Int, frames: Int, branch: Bool = false) async throws -> Double {
    let elements =
        branch
        ? "videocrop name=first ! videoscale add-borders=false ! videoconvert ! capsfilter name=photo-caps ! " : ""
    let pipeline = try Pipeline(
        description:
            "videotestsrc name=src is-live=true pattern=smpte ! capsfilter name=caps ! queue ! \(elements)jpegenc name=enc quality=90 ! fakesink sync=false",
        name: "floor")
    pipeline.element(named: "photo-caps")?.set(
        "caps", Caps("video/x-raw,format=I420,width=\(width),height=\(height),pixel-aspect-ratio=1/1"))
    pipeline.element(named: "src")?.set("num-buffers", Int32(frames))
    pipeline.element(named: "caps")?.set("caps", Caps("video/x-raw,format=I420,width=\(width),height=\(height),framerate=30/1"))
    let times = Mutex<(started: Duration?, samples: [Double])>((nil, []))
    let encoder = pipeline.element(named: "enc")
    (branch ? pipeline.element(named: "first") : encoder)?.staticPad("sink")?.addBufferProbe { _ in
        let now = PhotoTiming.threadCPUTime()
        times.withLock { $0.started = now }
        return .pass
    }
    encoder?.staticPad("src")?.addBufferProbe { _ in
        let now = PhotoTiming.threadCPUTime()
        times.withLock { state in
            if let started = state.started { state.samples.append(milliseconds(now - started)) }
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

/// The request phases of `count` calls, spread evenly over one frame interval (in a scrambled
/// order): after a call returns (in step with the frame clock), the next waits one of these.
func phases(count: Int, interval: Double) -> [Duration] {
    (0..<count).map { index in
        let slot = (index * 7919) % count  // a prime stride visits every slot once
        return .microseconds(Int((Double(slot) + 0.5) / Double(count) * interval * 1000))
    }
}

/// takePhoto on a live 30 fps fake camera in that mode, at request phases spread over the frame
/// interval: the whole call; the camera's part of it (until the first frame after the call reached
/// the photo branch: half an interval in the median, measured per call so that its noise cancels);
/// and the branch thread's CPU time per photo (shutter to JPEG).
func photoPath(width: Int, height: Int, photos: Int) async throws -> (call: [Double], frameWait: [Double], cpu: [Double]) {
    let camera = FakeCamera(modes: [VideoMode(width: width, height: height)])
    let stream = try await MediaDevices(devices: [.fake(camera)]).getUserMedia(MediaStreamConstraints(video: true))
    let track = stream.getVideoTracks()[0]
    defer { track.stop() }
    let capture = try ImageCapture(track)
    let timing = capture.installPhotoTiming()  // pad probes the benchmark adds; the library has none
    var call: [Double] = [], frameWait: [Double] = [], cpu: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<3 { _ = try await capture.takePhoto() }  // the first few warm the encoder
    for phase in phases(count: photos, interval: 1000.0 / 30) {
        try await Task.sleep(for: phase)
        let start = clock.now
        _ = try await capture.takePhoto()
        let elapsed = milliseconds(clock.now - start)
        if let time = timing?.lastPhoto()?.cpu { cpu.append(milliseconds(time)) }
        guard let arrival = timing?.firstArrival(after: start) else { continue }
        call.append(elapsed)
        frameWait.append(milliseconds(arrival - start))
    }
    return (call, frameWait, cpu)
}
