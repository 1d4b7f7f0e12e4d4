// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import Glibc
import Logging
import MediaCapture
import Synchronization

/// `--device` and what shapes the stream: the options of every command that opens a camera.
struct CameraOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The camera: fake, /dev/videoN, a deviceId from `imagecapture devices`, pipewire:NODE, rtsp://[user:password@]host/path, recorded:CONTROLS.txt[,FORMATS.txt] or pipeline:FILE.",
            valueName: "device"))
    var device = "fake"

    @Option(help: "The fake camera's picture: smpte, ball, checkers-1, zone-plate, quadrants, or a colour 0xAARRGGBB.")
    var pattern: String?

    @Option(help: "Ideal width of the stream.")
    var width: UInt32?

    @Option(help: "Ideal height of the stream.")
    var height: UInt32?

    @Option(
        name: .customLong("frame-rate"),
        help: ArgumentHelp(
            "Ideal frame rate of the stream, in frames per second.",
            discussion: "With --width and --height, picks a webcam's 30 fps MJPEG mode over its 5 fps YUYV one."))
    var frameRate: Double?

    @Flag(help: "Log the library's decisions on stderr (the device and mode opened, refused control writes, reconnects).")
    var verbose = false

    /// Checked before anything is opened: the device string's form, the pattern, the listing files.
    mutating func validate() throws {
        ToolLogging.start(verbose: verbose)
        let spec = try DeviceSpec(device)
        if pattern != nil, spec != .fake {
            throw ValidationError("--pattern applies to the fake camera only (--device fake).")
        }
        if let pattern, Self.testPattern(pattern) == nil {
            throw ValidationError("Unknown pattern '\(pattern)': use smpte, ball, checkers-1, zone-plate, quadrants or 0xAARRGGBB.")
        }
        if width == 0 || height == 0 { throw ValidationError("--width and --height must be at least 1.") }
        if let frameRate, !(frameRate.isFinite && frameRate > 0) {
            throw ValidationError("--frame-rate must be a number of frames per second above 0, for example 30.")
        }
        _ = try captureDevice(spec)  // reads the listings or the description now, so a bad file is a usage error
    }

    /// The track, opened with the stream's ideal size; `controls` also asks for pan, tilt and zoom
    /// (without changing them) so that they are reported.
    func openTrack(controls: Bool = false) async throws -> MediaStreamTrack {
        var (devices, constraints) = try selection()
        if controls {
            constraints.pan = true
            constraints.tilt = true
            constraints.zoom = true
        }
        let stream = try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(constraints)))
        guard let track = stream.getVideoTracks().first else {
            throw DOMException(.notFoundError, "\((try? DeviceSpec(device))?.redacted ?? device) is not a camera (it has no video).")
        }
        return track
    }

    /// Where the camera comes from, and the constraints that pick and shape it.
    func selection() throws -> (MediaDevices, MediaTrackConstraints) {
        let spec = try DeviceSpec(device)
        var constraints = MediaTrackConstraints(
            width: width.map { .ideal($0) }, height: height.map { .ideal($0) }, frameRate: frameRate.map { .ideal($0) })
        if case .deviceId(let id) = spec {
            constraints.deviceId = .exact(id)
            return (MediaDevices(devices: [.fake(camera()), .fakeMicrophone()], includeSystemDevices: true), constraints)
        }
        return (MediaDevices(devices: [try captureDevice(spec)]), constraints)
    }

    func camera() -> FakeCamera { FakeCamera(pattern: pattern.flatMap(Self.testPattern) ?? .smpte) }

    private func captureDevice(_ spec: DeviceSpec) throws -> CaptureDevice {
        switch spec {
        case .fake: return .fake(camera())
        case .path(let path): return .v4l2(path: path)
        case .network(let url): return .network(url: url)
        case .pipeWire(let node): return .pipeWire(node: node)
        case .deviceId: return .fake(camera())  // resolved by enumeration when opening
        case .recorded(let controls, let formats):
            return .recorded(controls: try readListing(controls), formats: try formats.map(readListing))
        case .pipeline(let file):
            let description = try readListing(file).trimmingCharacters()
            guard !description.isEmpty else { throw ValidationError("\(file) holds no source description.") }
            return .pipeline(description, label: "Pipeline from \(file)")
        }
    }

    static func testPattern(_ name: String) -> FakeCamera.TestPattern? {
        switch name {
        case "smpte": .smpte
        case "ball": .ball
        case "checkers-1": .checkers1
        case "zone-plate": .zonePlate
        case "quadrants": .quadrants
        default:
            name.hasPrefix("0x") && name.count <= 10 ? UInt32(name.dropFirst(2), radix: 16).map { .solidColor(argb: $0) } : nil
        }
    }
}

