// imagecapture: grab frames and take photos from a camera (or the built-in fake camera) from the shell.
import Glibc
import MediaCapture

let usage = """
    usage: imagecapture COMMAND [options]

    commands:
      devices                      list cameras (the fake camera, and the machine's V4L2 cameras)
      grab -o FILE.png             grab one frame (PNG)
      photo -o FILE.jpg [--photo-width W] [--photo-height H]
                                   take a photo (JPEG); larger than the stream = a native high-resolution still
      capabilities                 the photo capabilities (JSON)
      settings                     the photo settings (JSON)
      demo [--out DIR]             grab a frame and take a photo into DIR (default ./out), print their paths
      selftest [--tracks N]        open and stop N tracks (default 100), then shut GStreamer down (leak checks)

    options:
      --device fake|/dev/videoN    the camera (default: fake)
      --pattern NAME               fake camera picture: smpte, ball, checkers-1, zone-plate, quadrants,
                                   or a colour 0xAARRGGBB
      --width W --height H         ideal size of the stream (default 640x480)
    """

struct Options {
    var command = ""
    var output: String?
    var device = "fake"
    var pattern = "smpte"
    var width: UInt32?
    var height: UInt32?
    var tracks = 100
    var photoWidth: Double?
    var photoHeight: Double?

    init(_ arguments: [String]) throws(UsageError) {
        var rest = arguments[...]
        guard let command = rest.popFirst() else { throw UsageError("no command") }
        self.command = command
        func value(_ flag: String) throws(UsageError) -> String {
            guard let value = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return value
        }
        func number(_ flag: String) throws(UsageError) -> UInt32 {
            guard let parsed = UInt32(try value(flag)) else { throw UsageError("\(flag) needs a whole number") }
            return parsed
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "-o", "--out", "--output": output = try value(flag)
            case "--device": device = try value(flag)
            case "--pattern": pattern = try value(flag)
            case "--width": width = try number(flag)
            case "--height": height = try number(flag)
            case "--tracks": tracks = Int(try number(flag))
            case "--photo-width": photoWidth = Double(try number(flag))
            case "--photo-height": photoHeight = Double(try number(flag))
            case "-h", "--help": throw UsageError("")
            default: throw UsageError("unknown option \(flag)")
            }
        }
    }
}

struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

func fail(_ message: String, code: Int32 = 1) -> Never {
    let text = "imagecapture: \(message)\n"
    _ = text.withCString { Glibc.write(2, $0, strlen($0)) }  // stderr, without the C global Swift 6 rejects
    exit(code)
}

func testPattern(_ name: String) -> FakeCamera.TestPattern? {
    switch name {
    case "smpte": .smpte
    case "ball": .ball
    case "checkers-1": .checkers1
    case "zone-plate": .zonePlate
    case "quadrants": .quadrants
    default:
        name.hasPrefix("0x") ? UInt32(name.dropFirst(2), radix: 16).map { .solidColor(argb: $0) } : nil
    }
}

func captureDevice(_ options: Options) -> CaptureDevice {
    if options.device == "fake" {
        guard let pattern = testPattern(options.pattern) else { fail("unknown pattern \(options.pattern)") }
        return .fake(FakeCamera(pattern: pattern))
    }
    return .v4l2(path: options.device)
}

func write(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb") else { fail("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { fail("cannot write \(path)") }
}

func openTrack(_ options: Options) async throws(DOMException) -> MediaStreamTrack {
    let devices = MediaDevices(devices: [captureDevice(options)])
    let video = MediaTrackConstraints(
        width: options.width.map { .ideal($0) }, height: options.height.map { .ideal($0) })
    let stream = try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(video)))
    return stream.getVideoTracks()[0]
}

func json(_ range: MediaSettingsRange?) -> String {
    guard let range else { return "null" }
    return "{\"min\": \(range.min.map { "\($0)" } ?? "null"), \"max\": \(range.max.map { "\($0)" } ?? "null"), \"step\": \(range.step.map { "\($0)" } ?? "null")}"
}

