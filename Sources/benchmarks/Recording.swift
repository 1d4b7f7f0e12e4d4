// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// A MediaRecorder on the fake camera (live, 30 fps), with its defaults: VP8 in WebM. run.py runs
// pipelines/recording-webm.pipeline under gst-launch-1.0 beside it and counts the recording's frames.
import Glibc
import MediaCapture

enum Recording {
    /// CPU while recording an open track nobody reads (past the frames gate's linger), over `seconds`
    /// after a second of warm-up; the recording is written to `path` for run.py to count its frames
    /// (a gap in the capture times is a frame lost on the way to the encoder).
    static func cpu(_ width: Int, _ height: Int, seconds: Int, path: String) async throws {
        let (track, capture) = try await Measurements.open(Measurements.camera(width, height))
        defer { track.stop() }
        _ = try await capture.grabFrame()
        try await Task.sleep(for: .seconds(3))  // past the gate's linger (2 s)
        let recorder = try MediaRecorder(MediaStream(tracks: [track]))
        let events = recorder.events
        try recorder.start()
        try await Task.sleep(for: .seconds(1))
        let before = processCPUSeconds()
        try await Task.sleep(for: .seconds(seconds))
        let used = processCPUSeconds() - before
        try recorder.stop()
        let bytes = try await collect(events)
        guard let file = fopen(path, "wb"), fwrite(bytes, 1, bytes.count, file) == bytes.count, fclose(file) == 0 else {
            fatalError("could not write \(path)")
        }
        Result(
            metric: "record-cpu", size: "\(width)x\(height)", value: used / Double(seconds) * 100, unit: "%",
            extra: ["bits-per-second": Double(recorder.videoBitsPerSecond), "bytes": Double(bytes.count)]
        ).emit()
    }

    /// Held grabFrame (a frame already there, as in `latency`) without a recording, then with one
    /// running on the same track: p50 of each, in ms.
    static func grab(_ width: Int, _ height: Int, count: Int) async throws {
        let (track, capture) = try await Measurements.open(Measurements.camera(width, height))
        defer { track.stop() }
        _ = try await capture.grabFrame()
        func held() async throws -> [Double] {
            var samples: [Double] = []
            let clock = ContinuousClock()
            for _ in 0..<count {
                try await Task.sleep(for: .milliseconds(45))
                let start = clock.now
                _ = try await capture.grabFrame()
                samples.append(milliseconds(clock.now - start))
            }
            return samples
        }
        let without = try await held()
        let recorder = try MediaRecorder(MediaStream(tracks: [track]))
        let events = recorder.events
        try recorder.start()
        try await Task.sleep(for: .seconds(1))
        let with = try await held()
        try recorder.stop()
        _ = try await collect(events)
        Result(
            metric: "record-grab-held", size: "\(width)x\(height)", value: median(with), unit: "ms", samples: with,
            extra: ["without": median(without)]
        ).emit()
    }

    /// The recording's bytes, once its `stop` came (within 20 s).
    static func collect(_ events: AsyncStream<MediaRecorderEvent>) async throws -> [UInt8] {
        let gathered = Task {
            var bytes: [UInt8] = []
            for await event in events {
                if case .dataavailable(let blob) = event { bytes += blob.data.bytes }
                if case .error(let error) = event { fatalError("the recording failed: \(error)") }
            }
            return bytes
        }
        let timer = Task {
            try await Task.sleep(for: .seconds(20))
            fatalError("the recorder did not stop within 20 s")
        }
        defer { timer.cancel() }
        return await gathered.value
    }
}
