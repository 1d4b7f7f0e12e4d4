// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import GStreamerWrapper
@testable import MediaCapture
import TestSupport
import Testing

/// The `imagecapture` binary, run as a user runs it: its files, its JSON, its exit codes.
@Suite("The imagecapture tool", .timeLimit(.minutes(3)))
struct ToolTests {
    /// The tool is a package of its own (Tools/), built before the suite by scripts/test.sh
    /// (`swift build --package-path Tools`); `IMAGECAPTURE_TOOL` names another build of it (the
    /// sanitizer scripts' own).
    static let tool: String =
        getenv("IMAGECAPTURE_TOOL").map { String(cString: $0) } ?? repositoryRoot + "/Tools/.build/debug/imagecapture"
    static let fixtures = repositoryRoot + "/Tests/Fixtures/v4l2-devices"

    static func run(_ arguments: String..., seconds: Double = 60) async throws -> ProcessResult {
        try await runProcess(tool, arguments, seconds: seconds)
    }

    static func temporary(_ name: String) -> String { "/tmp/imagecapture-test-\(Identifiers.random())-\(name)" }

    @Test("The tool is built where the suite runs it")
    func built() {
        #expect(access(Self.tool, X_OK) == 0, "no tool at \(Self.tool): build it with `swift build --package-path Tools`")
    }

