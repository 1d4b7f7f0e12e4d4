// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// benchmarks: the library's side of scripts/bench.sh. Each subcommand measures one thing and prints
// JSON lines (see Report.swift); scripts/bench/run.py runs them beside the peers and makes the table.
import Glibc
import MediaCapture

let arguments = Array(CommandLine.arguments.dropFirst())
func argument(_ index: Int, _ fallback: Int) -> Int { index < arguments.count ? Int(arguments[index]) ?? fallback : fallback }
let size = arguments.count > 1 ? parseSize(arguments[1]) ?? (640, 480) : (640, 480)

switch arguments.first {
case "throughput": try await Measurements.throughput(size.0, size.1, frames: argument(2, 1000))
case "first-frame": try await Measurements.firstFrame(size.0, size.1, count: argument(2, 10))
case "latency": try await Measurements.latency(size.0, size.1, count: argument(2, 40))
case "metadata": try await Measurements.metadata(size.0, size.1, count: argument(2, 40))
case "held-loop": try await Measurements.heldLoop(count: argument(1, 20000), pause: argument(2, 0))
case "photo": try await Measurements.photo(size.0, size.1, count: argument(2, 30))
case "native-still": try await Measurements.nativeStill(count: argument(1, 3))
case "zero-shutter-lag": try await Measurements.zeroShutterLag(size.0, size.1, rate: argument(2, 30), count: argument(3, 20))
case "idle-cpu": try await Measurements.idleCPU(size.0, size.1, seconds: argument(2, 4))
case "memory": try await Measurements.memory(grabs: argument(1, 100_000), photos: argument(2, 1000))
case "tracks": try await Measurements.tracks(count: argument(1, 1), seconds: argument(2, 3))
case "record-cpu": try await Recording.cpu(size.0, size.1, seconds: argument(2, 6), path: arguments.count > 3 ? arguments[3] : "/tmp/recording.webm")
case "record-grab": try await Recording.grab(size.0, size.1, count: argument(2, 30))
case "publish-idle-cpu": try await PublishedCameraCost.idleCPU(size.0, size.1, seconds: argument(2, 5))
// On the virtual camera (scripts/with-virtual-camera.sh): an MJPEG webcam's mode.
case "mjpeg-idle-cpu": try await MJPEGCamera.idleCPU(size.0, size.1, rate: argument(2, 30), seconds: argument(3, 4))
case "mjpeg-reader-cpu": try await MJPEGCamera.readerCPU(size.0, size.1, rate: argument(2, 30), seconds: argument(3, 4))
case "mjpeg-photo": try await MJPEGCamera.photo(size.0, size.1, rate: argument(2, 30), count: argument(3, 30))
case "mjpeg-frame-age": try await MJPEGCamera.frameAge(size.0, size.1, rate: argument(2, 30), count: argument(3, 30))
default:
    let usage = """
        usage: benchmarks throughput WxH FRAMES | first-frame WxH COUNT | latency WxH COUNT | metadata WxH COUNT
                          photo WxH COUNT | native-still COUNT | zero-shutter-lag WxH FPS COUNT
                          idle-cpu WxH SECONDS | memory GRABS PHOTOS | tracks COUNT SECONDS | held-loop COUNT [PAUSE_MS]
                          record-cpu WxH SECONDS FILE.webm | record-grab WxH COUNT | publish-idle-cpu WxH SECONDS
        under scripts/with-virtual-camera.sh: mjpeg-idle-cpu WxH FPS SECONDS | mjpeg-reader-cpu WxH FPS SECONDS
                          mjpeg-photo WxH FPS COUNT | mjpeg-frame-age WxH FPS COUNT
        Run scripts/bench.sh for the whole benchmark beside its peers.

        """
    _ = usage.withCString { Glibc.write(2, $0, strlen($0)) }
    exit(64)
}
await MediaDevices.shutdown()
