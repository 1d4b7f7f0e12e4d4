// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

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

    func capture(_ track: MediaStreamTrack, zeroShutterLag: Bool = false) throws -> ImageCapture {
        try ImageCapture(track, options: ImageCapture.Options(jpegQuality: quality, zeroShutterLag: zeroShutterLag))
    }
}

extension FillLightMode: @retroactive ExpressibleByArgument {}

/// `imagecapture photo`: one photo, as `ImageCapture.takePhoto()` takes it; or a burst or a bracket.
struct Photo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a photo (takePhoto) as JPEG; larger than the stream is a native high-resolution still.",
        discussion: """
            A burst (--burst N) or a bracket (--bracket NAME=V1,V2,...) writes FILE-1.jpg, FILE-2.jpg, ... \
            for -o FILE.jpg. Example: photo --bracket exposureCompensation=-2,0,2 -o hdr.jpg
            """)

    @OptionGroup var camera: CameraOptions
    @OptionGroup var photo: PhotoOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Where: FILE.jpg, or - for stdout.", valueName: "file"))
    var output: String

    @Flag(help: "Print the photo's metadata as one JSON object on stdout (captureTime, frameNumber, settings, output, size).")
    var json = false

    @Flag(help: "Zero shutter lag: the newest frame captured when the photo is asked for (once the camera runs), not the next one.")
    var zeroShutterLag = false

    @Option(help: ArgumentHelp("A burst of N photos (1 to 100) of consecutive frames (with --every: that far apart).", valueName: "n"))
    var burst: Int?

    @Option(help: ArgumentHelp("With --burst: the time between photos (500ms, 1s).", valueName: "duration"))
    var every: String?

    @Option(help: ArgumentHelp("A bracket: one photo per value of one control, e.g. exposureCompensation=-2,0,2.", valueName: "name=v1,v2,..."))
    var bracket: String?

    func validate() throws {
        _ = try ImageFormat.resolve(nil, Output(path: output), allowed: [.jpeg])
        try ImageFormat.checkJSON(json, Output(path: output))
        if let burst, !(1...100).contains(burst) { throw ValidationError("--burst must be 1 to 100, not \(burst).") }
        if let every {
            guard burst != nil else { throw ValidationError("--every goes with --burst.") }
            guard RecordStills.interval(every) != nil else { throw ValidationError("--every '\(every)' is not a duration such as 100ms or 1s.") }
        }
        if let bracket {
            guard burst == nil else { throw ValidationError("Give --burst or --bracket, not both.") }
            do { _ = try ControlTable.bracketSets(bracket) } catch { throw ValidationError(error.message) }
        }
        if zeroShutterLag, burst != nil || bracket != nil {
            throw ValidationError("--zero-shutter-lag is for a single photo; bursts and brackets take frames after the call.")
        }
        if burst != nil || bracket != nil, Output(path: output).isStandardOutput {
            throw ValidationError("A burst or a bracket writes several files: give -o FILE.jpg (they become FILE-1.jpg, ...).")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let track = try await camera.openTrack(controls: bracket != nil)
            defer { track.stop() }
            let capture = try photo.capture(track, zeroShutterLag: zeroShutterLag)
            let photos: [Blob]
            if let burst {
                photos = try await capture.takePhotoBurst(count: burst, interval: every.flatMap(RecordStills.interval), photo.settings)
            } else if let bracket {
                photos = try await capture.takePhotoBracket(try ControlTable.bracketSets(bracket), photo.settings)
            } else {
                if zeroShutterLag {
                    // Two frames after the capture began (the first grab is the frame the track held
                    // already): the first of them reached the photo branch before the second came.
                    let viewfinder = try ImageCapture(track)
                    for _ in 0..<3 { _ = try await viewfinder.grabFrame() }
                }
                photos = [try await capture.takePhoto(photo.settings)]
            }
            for (index, blob) in photos.enumerated() {
                let path = photos.count > 1 || burst != nil || bracket != nil ? Self.numbered(output, index + 1) : output
                let target = Output(path: path)
                try target.write(blob.bytes)
                if json {
                    let size = CaptureReport.jpegSize(blob.bytes)
                    CaptureReport(
                        output: path, format: .jpeg, width: size?.width, height: size?.height, byteCount: blob.size,
                        timestamp: nil, metadata: blob.metadata
                    ).print()
                }
                status("\(target.isStandardOutput ? "stdout" : path): \(blob.size) bytes, \(blob.type), from \(track.label)")
            }
        }
    }

    /// `photo.jpg` → `photo-2.jpg`; `photo` → `photo-2`.
    static func numbered(_ path: String, _ number: Int) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        guard let dot = path[slash...].lastIndex(of: "."), dot > slash else { return "\(path)-\(number)" }
        return "\(path[..<dot])-\(number)\(path[dot...])"
    }
}
