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
      controls [--json]            the camera's controls: capabilities and current values
      set NAME=VALUE...            set controls (applyConstraints with exact values), then show them
      demo [--out DIR]             grab a frame and take a photo into DIR (default ./out), print their paths
      selftest [--tracks N]        open and stop N tracks (default 100), then shut GStreamer down (leak checks);
                                   --leak-one keeps one stopped track alive, to prove the leak check sees it

    options:
      --device fake|/dev/videoN|recorded:CTRLS.txt[,FORMATS.txt]
                                   the camera (default: fake); recorded: a webcam reproduced from its
                                   `v4l2-ctl --list-ctrls-menus` and `--list-formats-ext` listings
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
    var json = false
    var leakOne = false
    var assignments: [String] = []

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
            case "--json": json = true
            case "--leak-one": leakOne = true
            case "-h", "--help": throw UsageError("")
            default:
                guard command == "set", flag.contains("=") else { throw UsageError("unknown option \(flag)") }
                assignments.append(flag)
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

func readText(_ path: String) -> String {
    guard let file = fopen(path, "r") else { fail("cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while case let count = fread(&buffer, 1, buffer.count, file), count > 0 {
        bytes += buffer[0..<count]
        // A listing is a few kilobytes: a device, a pipe or /dev/zero must not eat the memory.
        if bytes.count > 1 << 20 { fail("\(path) is larger than 1 MiB; give a v4l2-ctl listing") }
    }
    if ferror(file) != 0 { fail("cannot read \(path): \(String(cString: strerror(errno)))") }
    return String(decoding: bytes, as: UTF8.self)
}

func captureDevice(_ options: Options) -> CaptureDevice {
    if options.device.hasPrefix("recorded:") {
        let files = options.device.dropFirst("recorded:".count).split(separator: ",").map(String.init)
        guard let controls = files.first else { fail("recorded: needs a controls listing") }
        return .recorded(controls: readText(controls), formats: files.count > 1 ? readText(files[1]) : nil)
    }
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
    // Controls commands ask for pan/tilt/zoom too (without changing them), so they are shown.
    let controls = options.command == "controls" || options.command == "set"
    let video = MediaTrackConstraints(
        width: options.width.map { .ideal($0) }, height: options.height.map { .ideal($0) },
        pan: controls ? true : nil, tilt: controls ? true : nil, zoom: controls ? true : nil)
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

func printControls(_ track: MediaStreamTrack, json: Bool) {
    let rows = ControlTable.rows(track)
    if json {
        let members = rows.map { "  \"\($0.name)\": {\"capability\": \"\($0.capability)\", \"value\": \"\($0.value)\"}" }
        print("{\n" + members.joined(separator: ",\n") + "\n}")
        return
    }
    let width = (rows.map(\.name.count).max() ?? 0) + 2
    for row in rows {
        print(row.name + String(repeating: " ", count: width - row.name.count) + row.value + "    (" + row.capability + ")")
    }
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
    case "controls":
        let track = try await openTrack(options)
        defer { track.stop() }
        printControls(track, json: options.json)
    case "set":
        guard !options.assignments.isEmpty else { fail("set needs NAME=VALUE pairs, e.g. set exposureMode=manual exposureTime=100") }
        let constraints: MediaTrackConstraints
        do { constraints = try ControlTable.exactConstraints(options.assignments) } catch { fail(error.message, code: 2) }
        let track = try await openTrack(options)  // only once the assignments are known to be valid
        defer { track.stop() }
        try await track.applyConstraints(constraints)
        printControls(track, json: options.json)
    case "selftest":
        // Every path that holds GStreamer objects: clones, frames, photos, controls and the fake
        // camera's digital pan/tilt/zoom, a live mode change.
        let devices = MediaDevices(devices: [captureDevice(options)])
        for index in 0..<options.tracks {
            let constraints = MediaTrackConstraints(zoom: index % 2 == 0 ? true : nil)
            let stream = try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(constraints)))
            let track = stream.getVideoTracks()[0]
            let copy = track.clone()
            _ = try await ImageCapture(copy).grabFrame()
            _ = try await ImageCapture(track).takePhoto()
            if index % 10 == 0 {
                try await track.applyConstraints(MediaTrackConstraints(width: .exact(320), brightness: 3, zoom: 2))
            }
            track.stop()
            copy.stop()
        }
        if options.leakOne {
            let kept = try await openTrack(options)
            kept.stop()
            _ = Unmanaged.passRetained(kept)  // never released: its pipeline outlives gst_deinit
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
