// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// A timelapse: COUNT photos, one every INTERVAL seconds, into FOLDER, each named by its capture time.
// `swift run timelapse FOLDER COUNT INTERVAL`.
import Glibc
import MediaCapture

let arguments = Array(CommandLine.arguments.dropFirst())
let folder = arguments.first ?? "."
let count = arguments.count > 1 ? Int(arguments[1]) ?? 5 : 5
let interval = arguments.count > 2 ? Double(arguments[2]) ?? 1 : 1

let devices = MediaDevices(devices: [.fake()])
let track = try await devices.getUserMedia(MediaStreamConstraints(video: true)).getVideoTracks()[0]
defer { track.stop() }
let capture = try ImageCapture(track)
// One burst spaced by the interval: each photo is of the first frame at or after its instant.
let photos = try await capture.takePhotoBurst(count: count, interval: .milliseconds(Int(interval * 1000)))
for (index, photo) in photos.enumerated() {
    let path = "\(folder)/timelapse-\(index + 1).jpg"
    guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    fwrite(photo.bytes, 1, photo.bytes.count, file)
    fclose(file)
    print("\(path): frame \(photo.metadata?.frameNumber ?? 0), \(photo.size) bytes")
}
