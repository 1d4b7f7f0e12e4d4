import ArgumentParser
import MediaCapture

/// The photo options `photo` and `record-stills` share.
struct PhotoOptions: ParsableArguments {
    @Option(help: "Photo width (larger than the stream: a native high-resolution still).")
    var photoWidth: Double?

    @Option(help: "Photo height.")
    var photoHeight: Double?

    @Option(help: "JPEG quality, 1 to 100 (default 90).")
    var quality = 90

    @Option(help: "Fill light: auto, off or flash (the camera must offer it; see `imagecapture capabilities`).")
    var fillLight: FillLightMode?

    func validate() throws {
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1 to 100, not \(quality).") }
        for (name, value) in [("--photo-width", photoWidth), ("--photo-height", photoHeight)] {
            if let value, !(value.isFinite && value >= 1 && value <= 100_000) {
                throw ValidationError("\(name) must be a number of pixels from 1 to 100000.")
            }
        }
    }

    var settings: PhotoSettings {
        PhotoSettings(fillLightMode: fillLight, imageHeight: photoHeight, imageWidth: photoWidth)
    }

    func capture(_ track: MediaStreamTrack) throws -> ImageCapture {
        try ImageCapture(track, options: ImageCapture.Options(jpegQuality: quality))
    }
}

extension FillLightMode: ExpressibleByArgument {}

/// `imagecapture photo`: one photo, as `ImageCapture.takePhoto()` takes it.
struct Photo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a photo (takePhoto) as JPEG; larger than the stream is a native high-resolution still.")

    @OptionGroup var camera: CameraOptions
    @OptionGroup var photo: PhotoOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Where: FILE.jpg, or - for stdout.", valueName: "file"))
    var output: String

    @Flag(help: "Print the photo's metadata as one JSON object on stdout (captureTime, frameNumber, settings, output, size).")
    var json = false

    func validate() throws {
        _ = try ImageFormat.resolve(nil, Output(path: output), allowed: [.jpeg])
        try ImageFormat.checkJSON(json, Output(path: output))
    }

    func run() async throws {
        let target = Output(path: output)
        try await reportingErrors {
            let track = try await camera.openTrack()
            defer { track.stop() }
            let blob = try await photo.capture(track).takePhoto(photo.settings)
            try target.write(blob.bytes)
            if json {
                let size = CaptureReport.jpegSize(blob.bytes)
                CaptureReport(
                    output: output, format: .jpeg, width: size?.width, height: size?.height, byteCount: blob.size,
                    timestamp: nil, metadata: blob.metadata
                ).print()
            }
            status("\(target.isStandardOutput ? "stdout" : output): \(blob.size) bytes, \(blob.type), from \(track.label)")
        }
    }
}
