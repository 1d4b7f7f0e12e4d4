// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// Frames to PNG: the next COUNT frames of the track, each written as FOLDER/frame-N.png with its
// capture time. `swift run frames-to-png [FOLDER] [COUNT]`.
import Glibc
import MediaCapture

let arguments = Array(CommandLine.arguments.dropFirst())
let folder = arguments.first ?? "."
let count = arguments.count > 1 ? Int(arguments[1]) ?? 10 : 10

let devices = MediaDevices(devices: [.fake()])
let track = try await devices.getUserMedia(
    MediaStreamConstraints(video: .constraints(MediaTrackConstraints(width: .ideal(320), height: .ideal(240))))
).getVideoTracks()[0]
defer { track.stop() }

var written = 0
for await frame in track.frames() {  // a slow consumer gets the newest frame
    let png = try await frame.encode(type: "image/png")
    written += 1
    let path = "\(folder)/frame-\(written).png"
    guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    fwrite(png.bytes, 1, png.bytes.count, file)
    fclose(file)
    print("\(path): \(frame.width)x\(frame.height), \(frame.metadata)")
    if written == count { break }
}
