// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import TestSupport
import Testing
@testable import V4L2

@Suite("Recorded webcams through the V4L2 mapping", .timeLimit(.minutes(1)))
struct RecordedDeviceTests {
    static func fixture(_ name: String) throws -> String {
        try #require(readFile(repositoryRoot + "/Tests/Fixtures/v4l2-devices/\(name)"))
    }

    static func device(_ name: String, formats: Bool = false) throws -> CaptureDevice {
        .recorded(controls: try fixture("\(name).ctrls.txt"), formats: formats ? try fixture("\(name).formats.txt") : nil)
    }

    /// The recorded "hardware" behind a track.
    static func recordedDevice(of track: MediaStreamTrack) throws -> RecordedV4L2Device {
        guard let source = track.video?.source.capturer, let session = source.session as? V4L2Session,
            let device = session.v4l2Controls?.cache.device as? RecordedV4L2Device
        else { throw TimedOut(what: "no recorded device", seconds: 0) }
        return device
    }

    static func range(_ min: Double, _ max: Double, _ step: Double = 1) -> MediaSettingsRange {
        MediaSettingsRange(min: min, max: max, step: step)
    }

    /// What each listing says, typed from the files (pan/tilt/zoom with pan-tilt-zoom permission).
    static let expected: [String: MediaTrackCapabilities] = [
        "logitech-c920": MediaTrackCapabilities(
            whiteBalanceMode: ["manual", "continuous"], exposureMode: ["manual", "continuous"],
            focusMode: ["manual", "continuous"], exposureTime: range(3, 2047), colorTemperature: range(2000, 6500),
            brightness: range(0, 255), contrast: range(0, 255), saturation: range(0, 255), sharpness: range(0, 255),
            focusDistance: range(0, 250, 5), pan: range(-36000, 36000, 3600), tilt: range(-36000, 36000, 3600),
            zoom: range(100, 500)),
        "logitech-brio": MediaTrackCapabilities(  // old control names, same IDs
            whiteBalanceMode: ["manual", "continuous"], exposureMode: ["manual", "continuous"],
            focusMode: ["manual", "continuous"], exposureTime: range(3, 2047), colorTemperature: range(2000, 7500, 10),
            brightness: range(0, 255), contrast: range(0, 255), saturation: range(0, 255), sharpness: range(0, 255),
            focusDistance: range(0, 255, 5), pan: range(-36000, 36000, 3600), tilt: range(-36000, 36000, 3600),
            zoom: range(100, 500)),
        "logitech-c270": MediaTrackCapabilities(
            whiteBalanceMode: ["manual", "continuous"], exposureMode: ["manual", "continuous"],
            exposureTime: range(1, 10000), colorTemperature: range(0, 10000, 10),
            brightness: range(0, 255), contrast: range(0, 255), saturation: range(0, 255), sharpness: range(0, 255)),
        "laptop-integrated-camera": MediaTrackCapabilities(
            whiteBalanceMode: ["manual", "continuous"], exposureMode: ["manual", "continuous"],
            exposureTime: range(2, 1250), colorTemperature: range(2800, 6500),
            brightness: range(0, 255), contrast: range(0, 100), saturation: range(0, 100), sharpness: range(0, 7)),
        "elgato-facecam-4k": MediaTrackCapabilities(
            whiteBalanceMode: ["manual", "continuous"], exposureMode: ["manual", "continuous"],
            exposureTime: range(1, 1000), colorTemperature: range(2400, 10000, 100),
            brightness: range(-9, 9), contrast: range(0, 200), saturation: range(0, 200), sharpness: range(0, 200),
            pan: range(-5_184_000, 5_184_000, 3600), tilt: range(-2_916_000, 2_916_000, 3600), zoom: range(100, 400)),
    ]

    static let names = ["logitech-c920", "logitech-brio", "logitech-c270", "laptop-integrated-camera", "elgato-facecam-4k"]

    @Test("Capabilities derived from the listing, field by field", arguments: names)
    func capabilities(_ name: String) async throws {
        let track = try await openVideo(MediaDevices(devices: [try Self.device(name)]), MediaTrackConstraints(pan: true))
        defer { track.stop() }
        let expected = try #require(Self.expected[name])
        let got = ControlMembers.filter(track.getCapabilities(), panTiltZoom: true)
        #expect(got.whiteBalanceMode == expected.whiteBalanceMode)
        #expect(got.exposureMode == expected.exposureMode)
        #expect(got.focusMode == expected.focusMode)
        #expect(got.exposureTime == expected.exposureTime)
        #expect(got.colorTemperature == expected.colorTemperature)
        #expect(got.brightness == expected.brightness)
        #expect(got.contrast == expected.contrast)
        #expect(got.saturation == expected.saturation)
        #expect(got.sharpness == expected.sharpness)
        #expect(got.focusDistance == expected.focusDistance)
        #expect(got.pan == expected.pan && got.tilt == expected.tilt && got.zoom == expected.zoom)
        #expect(got.iso == nil && got.exposureCompensation == nil && got.torch == nil)
        #expect(got == expected)  // and nothing else
        // Without pan-tilt-zoom permission they disappear, and the device info never shows them.
        let info = try #require(try await MediaDevices(devices: [try Self.device(name)]).enumerateDevices().first)
        #expect(info.getCapabilities().pan == nil && info.getCapabilities().brightness == expected.brightness)
    }

