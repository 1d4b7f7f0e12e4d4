// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import TestSupport
import Testing

/// The W3C dictionaries' JSON, checked against what a page's `JSON.stringify` writes.
@Suite("JSON", .timeLimit(.minutes(1)))
struct JSONTests {
    @Test("The dictionaries, a device, stats and frame metadata print as their JSON, as a browser's console shows them")
    func printedAsJSON() async throws {
        let capabilities = PhotoCapabilities(
            redEyeReduction: .controllable, imageHeight: MediaSettingsRange(min: 240, max: 2448, step: 2), fillLightMode: [.auto])
        #expect("\(capabilities)" == #"{"fillLightMode":["auto"],"imageHeight":{"max":2448,"min":240,"step":2},"redEyeReduction":"controllable"}"#)
        #expect(MediaTrackSettings(width: 640).description == #"{"width":640}"#)
        #expect("\(MediaTrackConstraints(width: .exact(640)))" == #"{"width":{"exact":640}}"#)
        #expect(
            MediaStreamTrackVideoStats(deliveredFrames: 3, discardedFrames: 1).description
                == #"{"deliveredFrames":3,"discardedFrames":1,"totalFrames":4}"#)
        let metadata = VideoFrameMetadata(captureTime: .now, frameNumber: 7, photoOrigin: .heldFrame)
        let printed = try MediaCaptureJSON.decode(JSONValue.self, from: metadata.description)
        #expect(printed["frameNumber"] == .number(7) && printed["photoOrigin"] == .string("heldFrame"))
        guard case .string(let time)? = printed["captureTime"] else {
            Issue.record("no captureTime in \(metadata)")
            return
        }
        #expect(time.count == 24 && time.hasSuffix("Z") && time.contains("T"), "\(time)")
        let track = try await openVideo()
        defer { track.stop() }
        let info = try await fakeDevices().enumerateDevices()[0]
        #expect(info.description == MediaCaptureJSON.encode(info))
        #expect(track.getSettings().description.hasPrefix("{") && "\(track.getCapabilities())".contains(#""width":"#))
    }

