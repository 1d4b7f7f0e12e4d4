// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import MediaCapture

/// `imagecapture grab`: one frame, as `ImageCapture.grabFrame()` gives it.
struct Grab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Grab one frame (grabFrame) as PNG, JPEG or raw RGBA.")

    @OptionGroup var camera: CameraOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Where: FILE.png, FILE.jpg, FILE.rgba, or - for stdout.", valueName: "file"))
    var output: String

    @Option(help: "png, jpeg or rgba (default: from the file's extension; png for - or a name without one).")
    var format: ImageFormat?

    @Option(help: "JPEG quality from 0 to 1, as a canvas's toBlob takes it (default 0.92).")
    var quality: Double?

    @Flag(help: "Print the frame's metadata as one JSON object on stdout (timestamp, captureTime, frameNumber, settings, output, size).")
    var json = false

    func validate() throws {
        let chosen = try ImageFormat.resolve(format, Output(path: output), allowed: [.png, .jpeg, .rgba])
        if let quality {
            guard quality.isFinite, (0...1).contains(quality) else {
                throw ValidationError("--quality must be a number from 0 to 1 (0.92 is the default), not \(quality).")
            }
            guard chosen == .jpeg else {
                throw ValidationError("--quality applies to JPEG only; name the file .jpg or give --format jpeg.")
            }
        }
        try ImageFormat.checkJSON(json, Output(path: output))
    }

    func run() async throws {
        let target = Output(path: output)
        let chosen = try ImageFormat.resolve(format, target, allowed: [.png, .jpeg, .rgba])
        try await reportingErrors {
            let track = try await camera.openTrack()
            defer { track.stop() }
            let frame = try await ImageCapture(track).grabFrame()
            let bytes: [UInt8]
            switch chosen {
            case .png: bytes = try await frame.encode(type: "image/png").bytes
            case .jpeg: bytes = try await frame.encode(type: "image/jpeg", quality: quality).bytes
            case .rgba: bytes = try frame.rgbaBytes()
            }
            try target.write(bytes)
            if json {
                CaptureReport(
                    output: output, format: chosen, width: frame.width, height: frame.height, byteCount: bytes.count,
                    timestamp: frame.timestamp, metadata: frame.metadata
                ).print()
            }
            status("\(target.isStandardOutput ? "stdout" : output): \(frame.width)x\(frame.height) \(chosen.rawValue) frame from \(track.label)")
        }
    }
}