/// The forms `--device` takes.
enum DeviceSpec: Equatable {
    case fake
    case path(String)
    case deviceId(String)
    case recorded(controls: String, formats: String?)
    case pipeline(file: String)
    case network(url: String)
    case pipeWire(node: String)

    /// The RTSP schemes `--device` takes as a network camera.
    static let networkSchemes = ["rtsp://", "rtsps://", "rtspt://", "rtsph://", "rtspu://"]

    init(_ text: String) throws {
        if Self.networkSchemes.contains(where: { text.lowercased().hasPrefix($0) }) {
            self = .network(url: text)  // checked when opened (a TypeError for a malformed URL)
        } else if text.hasPrefix("pipewire:") {
            let node = String(text.dropFirst("pipewire:".count))
            guard !node.isEmpty else { throw ValidationError("pipewire: takes a node's name or serial (see `imagecapture devices`).") }
            self = .pipeWire(node: node)
        } else if text == "fake" {
            self = .fake
        } else if text.hasPrefix("/") {
            self = .path(text)
        } else if text.hasPrefix("recorded:") {
            let files = text.dropFirst("recorded:".count).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(files.count), files.allSatisfy({ !$0.isEmpty }) else {
                throw ValidationError(
                    "recorded: takes CONTROLS.txt or CONTROLS.txt,FORMATS.txt (v4l2-ctl --list-ctrls-menus and --list-formats-ext).")
            }
            self = .recorded(controls: files[0], formats: files.count == 2 ? files[1] : nil)
        } else if text.hasPrefix("pipeline:") {
            let file = String(text.dropFirst("pipeline:".count))
            guard !file.isEmpty else { throw ValidationError("pipeline: takes a file holding a GStreamer source description.") }
            self = .pipeline(file: file)
        } else if text.count == 64, text.allSatisfy(\.isHexDigit) {
            self = .deviceId(text.lowercased())
        } else {
            throw ValidationError(
                "'\(text)' is not a device: use fake, /dev/videoN, a deviceId from `imagecapture devices`, pipewire:NODE, rtsp://host/path, recorded:CONTROLS.txt[,FORMATS.txt] or pipeline:FILE."
            )
        }
    }

    /// The device for messages: a network camera's URL without its credentials.
    var redacted: String {
        switch self {
        case .fake: "fake"
        case .path(let path): path
        case .deviceId(let id): id
        case .recorded(let controls, _): "recorded:" + controls
        case .pipeline(let file): "pipeline:" + file
        case .pipeWire(let node): "pipewire:" + node
        case .network(let url):
            if let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].prefix(while: { $0 != "/" }).lastIndex(of: "@") {
                String(url[..<scheme.upperBound] + url[url.index(after: at)...])
            } else {
                url
            }
        }
    }
}

/// A listing or a description: text of at most 1 MiB (a device, a pipe or /dev/zero must not eat the memory).
func readListing(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else {
        throw ValidationError("Cannot read \(path): \(String(cString: strerror(errno))).")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while case let count = fread(&buffer, 1, buffer.count, file), count > 0 {
        bytes += buffer[0..<count]
        if bytes.count > 1 << 20 { throw ValidationError("\(path) is larger than 1 MiB; give a v4l2-ctl listing or a source description.") }
    }
    if ferror(file) != 0 { throw ValidationError("Cannot read \(path): \(String(cString: strerror(errno))).") }
    return String(decoding: bytes, as: UTF8.self)
}

extension String {
    /// Without leading and trailing spaces and newlines.
    func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// The library's log on stderr (stdout carries images and JSON): warnings and notices, and its
/// debug decisions with `--verbose`. Set up once, before any camera is opened.
enum ToolLogging {
    private static let started = Atomic(false)

    static func start(verbose: Bool) {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
    }
}
