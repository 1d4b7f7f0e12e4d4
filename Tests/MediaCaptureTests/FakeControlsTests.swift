// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import Locking
import TestSupport
import Testing

@Suite("Camera controls on the fake camera", .timeLimit(.minutes(1)))
struct FakeControlsTests {
    static let panTiltZoom = MediaTrackConstraints(pan: true, tilt: true, zoom: true)

    static let reference = MediaTrackCapabilities(
        whiteBalanceMode: ["single-shot", "continuous"], exposureMode: ["manual", "single-shot", "continuous"],
        focusMode: ["manual", "single-shot"],
        exposureCompensation: MediaSettingsRange(min: -200, max: 200, step: 33),
        exposureTime: MediaSettingsRange(min: 100, max: 100000, step: 100),
        colorTemperature: MediaSettingsRange(min: 2500, max: 6500, step: 1000),
        iso: MediaSettingsRange(min: 100, max: 12000, step: 1), brightness: MediaSettingsRange(min: 1, max: 10, step: 1),
        contrast: MediaSettingsRange(min: 2, max: 9, step: 1), saturation: MediaSettingsRange(min: 3, max: 8, step: 1),
        sharpness: MediaSettingsRange(min: 4, max: 7, step: 1), focusDistance: MediaSettingsRange(min: 1, max: 10, step: 1),
        pan: MediaSettingsRange(min: 0, max: 10, step: 2), tilt: MediaSettingsRange(min: 0, max: 10, step: 2),
        zoom: MediaSettingsRange(min: 0, max: 10, step: 5), torch: [false, true])

    /// The control members of `capabilities`.
    func controls(_ capabilities: MediaTrackCapabilities) -> MediaTrackCapabilities {
        ControlMembers.filter(capabilities, panTiltZoom: true)
    }

    @Test("Capabilities and settings are the reference profile")
    func referenceProfile() async throws {
        let track = try await openVideo(fakeDevices(), Self.panTiltZoom)
        defer { track.stop() }
        #expect(controls(track.getCapabilities()) == Self.reference)
        let settings = track.getSettings()
        #expect(settings.whiteBalanceMode == "continuous" && settings.exposureMode == "manual" && settings.focusMode == "manual")
        #expect(settings.pointsOfInterest == [Point2D(x: 0.4, y: 0.6)])
        #expect(settings.exposureCompensation == 33 && settings.exposureTime == 1000 && settings.colorTemperature == 6000)
        #expect(settings.iso == 400 && settings.brightness == 5 && settings.contrast == 5 && settings.saturation == 6)
        #expect(settings.sharpness == 7 && settings.focusDistance == 3 && settings.pan == 5 && settings.tilt == 5)
        #expect(settings.zoom == 5 && settings.torch == false)
        #expect(settings.width == 640)  // the mode members are still there
    }

    @Test("The web-platform-tests advanced set resolves and every value is echoed verbatim, clones included")
    func advancedSetEchoes() async throws {
        let track = try await openVideo(fakeDevices(), Self.panTiltZoom)
        defer { track.stop() }
        let set = MediaTrackConstraintSet(
            whiteBalanceMode: "single-shot", exposureMode: "manual", focusMode: "single-shot",
            pointsOfInterest: .value([Point2D(x: 0.1, y: 0.2), Point2D(x: 0.3, y: 0.4)]), exposureCompensation: 133.77,
            exposureTime: 10000, colorTemperature: 6000, iso: 120, brightness: 3, contrast: 4, saturation: 5,
            sharpness: 6, focusDistance: 7, pan: 8, tilt: 9, zoom: 3.141592, torch: true)
        let constraints = MediaTrackConstraints(advanced: [set])
        try await within(10) { try await track.applyConstraints(constraints) }
        let settings = track.getSettings()
        #expect(settings.whiteBalanceMode == "single-shot" && settings.exposureMode == "manual" && settings.focusMode == "single-shot")
        #expect(settings.pointsOfInterest == [Point2D(x: 0.1, y: 0.2), Point2D(x: 0.3, y: 0.4)])
        #expect(settings.exposureCompensation == 133.77 && settings.exposureTime == 10000 && settings.colorTemperature == 6000)
        #expect(settings.iso == 120 && settings.brightness == 3 && settings.contrast == 4 && settings.saturation == 5)
        #expect(settings.sharpness == 6 && settings.focusDistance == 7 && settings.pan == 8 && settings.tilt == 9)
        #expect(settings.zoom == 3.141592 && settings.torch == true)
        #expect(track.getConstraints() == constraints)
        let clone = track.clone()
        defer { clone.stop() }
        #expect(clone.getCapabilities() == track.getCapabilities())
        #expect(clone.getSettings() == track.getSettings())
        #expect(clone.getConstraints() == track.getConstraints())
        // No argument: the constraints reset, the settings stay.
        try await within(10) { try await track.applyConstraints() }
        #expect(track.getConstraints() == MediaTrackConstraints())
        #expect(track.getSettings().zoom == 3.141592)
    }

