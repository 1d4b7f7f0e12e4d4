// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import TestSupport
import Testing
@testable import V4L2

/// Inputs that used to trap the process (issue 10's list): each now gets a named error, or is left out.
@Suite("Hostile input", .timeLimit(.minutes(1)))
struct HostileInputTests {
    static let brightness = "                     brightness 0x00980900 (int)    : min=0 max=255 step=1 default=128 value=128"

    static func formats(_ lines: String) -> String {
        "ioctl: VIDIOC_ENUM_FMT\n\tType: Video Capture\n\n\t[0]: 'YUYV' (YUYV 4:2:2)\n" + lines
    }

    @Test(
        "Formats listings with rates of inf, nan or 1e300 fps, or sizes of -640x-480 and 4294967296x1",
        arguments: ["(inf fps)", "(nan fps)", "(1e300 fps)", "(-30.000 fps)", "(0.000 fps)"])
    func hostileRates(_ rate: String) async throws {
        let listing = Self.formats("\t\tSize: Discrete 640x480\n\t\t\tInterval: Discrete 0.033s \(rate)\n")
        let error = try await domException {
            _ = try await ResolvedDevice.resolve(.recorded(controls: Self.brightness, formats: listing))
        }
        #expect(error.name == .notSupportedError && error.message.contains("no usable mode"))
        // Beside a good mode, a bad one is only left out.
        let mixed = listing + "\t\tSize: Discrete 320x240\n\t\t\tInterval: Discrete 0.033s (30.000 fps)\n"
        let modes = try await RecordedCameraBackend(controls: Self.brightness, formats: mixed).resolveModes()
        #expect(modes.map(\.width) == [320])
    }

    @Test("Formats listings with sizes no camera has", arguments: ["-640x-480", "4294967296x1", "0x0", "40000x40000"])
    func hostileSizes(_ size: String) async throws {
        let listing = Self.formats("\t\tSize: Discrete \(size)\n\t\t\tInterval: Discrete 0.033s (30.000 fps)\n")
        let error = try await domException {
            _ = try await ResolvedDevice.resolve(.recorded(controls: Self.brightness, formats: listing))
        }
        #expect(error.name == .notSupportedError)
    }

    @Test(
        "A fake camera mode with a rate of NaN, or a side of no size: TypeError from getUserMedia",
        arguments: [
            VideoMode(width: 640, height: 480, frameRate: .nan), VideoMode(width: 640, height: 480, frameRate: .infinity),
            VideoMode(width: 640, height: 480, frameRate: 1e300), VideoMode(width: -640, height: 480),
            VideoMode(width: 1 << 40, height: 480), VideoMode(width: 0, height: 0),
        ])
    func hostileFakeModes(_ mode: VideoMode) async throws {
        let error = try await domException {
            _ = try await fakeDevices(FakeCamera(modes: [mode])).getUserMedia(MediaStreamConstraints(video: true))
        }
        #expect(error.name == .typeError && error.message.contains("FakeCamera mode"))
    }

    @Test("Controls with Int64-wide ranges take 9e18 and Int64.max without overflowing")
    func int64WideControls() async throws {
        let listing =
            "                     brightness 0x00980900 (int)    : min=-9223372036854775808 max=9223372036854775807 step=7 default=0 value=0"
        let track = try await openVideo(MediaDevices(devices: [.recorded(controls: listing, formats: nil)]))
        defer { track.stop() }
        for value in [9e18, 9_223_372_036_854_775_807.0, -9.3e18] {
            // In range or refused by name: either way, no trap.
            do {
                try await within(5) { try await track.applyConstraints(MediaTrackConstraints(brightness: .exact(value))) }
                #expect(track.getSettings().brightness != nil)
            } catch let error as DOMException {
                #expect(error.name == .overconstrainedError && error.constraint == "brightness")
            }
        }
    }