    @Test(
        "Help is on stdout with exit 0, for the tool and each command, however asked",
        arguments: [
            ["--help"], ["-h"], ["help"], ["help", "grab"], ["grab", "--help"], ["record-stills", "-h"], ["set", "--help"],
        ])
    func help(_ arguments: [String]) async throws {
        let result = try await runProcess(Self.tool, arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("USAGE: imagecapture"))
        if arguments == ["--help"] { #expect(result.stdoutText.contains("74 an output that could not be written")) }
    }

    @Test(
        "Usage errors exit 64 before any camera is opened",
        arguments: [
            ["frobnicate"], ["set", "="], ["set", "torch=yes"], ["set", "=1"], ["set", "brightness="], ["set"],
            ["grab", "-o", "x.gif"], ["grab", "-o", "x.png", "--format", "jpeg"], ["grab"], ["grab", "-o", "x.png", "--quality", "50"],
            ["photo", "-o", "x.png"], ["photo", "-o", "p.jpg", "--quality", "0"], ["photo", "-o", "p.jpg", "--photo-width", "nan"],
            ["photo", "-o", "p.jpg", "--device", "/dev/video0", "--pattern", "ball"], ["grab", "-o", "x.png", "--device", "camera"],
            ["grab", "-o", "x.png", "--device", "recorded:/nonexistent.txt"], ["grab", "-o", "x.png", "--device", "recorded:/dev/zero"],
            ["record-stills", "-o", "dir", "--every", "soon"], ["controls", "--json", "--photo-width", "3"], ["devices", "--device", "fake"],
            ["grab", "-o", "x.jpg", "--quality", "1.5"], ["grab", "-o", "x.jpg", "--quality", "nan"], ["grab", "-o", "x.jpg", "--quality", "-0.1"],
            ["grab", "-o", "x.rgba", "--quality", "0.5"], ["grab", "-o", "-", "--json"], ["photo", "-o", "-", "--json"],
            ["photo", "-o", "p.jpg", "--burst", "0"], ["photo", "-o", "p.jpg", "--burst", "101"], ["photo", "-o", "p.jpg", "--every", "1s"],
            ["photo", "-o", "p.jpg", "--burst", "2", "--every", "soon"], ["photo", "-o", "-", "--burst", "2"],
            ["photo", "-o", "p.jpg", "--bracket", "exposureCompensation"], ["photo", "-o", "p.jpg", "--bracket", "width=1,2"],
            ["photo", "-o", "p.jpg", "--bracket", "exposureCompensation=1,x"], ["photo", "-o", "p.jpg", "--burst", "2", "--bracket", "iso=100"],
            ["photo", "-o", "p.jpg", "--zero-shutter-lag", "--burst", "2"], ["grab", "-o", "x.png", "--frame-rate", "0"],
            ["grab", "-o", "x.png", "--frame-rate", "nan"], ["photo", "-o", "p.jpg", "--frame-rate", "inf"],
            ["controls", "--frame-rate", "-30"],
        ])
    func usageErrors(_ arguments: [String]) async throws {
        let result = try await runProcess(Self.tool, arguments, seconds: 20)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Error:"))
    }

    @Test("grab: a PNG of the stream's size and the camera's colour; -o - writes only the image to stdout")
    func grab() async throws {
        let path = Self.temporary("frame.png")
        defer { unlink(path) }
        let result = try await Self.run("grab", "-o", path, "--pattern", "0xff00ff00", "--width", "320", "--height", "240")
        #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stderr)")
        #expect(result.stderr.contains("320x240 png frame from Fake Camera"))
        let image = try await decodeImage(try #require(readBytes(path)))
        #expect(image.width == 320 && image.height == 240)
        #expect(image.pixel(160, 120).isClose(to: [0, 255, 0, 255]), "\(image.pixel(160, 120))")

        let piped = try await Self.run("grab", "-o", "-", "--pattern", "0xff0000ff")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(piped.stdout.suffix(8) == [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])  // IEND: nothing after the image
        #expect(try await decodeImage(piped.stdout).pixel(10, 10).isClose(to: [0, 0, 255, 255]))
        #expect(piped.stderr.contains("stdout: 640x480 png frame"))

        let raw = try await Self.run("grab", "-o", "-", "--format", "rgba", "--pattern", "0xffff0000")
        #expect(raw.status == 0 && raw.stdout.count == 640 * 480 * 4)
        #expect(Array(raw.stdout.prefix(4)).isClose(to: [255, 0, 0, 255]), "\(raw.stdout.prefix(4))")
    }

    @Test(
        "An output that cannot be written exits 74 with the reason, for each command that writes",
        arguments: [
            ["grab", "-o", "/dev/full"], ["photo", "-o", "/dev/full"], ["grab", "-o", "/nonexistent-dir/x.png"],
        ])
    func unwritableOutput(_ arguments: [String]) async throws {
        let result = try await runProcess(Self.tool, arguments)
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("No space left on device") || result.stderr.contains("No such file or directory"))
    }

    @Test("--frame-rate picks the mode: a C920's 1080p at 30 fps (MJPEG) or at 5 fps (YUYV)", arguments: [5.0, 30.0])
    func frameRate(_ rate: Double) async throws {
        let device = "recorded:\(Self.fixtures)/logitech-c920.ctrls.txt,\(Self.fixtures)/logitech-c920.formats.txt"
        let result = try await Self.run(
            "controls", "--json", "--width", "1920", "--height", "1080", "--frame-rate", rate.formatted, "--device", device)
        #expect(result.status == 0, "\(result.stderr)")
        let settings = try MediaCaptureJSON.decode(JSONValue.self, from: result.stdout)["settings"]
        #expect(settings?["width"] == .number(1920) && settings?["height"] == .number(1080), "\(result.stdoutText)")
        #expect(settings?["frameRate"] == .number(rate), "\(result.stdoutText)")
    }

    @Test("photo: a JPEG of the asked size that decodes; -o - writes only the JPEG")
    func photo() async throws {
        let path = Self.temporary("photo.jpg")
        defer { unlink(path) }
        let result = try await Self.run("photo", "-o", path, "--photo-width", "320", "--quality", "80")
        #expect(result.status == 0, "\(result.stderr)")
        let image = try await decodeImage(try #require(readBytes(path)))
        #expect(image.width == 320 && image.height == 240)
        let piped = try await Self.run("photo", "-o", "-", "--fill-light", "flash")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.prefix(2) == [0xFF, 0xD8] && piped.stdout.suffix(2) == [0xFF, 0xD9])
        #expect(try await decodeImage(piped.stdout).width == 640)
    }

    @Test("grab --quality: toBlob's 0...1 decides the JPEG's size; grab and photo --json: one line of the image's metadata on stdout")
    func qualityAndMetadata() async throws {
        let low = Self.temporary("low.jpg"), high = Self.temporary("high.jpg"), photo = Self.temporary("photo.jpg")
        defer { unlink(low); unlink(high); unlink(photo) }
        let called = Self.unixNow()
        let result = try await Self.run("grab", "-o", low, "--quality", "0.1", "--json", "--pattern", "checkers-1")
        let returned = Self.unixNow()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.split(separator: "\n").count == 1 && result.stdoutText.hasSuffix("}\n"), "\(result.stdoutText)")
        let small = try #require(readBytes(low))
        let frame = try MediaCaptureJSON.decode(JSONValue.self, from: result.stdout)
        #expect(frame["output"] == .string(low) && frame["format"] == .string("jpeg"))
        #expect(frame["width"] == .number(640) && frame["height"] == .number(480) && frame["byteCount"] == .number(Double(small.count)))
        #expect(frame["settings"]?["width"] == .number(640) && frame["settings"]?["exposureMode"] == .string("manual"))
        guard case .number(let timestamp)? = frame["timestamp"], case .number? = frame["frameNumber"],
            case .string(let time)? = frame["captureTime"]
        else {
            Issue.record("timestamp, frameNumber or captureTime missing: \(result.stdoutText)")
            return
        }
        #expect(timestamp >= 0)
        // A frame of the camera the tool opened: captured after the call, before the tool returned.
        let captured = try #require(Self.unixTime(iso: time), "\(time)")
        #expect(captured > called - 0.01 && captured < returned, "captured \(captured), called \(called), returned \(returned)")

        let best = try await Self.run("grab", "-o", high, "--quality", "1", "--pattern", "checkers-1")
        #expect(best.status == 0 && best.stdout.isEmpty, "\(best.stderr)")
        let large = try #require(readBytes(high))
        #expect(large.count > 2 * small.count, "quality 1: \(large.count) bytes, 0.1: \(small.count)")
        #expect(try await decodeImage(small).width == 640)
        #expect(try await decodeImage(large).width == 640)

        let taken = try await Self.run("photo", "-o", photo, "--photo-width", "320", "--json")
        #expect(taken.status == 0, "\(taken.stderr)")
        let report = try MediaCaptureJSON.decode(JSONValue.self, from: taken.stdout)
        let jpeg = try #require(readBytes(photo))
        #expect(report["width"] == .number(320) && report["height"] == .number(240) && report["byteCount"] == .number(Double(jpeg.count)))
        #expect(report["output"] == .string(photo) && report["format"] == .string("jpeg") && report["timestamp"] == nil)
        #expect(report["settings"]?["width"] == .number(640), "the track's settings in force, not the photo's size")
        if case .string(let photoTime)? = report["captureTime"], let at = Self.unixTime(iso: photoTime) {
            #expect(at < Self.unixNow())
        } else {
            Issue.record("no captureTime: \(taken.stdoutText)")
        }
        if case .number? = report["frameNumber"] {} else { Issue.record("no frameNumber: \(taken.stdoutText)") }
        #expect(report["photoOrigin"] == .string("nextFrame"))
    }