func json(_ capabilities: PhotoCapabilities) -> String {
    let lights = (capabilities.fillLightMode ?? []).map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
    return """
        {"redEyeReduction": \(capabilities.redEyeReduction.map { "\"\($0.rawValue)\"" } ?? "null"), \
        "imageHeight": \(json(capabilities.imageHeight)), "imageWidth": \(json(capabilities.imageWidth)), \
        "fillLightMode": [\(lights)]}
        """
}

func json(_ settings: PhotoSettings) -> String {
    """
    {"fillLightMode": \(settings.fillLightMode.map { "\"\($0.rawValue)\"" } ?? "null"), \
    "imageHeight": \(settings.imageHeight.map { "\($0)" } ?? "null"), \
    "imageWidth": \(settings.imageWidth.map { "\($0)" } ?? "null"), \
    "redEyeReduction": \(settings.redEyeReduction.map { "\($0)" } ?? "null")}
    """
}

func run(_ options: Options) async throws(DOMException) {
    switch options.command {
    case "devices":
        let devices = MediaDevices(devices: [.fake(), .fakeMicrophone()], includeSystemDevices: true)
        for device in try await devices.enumerateDevices() {
            let capabilities = device.getCapabilities()
            var line = "\(device.kind.rawValue)\t\(device.label)\t\(device.deviceId.prefix(16))"
            if let width = capabilities.width, let height = capabilities.height {
                line += "\t\(width.min ?? 0)x\(height.min ?? 0) .. \(width.max ?? 0)x\(height.max ?? 0)"
            }
            print(line)
        }
    case "grab":
        guard let output = options.output else { fail("grab needs -o FILE.png") }
        let track = try await openTrack(options)
        defer { track.stop() }
        let frame = try await ImageCapture(track).grabFrame()
        write(try await frame.encode(type: "image/png").bytes, to: output)
        print("\(output): \(frame.width)x\(frame.height) frame from \(track.label)")
    case "photo":
        guard let output = options.output else { fail("photo needs -o FILE.jpg") }
        let track = try await openTrack(options)
        defer { track.stop() }
        let photo = try await ImageCapture(track).takePhoto(
            PhotoSettings(imageHeight: options.photoHeight, imageWidth: options.photoWidth))
        write(photo.bytes, to: output)
        print("\(output): \(photo.size) bytes, \(photo.type), from \(track.label)")
    case "capabilities", "settings":
        let track = try await openTrack(options)
        defer { track.stop() }
        let capture = try ImageCapture(track)
        print(options.command == "capabilities"
            ? json(try await capture.getPhotoCapabilities()) : json(try await capture.getPhotoSettings()))
    case "demo":
        let directory = options.output ?? "out"
        mkdir(directory, 0o755)
        let track = try await openTrack(options)
        defer { track.stop() }
        let settings = track.getSettings()
        print("Opened \(track.label): \(settings.width ?? 0)x\(settings.height ?? 0) at \(Int(settings.frameRate ?? 0)) fps")
        let capture = try ImageCapture(track)
        let frame = try await capture.grabFrame()
        let framePath = directory + "/frame.png"
        write(try await frame.encode(type: "image/png").bytes, to: framePath)
        print("Frame: \(framePath) (\(frame.width)x\(frame.height) PNG, from grabFrame)")
        let photo = try await capture.takePhoto(PhotoSettings(imageHeight: 2448, imageWidth: 3264))
        let photoPath = directory + "/photo.jpg"
        write(photo.bytes, to: photoPath)
        print("Photo: \(photoPath) (3264x2448 JPEG, \(photo.size) bytes, from takePhoto: a native capture in the camera's largest mode)")
    case "selftest":
        for _ in 0..<options.tracks {
            let track = try await openTrack(options)
            let copy = track.clone()
            _ = try await ImageCapture(copy).grabFrame()
            _ = try await ImageCapture(track).takePhoto()
            track.stop()
            copy.stop()
        }
        await MediaDevices.shutdown()
        print("selftest: opened and stopped \(options.tracks) tracks (and as many clones)")
    default:
        fail("unknown command \(options.command)\n\(usage)", code: 2)
    }
}

let options: Options
do {
    options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail(error.message.isEmpty ? usage : "\(error.message)\n\(usage)", code: 2)
}
do {
    try await run(options)
} catch {
    fail("\(error)")
}