    @Test(
        "Non-finite numbers in constraints are TypeErrors, in getUserMedia and applyConstraints",
        arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteConstraints(_ value: Double) async throws {
        let devices = fakeDevices()
        let gum = try await domException {
            _ = try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(MediaTrackConstraints(frameRate: .ideal(value)))))
        }
        #expect(gum.name == .typeError && gum.message.contains("frameRate"))
        let track = try await openVideo(devices)
        defer { track.stop() }
        let apply = try await domException {
            try await track.applyConstraints(MediaTrackConstraints(advanced: [MediaTrackConstraintSet(exposureTime: .value(value))]))
        }
        #expect(apply.name == .typeError && apply.message.contains("exposureTime"))
        // In min and max too, and in every member WebIDL declares a double.
        for constraints in [
            MediaTrackConstraints(width: .range(min: 1), brightness: .range(min: value)),
            MediaTrackConstraints(zoom: .double(.range(max: value))), MediaTrackConstraints(aspectRatio: .exact(value)),
        ] {
            #expect(try await domException { try await track.applyConstraints(constraints) }.name == .typeError)
        }
        #expect(track.getSettings().brightness == 5)  // nothing reached the camera
    }

    @Test("Non-finite photo sizes are TypeErrors (WebIDL's double), not NotSupportedError", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinitePhotoSettings(_ value: Double) async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        for settings in [PhotoSettings(imageWidth: value), PhotoSettings(imageHeight: value)] {
            let error = try await domException { _ = try await capture.takePhoto(settings) }
            #expect(error.name == .typeError && error.message.contains("finite"), "\(error)")
        }
    }

    @Test(
        "crop-and-scale with an aspect of 1e300, infinity or 0 computes no impossible size",
        arguments: [1e300, .infinity, 0, -1])
    func hostileAspect(_ aspect: Double) async throws {
        let devices = fakeDevices()
        let constraints = MediaTrackConstraints(
            height: .exact(480), aspectRatio: .exact(aspect), resizeMode: .value([CropAndScale.mode]))
        do {
            let stream = try await within(10) { try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(constraints))) }
            stream.getTracks().forEach { $0.stop() }
            Issue.record("an aspect ratio of \(aspect) was satisfied")
        } catch let error as DOMException {
            #expect(error.name == .overconstrainedError || error.name == .typeError)
        }
        let widthOnly = MediaTrackConstraints(width: .exact(320), aspectRatio: .ideal(aspect), resizeMode: .value([CropAndScale.mode]))
        do {
            let stream = try await within(10) { try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(widthOnly))) }
            stream.getTracks().forEach { $0.stop() }
        } catch let error as DOMException {
            #expect(error.name == .typeError)  // an infinite ideal
        }
    }

    @Test(
        "An empty, binary or unrelated controls listing is NotSupportedError, not a camera without controls",
        arguments: ["", "\u{0}\u{1}\u{2}\u{FF}", "hello\nworld\n", "# Device: Nothing (listed)\n"])
    func unrecognisedListing(_ text: String) async throws {
        let error = try await domException {
            _ = try await MediaDevices(devices: [.recorded(controls: text, formats: nil)]).getUserMedia(MediaStreamConstraints(video: true))
        }
        #expect(error.name == .notSupportedError && error.message.contains("no control line"))
    }

    @Test("Deadlines of Duration.seconds(Int64.max) do not overflow the clock")
    func hugeDeadlines() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track, options: .init(frameTimeout: .seconds(Int64.max), photoTimeout: .seconds(Int64.max)))
        _ = try await within(5) { try await capture.grabFrame() }
        _ = try await within(10) { try await capture.takePhoto() }
    }
}

extension HostileInputTests {
    @Test("Found by fuzzing: a control line whose ')' comes before its '(' is skipped, not a trap")
    func closingBeforeOpening() {
        #expect(V4L2Listing.controls("brightness 0x00980900 int) (x : min=0 max=255 value=1").isEmpty)
    }
}
