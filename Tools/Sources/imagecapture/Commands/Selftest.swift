// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
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

    func run() async throws {
        try await reportingErrors {
            // Every path that holds GStreamer objects: clones, frames, photos, controls and the fake
            // camera's digital pan/tilt/zoom, a live mode change, held frames (zero shutter lag, kept
            // past the track's stop), bursts and brackets.
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
                track.stop()
                copy.stop()
            }
            lagless = nil
            if leakOne {
                let kept = try await camera.openTrack()
                kept.stop()
                _ = Unmanaged.passRetained(kept)  // never released: its pipeline outlives gst_deinit
            }
            await MediaDevices.shutdown()
            print("selftest: opened and stopped \(tracks) tracks (and as many clones)")
        }
    }
}
