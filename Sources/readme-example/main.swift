import MediaCapture

let devices = MediaDevices(devices: [.fake()])            // or MediaDevices.shared for the machine's cameras
let stream = try await devices.getUserMedia(
    MediaStreamConstraints(video: .constraints(MediaTrackConstraints(width: .ideal(1280), height: .ideal(720)))))
let track = stream.getVideoTracks()[0]
defer { track.stop() }                                     // releases the camera at once
print(track.getSettings().width!, track.getSettings().height!)   // 1280 720

let capture = try ImageCapture(track)
let frame = try await capture.grabFrame()                  // RGBA, held without a copy
let pixels = try frame.rgbaBytes()                         // one tightly packed copy (or frame.withUnsafeBytes)
print(frame.width, frame.height, pixels.count)             // 1280 720 3686400

let photo = try await capture.takePhoto(PhotoSettings(imageHeight: 2448, imageWidth: 3264))
print(photo.type, photo.size)                              // image/jpeg and its size in bytes
// A native capture in the camera's 3264x2448 mode, not an upscale: the track stayed live and
// unmuted, and its frames stayed 1280x720 throughout.

for await frame in track.frames() {                       // every frame from now on, stale ones dropped
    print(frame.width)                                     // 1280
    break
}