    @Test("A --list-ctrls listing (no menu items) gets the kernel's standard menus: exposureMode is offered and works")
    func listingWithoutMenus() async throws {
        let text = try Self.fixture("logitech-c920.list-ctrls.txt")
        #expect(!text.contains("1: Manual Mode"))  // the listing really has no items
        let parsed = V4L2Listing.controls(text)
        let exposure = try #require(parsed.first(where: { $0.control.id == V4L2ControlID.exposureAuto })?.control)
        #expect(exposure.menu == [0: "Auto Mode", 1: "Manual Mode", 2: "Shutter Priority Mode", 3: "Aperture Priority Mode"])
        let powerLine = try #require(parsed.first(where: { $0.control.name == "power_line_frequency" })?.control)
        #expect(powerLine.menu == [0: "Disabled", 1: "50 Hz", 2: "60 Hz"])  // within its min...max (0...2)
        let track = try await openVideo(MediaDevices(devices: [.recorded(controls: text, formats: nil)]))
        defer { track.stop() }
        #expect(track.getCapabilities().exposureMode == ["manual", "continuous"])
        #expect(track.getSettings().exposureMode == "continuous")
        try await within(10) {
            try await track.applyConstraints(MediaTrackConstraints(exposureMode: "manual", exposureTime: .exact(100)))
        }
        #expect(track.getSettings().exposureMode == "manual" && track.getSettings().exposureTime == 100)
        let device = try Self.recordedDevice(of: track)
        #expect(device.writes.contains { $0.id == V4L2ControlID.exposureAuto && $0.value == V4L2ControlID.ExposureAuto.manual })
    }

    @Test("Settings read from the device, nothing reset on open")
    func settings() async throws {
        let c920 = try await openVideo(MediaDevices(devices: [try Self.device("logitech-c920")]), MediaTrackConstraints(zoom: true))
        defer { c920.stop() }
        let settings = c920.getSettings()
        #expect(settings.whiteBalanceMode == "manual" && settings.colorTemperature == 3222)  // recorded with AWB off
        #expect(settings.exposureMode == "continuous" && settings.exposureTime == 333)
        #expect(settings.focusMode == "continuous" && settings.focusDistance == 0)
        #expect(settings.brightness == 128 && settings.pan == 0 && settings.zoom == 100)
        #expect(c920.label == "Logitech HD Pro Webcam C920")
    }

    @Test(
        "A write blocked by automatic exposure is refused; with exposureMode manual in the same call it succeeds",
        arguments: names)
    func blockedWrite(_ name: String) async throws {
        let track = try await openVideo(MediaDevices(devices: [try Self.device(name)]))
        defer { track.stop() }
        let before = track.getSettings()
        #expect(before.exposureMode == "continuous")
        let time = try #require(track.getCapabilities().exposureTime?.min) + 1
        let error = try await domException {
            try await track.applyConstraints(MediaTrackConstraints(exposureTime: .exact(time)))
        }
        #expect(error.name == .overconstrainedError && error.constraint == "exposureTime")
        #expect(error.message.contains("exposureMode"))
        #expect(track.getSettings() == before)
        try await within(10) {
            try await track.applyConstraints(MediaTrackConstraints(exposureMode: .exact("manual"), exposureTime: .exact(time)))
        }
        #expect(track.getSettings().exposureMode == "manual" && track.getSettings().exposureTime == time)
    }

    @Test("A refused write undoes the call's other writes; the device's step rounding is what settings report")
    func rollbackAndRounding() async throws {
        let track = try await openVideo(MediaDevices(devices: [try Self.device("logitech-c920")]))
        defer { track.stop() }
        let error = try await domException {
            try await track.applyConstraints(
                MediaTrackConstraints(colorTemperature: .exact(4000), brightness: .exact(100), focusDistance: .exact(20)))
        }
        // colorTemperature is writable (AWB is off on this C920), focusDistance is gated by autofocus.
        #expect(error.constraint == "focusDistance")
        #expect(track.getSettings().brightness == 128 && track.getSettings().colorTemperature == 3222)
        try await within(10) {
            try await track.applyConstraints(MediaTrackConstraints(focusMode: "manual", focusDistance: .exact(12)))
        }
        #expect(track.getSettings().focusMode == "manual")
        #expect(track.getSettings().focusDistance == 10)  // the driver's step is 5
        // A read-only control (the laptop's privacy switch) is not mapped; unsupported members fail as required.
        let missing = try await domException { try await track.applyConstraints(MediaTrackConstraints(iso: .exact(100))) }
        #expect(missing.constraint == "iso")
    }

