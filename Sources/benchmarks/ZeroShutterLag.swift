// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// takePhoto with and without zero shutter lag, side by side in one process, on a live fake camera at
// a given rate: the call at request phases spread over the frame interval.
import MediaCapture

/// The calls of `photos` takePhoto at phases spread over the frame interval, with and without zero
/// shutter lag (alternating, so that both see the same machine), at `size` and `rate`.
func laglessPhotos(width: Int, height: Int, rate: Double, photos: Int) async throws -> (lagless: [Double], plain: [Double]) {
    let camera = FakeCamera(modes: [VideoMode(width: width, height: height, frameRate: rate)])
    let stream = try await MediaDevices(devices: [.fake(camera)]).getUserMedia(MediaStreamConstraints(video: true))
    let track = stream.getVideoTracks()[0]
    defer { track.stop() }
    let lagless = try ImageCapture(track, options: ImageCapture.Options(zeroShutterLag: true))
    let plain = try ImageCapture(track)
    let clock = ContinuousClock()
    for _ in 0..<3 {  // warm the encoder, configure the branch, hold frames
        _ = try await plain.takePhoto()
        _ = try await lagless.takePhoto()
    }
    var withIt: [Double] = [], without: [Double] = []
    for (index, phase) in phases(count: photos * 2, interval: 1000 / rate).enumerated() {
        try await Task.sleep(for: phase)
        let capture = index % 2 == 0 ? lagless : plain
        let start = clock.now
        let photo = try await capture.takePhoto()
        let elapsed = milliseconds(clock.now - start)
        if index % 2 == 0 {
            // Only photos of a held frame count as zero-shutter-lag ones.
            if photo.metadata?.photoOrigin == .heldFrame { withIt.append(elapsed) }
        } else {
            without.append(elapsed)
        }
    }
    return (withIt, without)
}