    @Test("--verbose shows the library's debug log on stderr (the mode opened); without it, none; stdout stays the image's")
    func verbose() async throws {
        let loud = try await Self.run("grab", "-o", "-", "--verbose", "--format", "png")
        #expect(loud.status == 0 && loud.stdout.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(loud.stderr)")
        #expect(loud.stderr.contains("debug media-capture: [MediaCapture] Opened Fake Camera in 640x480"))
        let quiet = try await Self.run("grab", "-o", "-", "--format", "png")
        #expect(quiet.status == 0 && !quiet.stderr.contains("media-capture:"))
    }

    @Test("photo --zero-shutter-lag, --burst N [--every], --bracket NAME=V1,V2: numbered files and one JSON line each")
    func seriesOfPhotos() async throws {
        let base = Self.temporary("series.jpg")
        let numbered = { (number: Int) in String(base.dropLast(4)) + "-\(number).jpg" }
        defer { for number in 0...3 { unlink(numbered(number)) }; unlink(base) }

        let lagless = try await Self.run("photo", "-o", base, "--zero-shutter-lag", "--json")
        #expect(lagless.status == 0, "\(lagless.stderr)")
        #expect(try MediaCaptureJSON.decode(JSONValue.self, from: lagless.stdout)["photoOrigin"] == .string("heldFrame"), "\(lagless.stdoutText)")

        let burst = try await Self.run("photo", "-o", base, "--burst", "3", "--json", "--photo-width", "320")
        #expect(burst.status == 0, "\(burst.stderr)")
        let lines = burst.stdoutText.split(separator: "\n").map { try? MediaCaptureJSON.decode(JSONValue.self, from: Array($0.utf8)) }
        #expect(lines.count == 3 && lines.map { $0?["output"] } == (1...3).map { .string(numbered($0)) }, "\(burst.stdoutText)")
        let numbers = lines.compactMap { line -> Double? in if case .number(let n)? = line?["frameNumber"] { n } else { nil } }
        #expect(numbers.count == 3 && numbers[1] == numbers[0] + 1 && numbers[2] == numbers[1] + 1, "consecutive frames: \(numbers)")
        for number in 1...3 { #expect(try await decodeImage(try #require(readBytes(numbered(number)))).width == 320) }

        let bracket = try await Self.run("photo", "-o", base, "--bracket", "exposureCompensation=-2,0,2", "--json")
        #expect(bracket.status == 0, "\(bracket.stderr)")
        let biases = bracket.stdoutText.split(separator: "\n").map {
            (try? MediaCaptureJSON.decode(JSONValue.self, from: Array($0.utf8)))?["settings"]?["exposureCompensation"]
        }
        #expect(biases == [.number(-2), .number(0), .number(2)], "\(bracket.stdoutText)")
        let refused = try await Self.run("photo", "-o", base, "--bracket", "exposureCompensation=0,900")
        #expect(refused.status != 0 && refused.stderr.contains("OverconstrainedError"), "\(refused.stderr)")
    }

    static func unixNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// "2026-12-07T13:35:01.123Z" as Unix seconds; nil in another form.
    static func unixTime(iso text: String) -> Double? {
        let parts = text.split(whereSeparator: { "-T:.Z".contains($0) }).compactMap { Int($0) }
        guard parts.count == 7, text.count == 24, text.hasSuffix("Z") else { return nil }
        var utc = tm()
        utc.tm_year = Int32(parts[0] - 1900)
        utc.tm_mon = Int32(parts[1] - 1)
        utc.tm_mday = Int32(parts[2])
        utc.tm_hour = Int32(parts[3])
        utc.tm_min = Int32(parts[4])
        utc.tm_sec = Int32(parts[5])
        return Double(timegm(&utc)) + Double(parts[6]) / 1000
    }

    @Test("capabilities, settings, controls and set --json: the W3C dictionaries, numbers as numbers")
    func json() async throws {
        let capabilities = try await Self.run("capabilities", "--json")
        #expect(capabilities.status == 0)
        let parsed = try MediaCaptureJSON.decode(JSONValue.self, from: capabilities.stdout)
        #expect(parsed["imageWidth"] == .object(["min": .number(320), "max": .number(3264), "step": .number(3)]))
        #expect(parsed["fillLightMode"] == .array([.string("auto"), .string("flash")]))
        #expect(try MediaCaptureJSON.decode(PhotoCapabilities.self, from: capabilities.stdout).imageHeight?.max == 2448)

        let settings = try await Self.run("settings", "--json")
        #expect(
            try MediaCaptureJSON.decode(PhotoSettings.self, from: settings.stdout)
                == PhotoSettings(fillLightMode: .auto, imageHeight: 480, imageWidth: 640, redEyeReduction: false))

        let device = "recorded:\(Self.fixtures)/logitech-c920.ctrls.txt"
        let controls = try await Self.run("controls", "--json", "--device", device)
        #expect(controls.status == 0, "\(controls.stderr)")
        let table = try MediaCaptureJSON.decode(JSONValue.self, from: controls.stdout)
        #expect(table["capabilities"]?["exposureTime"] == .object(["min": .number(3), "max": .number(2047), "step": .number(1)]))
        #expect(table["settings"]?["exposureMode"] == .string("continuous"))
        if case .number = table["settings"]?["brightness"] {} else { Issue.record("brightness is not a number: \(controls.stdoutText)") }

        let set = try await Self.run("set", "exposureMode=manual", "exposureTime=100", "--json", "--device", device)
        #expect(set.status == 0, "\(set.stderr)")
        let after = try MediaCaptureJSON.decode(JSONValue.self, from: set.stdout)
        #expect(after["settings"]?["exposureTime"] == .number(100) && after["settings"]?["exposureMode"] == .string("manual"))
    }

