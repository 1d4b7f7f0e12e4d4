// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// What publishing a camera costs while nobody watches it: run.py's `--only publish` rows (the RTSP
// clients' and the WHEP player's rows run the tool, `imagecapture publish`, from run.py itself).
import Glibc
import MediaCapture
import MediaPublishing

enum PublishedCameraCost {
    /// CPU of a live track whose every frame a grab loop reads, without and with an RTSP and a WHEP
    /// publisher attached (no client, no viewer), in one process: windows of `seconds` in the order
    /// without, with, with, without (a drift in the machine's load falls on both alike). Nothing
    /// should be encoded: the encoder plugins must not even be loaded, and no encoding branch's
    /// queue thread must exist, at the end of each window with the publishers.
    static func idleCPU(_ width: Int, _ height: Int, seconds: Int) async throws {
        let (track, capture) = try await Measurements.open(Measurements.camera(width, height))
        defer { track.stop() }
        let reading = Flag(true)
        let frames = Counters(1)
        let reader = Task {
            while reading.value {
                if (try? await capture.grabFrame()) != nil { frames.increment(0) }
            }
        }
        try await Task.sleep(for: .seconds(2))  // warm-up: the frames branch open, the loop in step

        var without: [Double] = [], with: [Double] = [], fps: [Double] = []
        var encoderSeen = false
        func window() async throws -> Double {
            let (before, counted) = (processCPUSeconds(), frames.values[0])
            try await Task.sleep(for: .seconds(seconds))
            fps.append(Double(frames.values[0] - counted) / Double(seconds))
            return (processCPUSeconds() - before) / Double(seconds) * 100
        }
        without.append(try await window())
        let camera = PublishedCamera(track: track)
        let rtsp = try RTSPPublisher(camera: camera, options: .init(port: 0))
        let whep = try WHEPPublisher(camera: camera)
        try await Task.sleep(for: .seconds(1))  // the RTSP server's thread settled
        for _ in 0..<2 {
            with.append(try await window())
            encoderSeen = encoderSeen || encoderPresent() || rtsp.isStreaming || whep.viewerCount > 0
        }
        await rtsp.close()
        await whep.close()
        try await Task.sleep(for: .seconds(1))
        without.append(try await window())
        reading.value = false
        _ = await reader.value

        let mean = { (values: [Double]) in values.reduce(0, +) / Double(values.count) }
        Result(
            metric: "publish-idle-cpu", size: "\(width)x\(height)", value: mean(with), unit: "%", samples: with,
            extra: [
                "without": mean(without), "without-first": without[0], "without-last": without[1],
                "encoder": encoderSeen ? 1 : 0, "reader-fps": median(fps),
            ]
        ).emit()
    }

    /// Whether an encoder could have run in this process: an encoder plugin (openh264, vpx) mapped
    /// (GStreamer loads a plugin when it makes its first element; finding a factory does not), or a
    /// thread of an encoding branch's queue (named after the element: "swift-media-capture-encoder-…",
    /// cut to 15 characters).
    static func encoderPresent() -> Bool {
        if let maps = read("/proc/self/maps"), maps.contains("libgstopenh264") || maps.contains("libgstvpx") { return true }
        guard let directory = opendir("/proc/self/task") else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let task = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !task.hasPrefix("."), let name = read("/proc/self/task/\(task)/comm") else { continue }
            if name.hasPrefix("swift-media-cap") { return true }
        }
        return false
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