    @Test("Photo capabilities and settings: the browser's JSON, numbers as numbers, absent members omitted")
    func photoDictionaries() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let capabilities = try await capture.getPhotoCapabilities()
        #expect(
            MediaCaptureJSON.encode(capabilities) == """
                {"fillLightMode":["auto","flash"],"imageHeight":{"max":2448,"min":240,"step":2},\
                "imageWidth":{"max":3264,"min":320,"step":3},"redEyeReduction":"controllable"}
                """)
        #expect(
            MediaCaptureJSON.encode(try await capture.getPhotoSettings()) == """
                {"fillLightMode":"auto","imageHeight":480,"imageWidth":640,"redEyeReduction":false}
                """)
        #expect(MediaCaptureJSON.encode(PhotoSettings()) == "{}")
    }

    @Test("Track settings and capabilities round-trip, and every number is a JSON number")
    func trackDictionaries() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let settings = track.getSettings(), capabilities = track.getCapabilities()
        let settingsJSON = MediaCaptureJSON.encode(settings)
        #expect(try MediaCaptureJSON.decode(MediaTrackSettings.self, from: settingsJSON) == settings)
        #expect(try MediaCaptureJSON.decode(MediaTrackCapabilities.self, from: MediaCaptureJSON.encode(capabilities)) == capabilities)
        let parsed = try #require(try? MediaCaptureJSON.decode(JSONValue.self, from: settingsJSON))
        #expect(parsed["width"] == .number(640) && parsed["height"] == .number(480))
        #expect(parsed["brightness"].map { if case .number = $0 { true } else { false } } == true)
        #expect(parsed["torch"] == .bool(false))
        let caps = try MediaCaptureJSON.decode(JSONValue.self, from: MediaCaptureJSON.encode(capabilities))
        #expect(caps["width"] == .object(["min": .number(1), "max": .number(3264)]) || caps["width"]?["max"] == .number(3264))
        #expect(caps["brightness"]?["step"] != nil)
    }

    @Test(
        "Constraints in every form a page writes decode to the same values, and encode back the same (members sorted)",
        arguments: [
            (#"{"width":640}"#, MediaTrackConstraints(width: 640)),
            (
                #"{"height":{"max":1080,"min":480},"width":{"ideal":1280}}"#,
                MediaTrackConstraints(width: .ideal(1280), height: .range(min: 480, max: 1080))
            ),
            (#"{"frameRate":{"exact":15}}"#, MediaTrackConstraints(frameRate: .exact(15))),
            (#"{"aspectRatio":1.7777777777777777}"#, MediaTrackConstraints(aspectRatio: .value(16.0 / 9.0))),
            (#"{"facingMode":"user"}"#, MediaTrackConstraints(facingMode: "user")),
            (#"{"resizeMode":["none","crop-and-scale"]}"#, MediaTrackConstraints(resizeMode: ["none", "crop-and-scale"])),
            (#"{"deviceId":{"exact":"abc"}}"#, MediaTrackConstraints(deviceId: .exact("abc"))),
            (#"{"pan":true,"zoom":{"ideal":2}}"#, MediaTrackConstraints(pan: true, zoom: .double(.ideal(2)))),
            (#"{"tilt":-10}"#, MediaTrackConstraints(tilt: -10)),
            (#"{"torch":{"exact":true}}"#, MediaTrackConstraints(torch: .parameters(exact: true))),
            (#"{"pointsOfInterest":[{"x":0.5,"y":0.25}]}"#, MediaTrackConstraints(pointsOfInterest: .value([Point2D(x: 0.5, y: 0.25)]))),
            (
                #"{"advanced":[{"zoom":2},{"brightness":{"max":100}}],"width":640}"#,
                MediaTrackConstraints(width: 640, advanced: [.init(zoom: 2), .init(brightness: .range(max: 100))])
            ),
            ("{}", MediaTrackConstraints()),
        ])
    func constraintForms(_ json: String, _ expected: MediaTrackConstraints) throws {
        let decoded = try MediaCaptureJSON.decode(MediaTrackConstraints.self, from: json)
        #expect(decoded == expected)
        #expect(MediaCaptureJSON.encode(decoded) == json)
    }

    @Test(
        "What WebIDL's conversion refuses is a TypeError naming the JSON path",
        arguments: [
            (#"{"width":"wide"}"#, "$.width"),
            (#"{"advanced":[{},{"zoom":"x"}]}"#, "$.advanced[1].zoom"),
            (#"{"width":-1}"#, "$.width"),
            (#"{"height":{"min":4294967296}}"#, "$.height.min"),
            (#"{"facingMode":3}"#, "$.facingMode"),
            (#"{"torch":"yes"}"#, "$.torch"),
            (#"{"advanced":{"zoom":2}}"#, "$.advanced"),
            ("not json", "not valid JSON"),
            (#"{"width":1e999}"#, "$.width"),
        ])
    func typeErrors(_ json: String, _ expected: String) {
        #expect(throws: DOMException.self) { try MediaCaptureJSON.decode(MediaTrackConstraints.self, from: json) }
        do {
            _ = try MediaCaptureJSON.decode(MediaTrackConstraints.self, from: json)
        } catch {
            #expect(error.name == .typeError && error.message.contains(expected), "\(error)")
        }
    }

    @Test("PhotoSettings from a page; a DOMException and a MediaDeviceInfo as a page reads them")
    func otherDictionaries() throws {
        #expect(
            try MediaCaptureJSON.decode(PhotoSettings.self, from: #"{"imageWidth":99999,"fillLightMode":"flash","unknown":1}"#)
                == PhotoSettings(fillLightMode: .flash, imageWidth: 99999))
        #expect(throws: DOMException.self) { try MediaCaptureJSON.decode(PhotoSettings.self, from: #"{"fillLightMode":"strobe"}"#) }
        #expect(
            MediaCaptureJSON.encode(DOMException.overconstrained("width", "too wide"))
                == #"{"constraint":"width","message":"too wide","name":"OverconstrainedError"}"#)
        #expect(MediaCaptureJSON.encode(DOMException(.notReadableError, "busy")) == #"{"message":"busy","name":"NotReadableError"}"#)
        let info = MediaDeviceInfo(deviceId: "d", kind: .videoinput, label: "Fake Camera", groupId: "g")
        let json = MediaCaptureJSON.encode(info)
        #expect(json == #"{"deviceId":"d","groupId":"g","kind":"videoinput","label":"Fake Camera"}"#)
        #expect(try MediaCaptureJSON.decode(MediaDeviceInfo.self, from: json) == info)
    }
}

/// Any JSON value, to look at encoded documents member by member.
enum JSONValue: Decodable, Equatable {
    case number(Double), string(String), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Double.self) {
            self = .number(value)
        } else if let value = try? single.decode(String.self) {
            self = .string(value)
        } else if let value = try? single.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try single.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }
}