    @Test("A refusal exits 1 with the W3C name, the message and a hint on stderr")
    func refusals() async throws {
        let missing = try await Self.run("grab", "-o", Self.temporary("x.png"), "--device", "/dev/video99")
        #expect(missing.status == 1 && missing.stderr.contains("NotFoundError") && missing.stderr.contains("imagecapture devices"))
        let blocked = try await Self.run("set", "exposureTime=100", "--device", "recorded:\(Self.fixtures)/logitech-c920.ctrls.txt")
        #expect(blocked.status == 1 && blocked.stderr.contains("OverconstrainedError") && blocked.stderr.contains("exposureMode"))
        let outOfRange = try await Self.run("set", "brightness=200")
        #expect(outOfRange.status == 1 && outOfRange.stderr.contains("asked 200, the camera takes 1 ... 10 step 1"), "\(outOfRange.stderr)")
        let empty = try await Self.run("controls", "--device", "recorded:/dev/null")
        #expect(empty.status == 1 && empty.stderr.contains("NotSupportedError"))
        let large = try await Self.run("photo", "-o", Self.temporary("x.jpg"), "--photo-width", "99999")
        #expect(large.status == 1 && large.stderr.contains("NotSupportedError") && large.stderr.contains("320...3264"))
    }

    @Test("devices: each camera's real modes and a deviceId that --device takes")
    func devices() async throws {
        let text = try await Self.run("devices")
        #expect(text.status == 0 && text.stdoutText.contains("3264x2448 at 30, 15 fps") && !text.stdoutText.contains("1x1"))
        let listed = try await Self.run("devices", "--json")
        let parsed = try MediaCaptureJSON.decode(JSONValue.self, from: listed.stdout)
        guard case .array(let devices) = parsed, let camera = devices.first(where: { $0["kind"] == .string("videoinput") }),
            case .string(let id) = camera["deviceId"]
        else {
            Issue.record("no camera in \(listed.stdoutText)")
            return
        }
        let largest: JSONValue? = if case .array(let modes)? = camera["modes"] { modes.first } else { nil }
        let expected: JSONValue = .object(["width": .number(3264), "height": .number(2448), "frameRates": .array([.number(30), .number(15)])])
        #expect(largest == expected)
        let path = Self.temporary("by-id.png")
        defer { unlink(path) }
        let grabbed = try await Self.run("grab", "-o", path, "--device", id)
        #expect(grabbed.status == 0 && grabbed.stderr.contains("from Fake Camera"), "\(grabbed.stderr)")
    }

