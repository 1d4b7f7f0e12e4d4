// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// A photo booth: a live preview (here, the mean brightness of each frame) and a photo each time
// Return is pressed; Ctrl-D ends. `swift run photo-booth [FOLDER]`.
import Glibc
import MediaCapture

let folder = CommandLine.arguments.dropFirst().first ?? "."
let devices = MediaDevices(devices: [.fake()])  // MediaDevices.shared: the machine's cameras
let track = try await devices.getUserMedia(MediaStreamConstraints(video: true)).getVideoTracks()[0]
defer { track.stop() }
// Zero shutter lag: the photo is the frame on screen when the key was pressed.
let capture = try ImageCapture(track, options: .init(zeroShutterLag: true))

let preview = Task {
    var count = 0
    for await frame in track.frames() {
        count += 1
        guard count % 30 == 0 else { continue }  // once a second at 30 fps
        let brightness = try frame.withUnsafeBytes { pixels in
            stride(from: 0, to: pixels.count, by: 4 * 97).reduce(0) { $0 + Int(pixels[$1]) } * 4 * 97 / max(1, pixels.count)
        }
        print("preview: frame \(frame.metadata.frameNumber ?? 0), brightness \(brightness)")
    }
}
var taken = 0
while readLine() != nil {  // Return: a photo
    let photo = try await capture.takePhoto()
    taken += 1
    let path = "\(folder)/booth-\(taken).jpg"
    guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    fwrite(photo.bytes, 1, photo.bytes.count, file)
    fclose(file)
    print("photo \(taken): \(path), \(photo.size) bytes, \(photo.metadata?.photoOrigin?.rawValue ?? "")")
}
preview.cancel()
