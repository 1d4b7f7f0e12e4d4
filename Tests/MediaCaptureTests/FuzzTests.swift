// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
@testable import MediaCapture
import TestSupport
import Testing
@testable import V4L2

/// Random and mutated inputs for the parsers and the constraint engine: nothing may trap.
///
/// Each run is seeded (FUZZ_SEED, else the time) and bounded (FUZZ_SECONDS, else 0.5 s per target);
/// a failure prints its seed, so `FUZZ_SEED=... swift test --filter FuzzTests` replays it.
/// `scripts/fuzz.sh` runs them longer.
@Suite("Fuzzing", .timeLimit(.minutes(5)))
struct FuzzTests {
    static let seconds = Double(getenv("FUZZ_SECONDS").map { String(cString: $0) } ?? "") ?? 0.5
    static let seed = UInt64(getenv("FUZZ_SEED").map { String(cString: $0) } ?? "") ?? UInt64(time(nil))

    static let extremes = [
        "0", "-1", "1e300", "-1e300", "inf", "nan", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "4294967296", "2147483648", "", "x", "0x", "1/0", "0.000", "-0",
    ]

    static func fixtures() -> [String] {
        let folder = repositoryRoot + "/Tests/Fixtures/v4l2-devices"
        return listDirectory(folder).compactMap { readFile(folder + "/" + $0) }
    }

