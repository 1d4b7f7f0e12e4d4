// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import Glibc
import MediaCapture

/// `imagecapture demo`: a frame and a full-size photo into a folder.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grab a frame and take a photo in the camera's largest mode into a folder, and print their paths.")

    @OptionGroup var camera: CameraOptions

    @Option(name: [.short, .customLong("output"), .customLong("out")], help: ArgumentHelp("The folder (made if missing).", valueName: "dir"))
    var output = "out"

    func run() async throws {
        if mkdir(output, 0o755) != 0 && errno != EEXIST {
            status("imagecapture: cannot make \(output): \(String(cString: strerror(errno)))")
            throw ExitStatus.output
        }
        try await reportingErrors {
            let track = try await camera.openTrack()
            defer { track.stop() }
            let settings = track.getSettings()
            print("Opened \(track.label): \(settings.width ?? 0)x\(settings.height ?? 0) at \((settings.frameRate ?? 0).formatted) fps")
            let capture = try ImageCapture(track)
            let frame = try await capture.grabFrame()
            let framePath = output + "/frame.png"
            try Output(path: framePath).write(try await frame.encode(type: "image/png").bytes)
            print("Frame: \(framePath) (\(frame.width)x\(frame.height) PNG, from grabFrame)")
            // The largest photo the camera's modes allow: a native capture when it is larger than the stream.
            let capabilities = try await capture.getPhotoCapabilities()
            let width = capabilities.imageWidth?.max, height = capabilities.imageHeight?.max
            let photo = try await capture.takePhoto(PhotoSettings(imageHeight: height, imageWidth: width))
            let photoPath = output + "/photo.jpg"
            try Output(path: photoPath).write(photo.bytes)
            let size = width.flatMap { w in height.map { "\(w.formatted)x\($0.formatted) " } } ?? ""
            print("Photo: \(photoPath) (\(size)JPEG, \(photo.size) bytes, from takePhoto in the camera's largest mode)")
        }
    }
}
