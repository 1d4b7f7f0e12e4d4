// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// An MJPEG webcam's measurements, on the virtual camera (scripts/with-virtual-camera.sh sets
// VIRTUAL_CAMERA; its MJPEG frames are encoded as a webcam's). run.py runs gst-launch-1.0 on the
// same camera beside each.
import Glibc
import MediaCapture

enum MJPEGCamera {
    /// The virtual camera's track in the MJPEG mode `width`x`height` at `rate`.
    static func open(_ width: Int, _ height: Int, rate: Int) async throws -> (MediaStreamTrack, ImageCapture) {
        guard let path = getenv("VIRTUAL_CAMERA").map({ String(cString: $0) }) else {
            fatalError("run under scripts/with-virtual-camera.sh (VIRTUAL_CAMERA is not set)")
        }
        let constraints = MediaTrackConstraints(
            width: .exact(UInt32(width)), height: .exact(UInt32(height)), frameRate: .exact(Double(rate)))
        let stream = try await MediaDevices(devices: [.v4l2(path: path)])
            .getUserMedia(MediaStreamConstraints(video: .constraints(constraints)))
        let track = stream.getVideoTracks()[0]
        return (track, try ImageCapture(track))
    }

    /// CPU of an open track nobody reads (past the gate's linger): the camera alone, nothing decoded.
    static func idleCPU(_ width: Int, _ height: Int, rate: Int, seconds: Int) async throws {
        let (track, capture) = try await open(width, height, rate: rate)
        defer { track.stop() }
        _ = try await capture.grabFrame()
        try await Task.sleep(for: .seconds(3))  // past the gate's linger (2 s)
        let before = processCPUSeconds()
        try await Task.sleep(for: .seconds(seconds))
        let used = processCPUSeconds() - before
        Result(metric: "mjpeg-idle-cpu", size: "\(width)x\(height)", value: used / Double(seconds) * 100, unit: "%").emit()
    }

    /// CPU of one reader of every frame (`frames()`, RGBA), and the frames it read a second.
    static func readerCPU(_ width: Int, _ height: Int, rate: Int, seconds: Int) async throws {
        let (track, capture) = try await open(width, height, rate: rate)
        defer { track.stop() }
        _ = try await capture.grabFrame()
        let counter = Counters(1), reading = Flag(true)
        let reader = Task {
            for await _ in track.frames() {
                counter.increment(0)
                if !reading.value { break }
            }
        }
        try await Task.sleep(for: .seconds(1))
        let (before, counted) = (processCPUSeconds(), counter.values[0])
        try await Task.sleep(for: .seconds(seconds))
        let used = processCPUSeconds() - before, read = counter.values[0] - counted
        reading.value = false
        track.stop()
        _ = await reader.value
        Result(
            metric: "mjpeg-reader-cpu", size: "\(width)x\(height)", value: used / Double(seconds) * 100, unit: "%",
            extra: ["fps": Double(read) / Double(seconds)]
        ).emit()
    }

    /// takePhoto at the stream's size (the camera's own JPEG), asked at phases spread evenly over the
    /// frame interval (counted from the last photo's capture time, so that they are phases of the
    /// camera's clock; no frame is read meanwhile, so nothing is decoded): the whole call, in ms,
    /// whose median is half an interval of waiting plus the library's part; and from the photo's
    /// frame's capture to the photo in hand.
    static func photo(_ width: Int, _ height: Int, rate: Int, count: Int) async throws {
        let (track, capture) = try await open(width, height, rate: rate)
        defer { track.stop() }
        var last = try await capture.takePhoto()
        try await Task.sleep(for: .seconds(3))  // past the frames gate's linger: no frame decoded
        let clock = ContinuousClock(), interval = Duration.seconds(1) / rate
        var calls: [Double] = [], afterCapture: [Double] = []
        for phase in phases(count: count, interval: 1000.0 / Double(rate)) {
            guard let captured = last.metadata?.captureTime else { fatalError("the camera's photos have no capture time") }
            var target = captured + phase
            while target < clock.now + .milliseconds(2) { target += interval }
            try await clock.sleep(until: target, tolerance: .zero)
            let start = clock.now
            last = try await capture.takePhoto()
            let end = clock.now
            calls.append(milliseconds(end - start))
            if let taken = last.metadata?.captureTime { afterCapture.append(milliseconds(end - taken)) }
        }
        Result(
            metric: "mjpeg-photo", size: "\(width)x\(height)", value: median(calls), unit: "ms", samples: calls,
            extra: ["half-interval": 500.0 / Double(rate), "after-capture": median(afterCapture)]
        ).emit()
    }

    /// How old a grabbed frame is when grabFrame returns (now less its capture time), for grabs
    /// spread over the frame interval, in ms; and how many frames a second a grab loop gets.
    static func frameAge(_ width: Int, _ height: Int, rate: Int, count: Int) async throws {
        let (track, capture) = try await open(width, height, rate: rate)
        defer { track.stop() }
        _ = try await capture.grabFrame()
        var ages: [Double] = []
        let clock = ContinuousClock(), start = clock.now
        var distinct = Set<UInt64>()
        for phase in phases(count: count, interval: 1000.0 / Double(rate)) {
            try await Task.sleep(for: phase)
            let frame = try await capture.grabFrame()
            let now = ContinuousClock.now
            if let captured = frame.metadata.captureTime { ages.append(milliseconds(now - captured)) }
            if let number = frame.metadata.frameNumber { distinct.insert(number) }
        }
        let elapsed = milliseconds(clock.now - start) / 1000
        ages.sort()
        Result(
            metric: "mjpeg-frame-age", size: "\(width)x\(height)", value: median(ages), unit: "ms", samples: ages,
            extra: [
                "p90": ages.isEmpty ? .nan : ages[ages.count * 9 / 10], "interval": 1000.0 / Double(rate),
                "distinct-fps": Double(distinct.count) / elapsed,
            ]
        ).emit()
    }
}