    @Test("record-stills: photos named by capture time, a line each on a pipe; Ctrl-C stops and keeps them")
    func recordStills() async throws {
        let folder = Self.temporary("stills")
        defer { for name in listDirectory(folder) { unlink(folder + "/" + name) }; rmdir(folder) }
        let result = try await Self.run("record-stills", "--every", "100ms", "--count", "3", "-o", folder)
        #expect(result.status == 0, "\(result.stderr)")
        let names = listDirectory(folder)
        #expect(names.count == 3 && names.allSatisfy { $0.hasPrefix("still-20") && $0.hasSuffix(".jpg") }, "\(names)")
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("/3 ") }.count == 3)
        _ = try await decodeImage(try #require(readBytes(folder + "/" + names[0])))

        let interrupted = Self.temporary("interrupted")
        defer { for name in listDirectory(interrupted) { unlink(interrupted + "/" + name) }; rmdir(interrupted) }
        let stopped = try await runProcess(Self.tool, ["record-stills", "--every", "200ms", "-o", interrupted]) { pid in
            for _ in 0..<200 where listDirectory(interrupted).count < 2 { try? await Task.sleep(for: .milliseconds(50)) }
            kill(pid, SIGINT)
        }
        #expect(stopped.status == 0 && stopped.stderr.contains("stopped by Ctrl-C"), "\(stopped.stderr)")
        #expect(listDirectory(interrupted).count >= 2)
    }

    @Test("record: a WebM and an MP4 of the asked duration that GStreamer decodes; SIGTERM finishes the file; usage errors")
    func record() async throws {
        let webm = Self.temporary("clip.webm"), mp4 = Self.temporary("clip.mp4"), stopped = Self.temporary("stopped.mkv")
        defer { unlink(webm); unlink(mp4); unlink(stopped) }
        for (path, size) in [(webm, (640, 480)), (mp4, (1280, 720))] {
            let result = try await Self.run("record", "-o", path, "--duration", "1s", "--width", "\(size.0)", "--height", "\(size.1)")
            #expect(result.status == 0 && result.stderr.contains("Recorded 1.0 s to \(path)"), "\(result.stderr)")
            let decoded = try await MediaRecorderTests.decode(try #require(readBytes(path)))
            #expect(decoded.failure == nil && decoded.width == size.0 && decoded.height == size.1, "\(path): \(decoded.failure ?? "")")
            #expect(abs(decoded.duration - 1) <= 0.1 && abs(decoded.frames - 30) <= 2, "\(path): \(decoded.frames) frames, \(decoded.duration) s")
        }
        // Until a signal: SIGTERM finishes the file, which plays.
        let terminated = try await runProcess(Self.tool, ["record", "-o", stopped]) { pid in
            for _ in 0..<200 where access(stopped, F_OK) != 0 { try? await Task.sleep(for: .milliseconds(50)) }
            try? await Task.sleep(for: .seconds(1))  // a second of recording
            kill(pid, SIGTERM)
        }
        #expect(terminated.status == 0 && terminated.stderr.contains("Recorded"), "\(terminated.stderr)")
        let decoded = try await MediaRecorderTests.decode(try #require(readBytes(stopped)))
        #expect(decoded.failure == nil && decoded.frames >= 20, "\(decoded.frames) frames: \(decoded.failure ?? "")")
        for arguments in [
            ["record", "-o", "clip.avi"], ["record", "-o", "c.webm", "--duration", "soon"], ["record", "-o", "c.webm", "--max-files", "2"],
            ["record", "-o", "c.webm", "--segment", "1s", "--max-files", "0"], ["record", "-o", "c.webm", "--video-bits-per-second", "0"],
        ] {
            let refused = try await runProcess(Self.tool, arguments, seconds: 20)
            #expect(refused.status == 64, "\(arguments): \(refused.stderr)")
        }
        let tooLong = try await Self.run("record", "-o", webm, "--preroll", "11m")
        #expect(tooLong.status == 1 && tooLong.stderr.contains("NotSupportedError"), "\(tooLong.stderr)")
        // --preroll: SIGUSR1 starts the recording, which begins up to the pre-roll before it.
        let triggered = try await runProcess(Self.tool, ["record", "-o", webm, "--preroll", "1s", "--duration", "1s"]) { pid in
            try? await Task.sleep(for: .seconds(3))  // the camera opened, and more than the pre-roll encoded
            kill(pid, SIGUSR1)
        }
        #expect(triggered.status == 0 && triggered.stderr.contains("kill -USR1"), "\(triggered.stderr)")
        let prerolled = try await MediaRecorderTests.decode(try #require(readBytes(webm)))
        #expect(prerolled.failure == nil && prerolled.duration >= 1.9 && prerolled.duration <= 3.1, "\(prerolled.duration) s")
    }

    @Test("demo: a frame and a photo in the camera's largest mode")
    func demo() async throws {
        let folder = Self.temporary("demo")
        defer { for name in listDirectory(folder) { unlink(folder + "/" + name) }; rmdir(folder) }
        let result = try await Self.run("demo", "-o", folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await decodeImage(try #require(readBytes(folder + "/frame.png"))).width == 640)
        let photo = try await decodeImage(try #require(readBytes(folder + "/photo.jpg")))
        #expect(photo.width == 3264 && photo.height == 2448)
    }

    @Test("pipeline:FILE reads a source description from a file")
    func pipelineFile() async throws {
        let description = Self.temporary("source.txt"), path = Self.temporary("frame.png")
        defer { unlink(description); unlink(path) }
        let file = try #require(fopen(description, "w"))
        fputs("videotestsrc is-live=true pattern=solid-color foreground-color=0xff0000ff ! video/x-raw,width=160,height=120 ! videoconvert\n", file)
        fclose(file)
        let result = try await Self.run("grab", "-o", path, "--device", "pipeline:" + description)
        #expect(result.status == 0, "\(result.stderr)")
        let image = try await decodeImage(try #require(readBytes(path)))
        #expect(image.width == 160 && image.pixel(80, 60).isClose(to: [0, 0, 255, 255]), "\(image.pixel(80, 60))")
    }
}

extension [UInt8] {
    /// Each channel within 12 of `expected`: a colour that went through the camera's YUV and back.
    func isClose(to expected: [UInt8]) -> Bool {
        count == expected.count && zip(self, expected).allSatisfy { abs(Int($0) - Int($1)) <= 12 }
    }
}

/// A PNG or JPEG decoded by GStreamer (`decodebin`) to RGBA.
struct DecodedImage {
    var width: Int
    var height: Int
    var rgba: [UInt8]

    func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(rgba[(y * width + x) * 4..<(y * width + x) * 4 + 4]) }
}

func decodeImage(_ bytes: [UInt8]) async throws -> DecodedImage {
    let (width, height, rgba) = try await decodePixels(bytes, format: "RGBA", bytesPerPixel: 4)
    return DecodedImage(width: width, height: height, rgba: rgba)
}
