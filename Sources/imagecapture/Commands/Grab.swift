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

    func validate() throws {
        _ = try ImageFormat.resolve(format, Output(path: output), allowed: [.png, .jpeg, .rgba])
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
            case .jpeg: bytes = try await frame.encode(type: "image/jpeg").bytes
            case .rgba: bytes = try frame.rgbaBytes()
            }
            try target.write(bytes)
            status("\(target.isStandardOutput ? "stdout" : output): \(frame.width)x\(frame.height) \(chosen.rawValue) frame from \(track.label)")
        }
    }
}