    /// A mutation of `text`: numbers swapped for extremes, bytes flipped, lines dropped or repeated.
    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<Int.random(in: 1...8, using: &random) where !lines.isEmpty {
            let index = Int.random(in: 0..<lines.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0:  // a number becomes an extreme
                var line = lines[index]
                if let range = line.firstRange(of: /-?[0-9]+(\.[0-9]+)?/) {
                    line.replaceSubrange(range, with: extremes.randomElement(using: &random)!)
                }
                lines[index] = line
            case 1:  // a byte flips
                var bytes = Array(lines[index].utf8)
                if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
                lines[index] = String(decoding: bytes, as: UTF8.self)
            case 2: lines.remove(at: index)
            case 3: lines.insert(lines[index], at: index)
            default: lines[index] = String(lines[index].prefix(Int.random(in: 0...lines[index].count, using: &random)))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func run(_ name: String, _ body: (inout SeededGenerator) async throws -> Void) async rethrows {
        var random = SeededGenerator(seed: seed)
        let clock = ContinuousClock(), end = clock.now + .seconds(seconds)
        var count = 0
        while clock.now < end {
            try await body(&random)
            count += 1
        }
        print("fuzz \(name): \(count) inputs, seed \(seed)")
    }

    @Test("The v4l2-ctl listing parsers and the recorded camera's modes")
    func listings() async throws {
        let fixtures = Self.fixtures()
        try #require(!fixtures.isEmpty)
        await Self.run("listings") { random in
            let text = Self.mutate(fixtures.randomElement(using: &random)!, &random)
            let controls = V4L2Listing.controls(text)
            _ = V4L2Listing.modes(text)
            _ = V4L2Listing.deviceName(text)
            _ = try? await RecordedCameraBackend(controls: text, formats: text).resolveModes()
            // The driver's rules on whatever was parsed, with extreme writes.
            let device = RecordedV4L2Device(listing: text)
            let cache = V4L2ControlCache(device: device)
            for (control, _) in controls.prefix(4) {
                let value = [Int64.max, .min, 0, -1, 1 << 40].randomElement(using: &random)!
                try? cache.write(value, to: control.id)
            }
            let backend = V4L2ControlBackend(cache)
            _ = backend.capabilities()
            _ = backend.settings()
        }
    }

    @Test("SelectSettings and the constraint resolution with arbitrary numbers")
    func constraintEngine() async throws {
        let numbers: [Double] = [0, -1, 1, 0.5, 30, 640, 1e300, -1e300, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        await Self.run("constraints") { random in
            func number() -> Double {
                Bool.random(using: &random) ? numbers.randomElement(using: &random)! : Double.random(in: -1e6...1e6, using: &random)
            }
            func constrain() -> ConstrainDouble {
                Bool.random(using: &random)
                    ? .value(number())
                    : .range(
                        min: Bool.random(using: &random) ? number() : nil, max: Bool.random(using: &random) ? number() : nil,
                        exact: Bool.random(using: &random) ? number() : nil, ideal: Bool.random(using: &random) ? number() : nil)
            }
            let set = MediaTrackConstraintSet(
                width: .range(min: UInt32.random(in: 0...UInt32.max, using: &random)), aspectRatio: constrain(),
                frameRate: constrain(), resizeMode: Bool.random(using: &random) ? .value([CropAndScale.mode]) : nil,
                exposureTime: constrain(), brightness: constrain(), zoom: .double(constrain()))
            let constraints = MediaTrackConstraints(basic: set, advanced: [set])
            let candidates = (0..<4).map { _ in
                MediaTrackSettings(
                    width: Int.random(in: 1...4000, using: &random), height: Int.random(in: 1...4000, using: &random),
                    aspectRatio: number(), frameRate: number(), brightness: number())
            }
            _ = SelectSettings.select(candidates, constraints)
            let capabilities = MediaTrackCapabilities(
                exposureTime: MediaSettingsRange(min: number(), max: number(), step: number()),
                brightness: MediaSettingsRange(min: number(), max: number(), step: number()),
                zoom: MediaSettingsRange(min: number(), max: number(), step: number()))
            _ = ConstraintResolution.resolve(
                constraints, modes: candidates, current: 0, capabilities: capabilities, settings: MediaTrackSettings(brightness: number()))
            let mode = SourceMode(
                width: Int.random(in: 1...4000, using: &random), height: Int.random(in: 1...4000, using: &random),
                frameRate: Fraction(30, 1), encoding: .raw(format: "I420"))
            _ = CropAndScale.candidates([(candidates[0], mode)], constraints)
        }
    }
}

extension FuzzTests {
    static let jsonSeeds = [
        #"{"width":640,"height":{"min":480,"max":1080},"frameRate":{"exact":15}}"#,
        #"{"facingMode":["user","environment"],"resizeMode":{"ideal":"crop-and-scale"},"deviceId":{"exact":"abc"}}"#,
        #"{"pan":true,"tilt":-10,"zoom":{"ideal":2},"torch":{"exact":true},"pointsOfInterest":[{"x":0.5,"y":0.25}]}"#,
        #"{"advanced":[{"zoom":2},{"brightness":{"max":100}}],"aspectRatio":1.7777777777777777}"#,
        #"{"imageWidth":99999,"imageHeight":480,"fillLightMode":"flash","redEyeReduction":false}"#,
    ]
    static let jsonPieces =
        [
            "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "-", "1e999", "-0", "4294967296",
            "1.5", "\\u0000", "\"advanced\"", "\"width\"", "{\"exact\":", "[[[[", " ",
        ] + extremes

    /// A mutation of a JSON document: pieces of JSON syntax or extreme numbers inserted, bytes dropped.
    static func mutateJSON(_ text: String, _ random: inout SeededGenerator) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let index = Int.random(in: 0...characters.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: characters.insert(contentsOf: jsonPieces.randomElement(using: &random)!, at: index)
            case 1: if index < characters.count { characters.remove(at: index) }
            default:
                let end = min(characters.count, index + Int.random(in: 1...8, using: &random))
                characters.replaceSubrange(index..<end, with: jsonPieces.randomElement(using: &random)!)
            }
        }
        return String(characters)
    }

    @Test("The constraint and photo-settings JSON decoding: a TypeError or a value that round-trips")
    func json() async throws {
        try await Self.run("json") { random in
            let text = Self.mutateJSON(Self.jsonSeeds.randomElement(using: &random)!, &random)
            if let constraints = try? MediaCaptureJSON.decode(MediaTrackConstraints.self, from: text) {
                let again = try MediaCaptureJSON.decode(MediaTrackConstraints.self, from: MediaCaptureJSON.encode(constraints))
                #expect(again == constraints, "\(text)")
                try? constraints.validateNumbers()
                _ = SelectSettings.select([MediaTrackSettings(width: 640, height: 480, frameRate: 30)], constraints)
            }
            if let settings = try? MediaCaptureJSON.decode(PhotoSettings.self, from: text) {
                #expect(try MediaCaptureJSON.decode(PhotoSettings.self, from: MediaCaptureJSON.encode(settings)) == settings, "\(text)")
                try? ImageCapture.validate(settings, against: PhotoCapabilities(imageWidth: MediaSettingsRange(min: 1, max: 100)))
            }
        }
    }
}

/// A small, seeded generator (SplitMix64), so a failing run can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