    /// Every numeric member with its range.
    static var numeric:
        [(
            String, WritableKeyPath<MediaTrackConstraintSet, ConstrainDouble?>?, WritableKeyPath<MediaTrackConstraintSet, ConstrainDoubleOrBool?>?,
            Double, Double
        )]
    {
        [
            ("exposureCompensation", \.exposureCompensation, nil, -200, 200), ("exposureTime", \.exposureTime, nil, 100, 100000),
            ("colorTemperature", \.colorTemperature, nil, 2500, 6500), ("iso", \.iso, nil, 100, 12000),
            ("brightness", \.brightness, nil, 1, 10), ("contrast", \.contrast, nil, 2, 9), ("saturation", \.saturation, nil, 3, 8),
            ("sharpness", \.sharpness, nil, 4, 7), ("focusDistance", \.focusDistance, nil, 1, 10),
            ("pan", nil, \.pan, 0, 10), ("tilt", nil, \.tilt, 0, 10), ("zoom", nil, \.zoom, 0, 10),
        ]
    }

    @Test(
        "Required values out of range, unsupported modes, torch without torch: OverconstrainedError naming that member; ideal and advanced forms resolve"
    )
    func outOfRange() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(supportsTorch: false)), Self.panTiltZoom)
        defer { track.stop() }
        var cases: [(String, MediaTrackConstraintSet, MediaTrackConstraintSet)] = []  // (member, required, ideal)
        for (name, double, doubleOrBool, low, high) in Self.numeric {
            for value in [low - 1, high + 1] {
                var required = MediaTrackConstraintSet(), ideal = MediaTrackConstraintSet()
                if let double {
                    required[keyPath: double] = .exact(value)
                    ideal[keyPath: double] = .ideal(value)
                } else if let doubleOrBool {
                    required[keyPath: doubleOrBool] = .double(.exact(value))
                    ideal[keyPath: doubleOrBool] = .double(.ideal(value))
                }
                cases.append((name, required, ideal))
            }
        }
        cases.append(
            (
                "whiteBalanceMode", MediaTrackConstraintSet(whiteBalanceMode: .exact("manual")),
                MediaTrackConstraintSet(whiteBalanceMode: .ideal("manual"))
            ))
        cases.append(("exposureMode", MediaTrackConstraintSet(exposureMode: .exact("none")), MediaTrackConstraintSet(exposureMode: .ideal("none"))))
        cases.append(
            ("focusMode", MediaTrackConstraintSet(focusMode: .exact("continuous")), MediaTrackConstraintSet(focusMode: .ideal("continuous"))))
        cases.append(("torch", MediaTrackConstraintSet(torch: .parameters(exact: true)), MediaTrackConstraintSet(torch: .parameters(ideal: true))))
        for (name, required, ideal) in cases {
            let before = track.getSettings()
            let error = try await domException { try await track.applyConstraints(MediaTrackConstraints(basic: required)) }
            #expect(error.name == .overconstrainedError && error.constraint == name, "\(name): \(error)")
            #expect(track.getSettings() == before, "\(name) changed something")
            try await within(10) { try await track.applyConstraints(MediaTrackConstraints(basic: ideal)) }
            // The same value as an advanced set is skipped: it cannot apply.
            try await within(10) { try await track.applyConstraints(MediaTrackConstraints(advanced: [required])) }
        }
        // An ideal out of range clamps into the range.
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(brightness: .ideal(100))) }
        #expect(track.getSettings().brightness == 10)
    }

    @Test(
        "Pan-tilt-zoom denied: absent from capabilities and settings; exact pan fails, ideal pan resolves",
        arguments: ["camera switch", "permission policy", "not requested"])
    func panTiltZoomDenied(_ how: String) async throws {
        let devices: MediaDevices
        switch how {
        case "camera switch": devices = fakeDevices(FakeCamera(panTiltZoomPermission: false))
        case "permission policy": devices = MediaDevices(devices: [.fake()], panTiltZoomPermission: .denied)
        default: devices = fakeDevices()
        }
        let track = try await openVideo(devices, how == "not requested" ? MediaTrackConstraints() : Self.panTiltZoom)
        defer { track.stop() }
        let capabilities = track.getCapabilities(), settings = track.getSettings()
        #expect(capabilities.pan == nil && capabilities.tilt == nil && capabilities.zoom == nil)
        #expect(settings.pan == nil && settings.tilt == nil && settings.zoom == nil)
        #expect(capabilities.brightness != nil)
        let error = try await domException { try await track.applyConstraints(MediaTrackConstraints(pan: .double(.exact(4)))) }
        #expect(error.name == .overconstrainedError && error.constraint == "pan")
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(pan: .double(.ideal(4)))) }
        #expect(track.getSettings().pan == nil)
    }

    @Test("Pan-tilt-zoom granted beforehand: a plain getUserMedia exposes them, and an advanced set applies every member")
    func panTiltZoomGrantedBeforehand() async throws {
        let devices = MediaDevices(devices: [.fake()], timing: .test, panTiltZoomPermission: .granted)
        let track = try await openVideo(devices)  // {video: true}: pan, tilt and zoom not named
        defer { track.stop() }
        #expect(track.getCapabilities().pan != nil && track.getCapabilities().tilt != nil && track.getCapabilities().zoom != nil)
        #expect(track.getSettings().zoom == 5)
        let advanced = MediaTrackConstraintSet(brightness: 7, pan: 2, zoom: 10)
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(advanced: [advanced])) }
        let settings = track.getSettings()
        #expect(settings.brightness == 7 && settings.pan == 2 && settings.zoom == 10, "\(settings)")
    }

    @Test("Pan-tilt-zoom undecided: asked once, by the first getUserMedia that requests them; the answer is kept")
    func panTiltZoomPrompt() async throws {
        let asked = Locked(0)
        let devices = MediaDevices(
            devices: [.fake()], timing: .test,
            panTiltZoomPermission: .prompt { _ in
                asked.withLock { $0 += 1 }
                return true
            })
        let plain = try await openVideo(devices)
        #expect(plain.getCapabilities().zoom == nil && asked.withLock { $0 } == 0)  // not requested: not asked
        plain.stop()
        let requested = try await openVideo(devices, MediaTrackConstraints(zoom: true))
        #expect(requested.getCapabilities().zoom != nil && asked.withLock { $0 } == 1)
        requested.stop()
        let later = try await openVideo(devices)  // granted now: exposed without asking again
        defer { later.stop() }
        #expect(later.getCapabilities().zoom != nil && asked.withLock { $0 } == 1)
    }

    @Test("A zoom of 2 on the quadrants pattern enlarges the centre; brightness changes the pixels")
    func controlsActOnPixels() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(pattern: .quadrants)), Self.panTiltZoom)
        defer { track.stop() }
        /// The width of the black centre marker along the middle row.
        func markerWidth(_ pixels: [UInt8]) -> Int {
            (0..<640).filter { x in
                let at = (240 * 640 + x) * 4
                return pixels[at] < 40 && pixels[at + 1] < 40 && pixels[at + 2] < 40
            }.count
        }
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(zoom: 1)) }
        let capture = try ImageCapture(track)
        _ = try await capture.grabFrame()
        let unzoomed = try await freshPixels(capture)
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(zoom: 2)) }
        let zoomed = try await freshPixels(capture)
        #expect(abs(markerWidth(unzoomed) - 60) <= 2)  // 480 / 8
        #expect(abs(markerWidth(zoomed) - 120) <= 4)  // twice as large
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(brightness: 10)) }
        let brighter = try await freshPixels(capture)
        // The red quadrant's green and blue rise when brightness goes up.
        #expect(Int(brighter[(120 * 640 + 100) * 4 + 1]) > Int(zoomed[(120 * 640 + 100) * 4 + 1]) + 30)
    }

    /// A frame that certainly reflects the last change: skip the ones already in flight.
    func freshPixels(_ capture: ImageCapture) async throws -> [UInt8] {
        for _ in 0..<3 { _ = try await capture.grabFrame() }
        return try await capture.grabFrame().rgbaBytes()
    }

    @Test("Live mode changes: width and height switch the camera without ending the track")
    func liveModeChange() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let events = track.events
        try await within(10) { try await track.applyConstraints(MediaTrackConstraints(width: .exact(1280), height: .exact(720))) }
        #expect(track.getSettings().width == 1280 && track.getSettings().height == 720 && track.readyState == .live)
        let frame = try await ImageCapture(track).grabFrame()
        #expect(frame.width == 1280 && frame.height == 720)
        let error = try await domException {
            try await track.applyConstraints(MediaTrackConstraints(width: .exact(1000)))
        }
        #expect(error.constraint == "width")
        #expect(track.getSettings().width == 1280)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5) == [.mute, .unmute])
    }

    @Test("An ended track's applyConstraints resolves without effect")
    func endedTrack() async throws {
        let track = try await openVideo()
        track.stop()
        try await within(5) { try await track.applyConstraints(MediaTrackConstraints(width: .exact(99999))) }
        #expect(track.getConstraints() == MediaTrackConstraints())
    }
}