    @Test("Formats listing: modes with YUYV and MJPEG, H.264 left out; an ideal 1920×1080 opens 1920×1080")
    func formats() async throws {
        let modes = try await RecordedCameraBackend(
            controls: try Self.fixture("logitech-c920.ctrls.txt"), formats: try Self.fixture("logitech-c920.formats.txt")
        ).resolveModes()
        #expect(modes.contains(SourceMode(width: 640, height: 480, frameRate: Fraction(30, 1), encoding: .raw(format: "YUY2"))))
        #expect(modes.contains(SourceMode(width: 1920, height: 1080, frameRate: Fraction(30, 1), encoding: .mjpeg)))
        #expect(!modes.contains(SourceMode(width: 1920, height: 1080, frameRate: Fraction(30, 1), encoding: .raw(format: "YUY2"))))
        #expect(modes.allSatisfy { if case .raw(let format) = $0.encoding { format == "YUY2" } else { true } })
        let brio = try await RecordedCameraBackend(
            controls: try Self.fixture("logitech-brio.ctrls.txt"), formats: try Self.fixture("logitech-brio.formats.txt")
        ).resolveModes()
        // The BRIO's NV12 modes all repeat a YUYV size and rate: one raw mode is kept for each, as
        // v4l2src's caps for the camera give them (VirtualCameraTests compares the two). Alone, NV12 is offered.
        #expect(!brio.contains { $0.encoding == .raw(format: "NV12") } && brio.contains { $0.encoding == .raw(format: "YUY2") })
        let nv12 = "ioctl: VIDIOC_ENUM_FMT\n\t[0]: 'NV12' (Y/CbCr 4:2:0)\n\t\tSize: Discrete 1280x720\n\t\t\tInterval: Discrete 0.033s (30.000 fps)\n"
        let alone = try await RecordedCameraBackend(controls: try Self.fixture("logitech-brio.ctrls.txt"), formats: nv12).resolveModes()
        #expect(alone == [SourceMode(width: 1280, height: 720, frameRate: Fraction(30, 1), encoding: .raw(format: "NV12"))])
        let track = try await openVideo(
            MediaDevices(devices: [try Self.device("logitech-c920", formats: true)]),
            MediaTrackConstraints(width: .ideal(1920), height: .ideal(1080)))
        defer { track.stop() }
        #expect(track.getSettings().width == 1920 && track.getSettings().frameRate == 30)
        let capabilities = track.getCapabilities()
        #expect(capabilities.width == ULongRange(min: 1, max: 2304) && capabilities.height == ULongRange(min: 1, max: 1536))
    }

    @Test("A control changed by another program shows in getSettings, with a settingsChanged event")
    func externalChange() async throws {
        let track = try await openVideo(MediaDevices(devices: [try Self.device("logitech-c920")]))
        let events = track.events
        let device = try Self.recordedDevice(of: track)
        try device.externalWrite(200, of: V4L2ControlID.brightness)  // as `v4l2-ctl --set-ctrl brightness=200`
        #expect(track.getSettings().brightness == 200)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5) == [.settingsChanged])
    }

    @Test("A V4L2 flash: fillLightMode [off, flash], torch from the LED mode, the strobe fired for a flash photo")
    func flash() async throws {
        let track = try await openVideo(MediaDevices(devices: [.recorded(controls: try Self.fixture("synthetic-flash.ctrls.txt"), formats: nil)]))
        defer { track.stop() }
        #expect(track.getCapabilities().torch == [false, true] && track.getSettings().torch == false)
        let capture = try ImageCapture(track)
        #expect(try await capture.getPhotoCapabilities().fillLightMode == [.off, .flash])
        let device = try Self.recordedDevice(of: track)
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(torch: true)) }
        #expect(track.getSettings().torch == true)
        _ = try await within(10) { try await capture.takePhoto(PhotoSettings(fillLightMode: .flash)) }
        let writes = device.writes
        #expect(writes.filter { $0.id == V4L2ControlID.flashStrobe }.count == 1)
        #expect(writes.last?.id == V4L2ControlID.flashLEDMode && writes.last?.value == V4L2ControlID.FlashLEDMode.torch)
        #expect(track.getSettings().torch == true)  // the torch is back after the flash
        // A camera without a flash offers none.
        let c920 = try await openVideo(MediaDevices(devices: [try Self.device("logitech-c920")]))
        defer { c920.stop() }
        #expect(try await ImageCapture(c920).getPhotoCapabilities().fillLightMode == [])
    }
}
