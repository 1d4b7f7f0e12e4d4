// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
import GStreamerWrapper
@testable import MediaCapture
import TestSupport
import Testing

/// Every photo's EXIF, read back by a reader nobody here wrote: Debian's exiftool.
@Suite(
    "EXIF", .timeLimit(.minutes(1)),
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/exiftool"), "no exiftool (libimage-exiftool-perl)"))
struct ExifTests {
    /// exiftool's reading of `photo`'s tags: dates as Unix seconds, the other values as numbers.
    static func read(_ photo: Blob) async throws -> [String: Any] {
        let path = "/tmp/exif-test-\(Identifiers.random()).jpg"
        try Data(photo.bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await runProcess("/usr/bin/exiftool", ["-j", "-G0", "-a", "-n", path], seconds: 20)
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [[String: Any]]
        return try #require(parsed?.first)
    }

    @Test(
        "A photo's EXIF: the camera, the software, the capture time within a second of the call, its pixel size, orientation, exposure settings, no flash, no location"
    )
    func fields() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(fillLightModes: [])))
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let called = Date().timeIntervalSince1970
        let photo = try await within(10) { try await capture.takePhoto(PhotoSettings(imageHeight: 240, imageWidth: 320)) }
        let returned = Date().timeIntervalSince1970
        let tags = try await Self.read(photo)
        #expect(tags["EXIF:Model"] as? String == track.label)
        #expect(tags["EXIF:Make"] as? String == "swift-media-capture", "the fake camera names its maker")
        #expect(tags["EXIF:DigitalZoomRatio"] == nil, "pan-tilt-zoom was not granted: the picture is not zoomed")
        #expect(tags["EXIF:Software"] as? String == "swift-media-capture")
        #expect(tags["EXIF:ExifImageWidth"] as? Int == 320 && tags["EXIF:ExifImageHeight"] as? Int == 240)
        #expect(tags["EXIF:Orientation"] as? Int == 1)
        #expect(tags["EXIF:Flash"] as? Int == 0x20, "a camera without a flash: \(tags["EXIF:Flash"] ?? "none")")
        // DateTimeOriginal with its sub-seconds and offset: the frame's capture time.
        let date = try #require(tags["EXIF:DateTimeOriginal"] as? String, "\(tags)")
        // exiftool writes "000"-"099" as a string, other values as numbers.
        let subSecondsText = try #require(tags["EXIF:SubSecTimeOriginal"].map { "\($0)" })
        let subSeconds = try #require(Int(subSecondsText), "\(subSecondsText)")
        #expect(tags["EXIF:OffsetTimeOriginal"] is String)
        // DateTimeOriginal is local time (as cameras write it): to Unix seconds with the offset.
        let captured = try Self.unixTime(date, offset: try #require(tags["EXIF:OffsetTimeOriginal"] as? String)) + Double(subSeconds) / 1000
        #expect(captured > called - 1 && captured < returned + 0.01, "captured \(captured), called \(called), returned \(returned)")
        // The exposure settings the fake camera has in force (an exposure time only when manual).
        let settings = track.getSettings()
        #expect(settings.exposureMode == "manual")
        #expect(tags["EXIF:ExposureTime"] as? Double == (settings.exposureTime ?? 0) / 10_000, "\(tags["EXIF:ExposureTime"] ?? "none")")
        try await within(5) { try await track.applyConstraints(MediaTrackConstraints(exposureTime: .exact(100))) }
        // A photo is of a frame that reached the shutter after the call, which may have been captured
        // just before the write landed (frames in flight): wait for a frame captured under it.
        try await Self.waitForFrame(of: track) { $0.exposureTime == 100 }
        let short = try await Self.read(try await within(10) { try await capture.takePhoto() })
        #expect(short["EXIF:ExposureTime"] as? Double == 0.01, "100 × 100 µs is 1/100 s: \(short["EXIF:ExposureTime"] ?? "none")")
        try await within(5) { try await track.applyConstraints(MediaTrackConstraints(exposureMode: "continuous")) }
        try await Self.waitForFrame(of: track) { $0.exposureMode == "continuous" }
        let automatic = try await Self.read(try await within(10) { try await capture.takePhoto() })
        #expect(automatic["EXIF:ExposureTime"] == nil, "an exposure time was written under automatic exposure")
        #expect(abs((tags["EXIF:ExposureCompensation"] as? Double ?? .nan) - (settings.exposureCompensation ?? 0)) < 0.01)
        #expect(tags["EXIF:WhiteBalance"] as? Int == 0)  // automatic ("continuous")
        #expect(!tags.keys.contains { $0.contains("GPS") }, "a location was written")
        // The photo still decodes, at its size.
        #expect(try await decodeJPEG(photo).width == 320)
    }

    @Test("ImageCapture.Options(exif: false) writes no EXIF; a flash photo says the flash fired")
    func switchedOffAndFlash() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let bare = try await within(10) { try await ImageCapture(track, options: ImageCapture.Options(exif: false)).takePhoto() }
        let tags = try await Self.read(bare)
        #expect(!tags.keys.contains { $0.hasPrefix("EXIF:") }, "\(tags.keys.sorted())")
        let flash = try await openVideo(try CaptureCoreTests.flashCamera())
        defer { flash.stop() }
        let capture = try ImageCapture(flash)
        let fired = try await within(15) { try await capture.takePhoto(PhotoSettings(fillLightMode: .flash)) }
        #expect(try await Self.read(fired)["EXIF:Flash"] as? Int == 1)
        let unlit = try await within(15) { try await capture.takePhoto(PhotoSettings(fillLightMode: .off)) }
        #expect(try await Self.read(unlit)["EXIF:Flash"] as? Int == 0)
    }

    @Test("DigitalZoomRatio: the fake camera's digital zoom while pan-tilt-zoom is granted (below 1 is none); none for a V4L2 zoom in driver units")
    func digitalZoom() async throws {
        let track = try await openVideo(fakeDevices(), FakeControlsTests.panTiltZoom)
        defer { track.stop() }
        let capture = try ImageCapture(track)
        #expect(track.getSettings().zoom == 5)
        let standard = try await Self.read(try await within(10) { try await capture.takePhoto() })
        #expect(standard["EXIF:DigitalZoomRatio"] as? Double == 5, "\(standard["EXIF:DigitalZoomRatio"] ?? "none")")
        for (zoom, ratio) in [(2.5, 2.5), (0.0, 1.0)] {
            try await within(5) { try await track.applyConstraints(MediaTrackConstraints(zoom: .double(.exact(zoom)))) }
            try await Self.waitForFrame(of: track) { $0.zoom == zoom }
            let tags = try await Self.read(try await within(10) { try await capture.takePhoto() })
            #expect(tags["EXIF:DigitalZoomRatio"] as? Double == ratio, "zoom \(zoom): \(tags["EXIF:DigitalZoomRatio"] ?? "none")")
        }

        // A recorded C920: zoom_absolute 100...500 is the driver's unit, not a ratio; no vendor is known.
        let webcam = try await openVideo(
            MediaDevices(devices: [.recorded(controls: try CaptureCoreTests.fixture("logitech-c920.ctrls.txt"), formats: nil)], timing: .test),
            FakeControlsTests.panTiltZoom)
        defer { webcam.stop() }
        #expect(webcam.getSettings().zoom == 100)
        let recorded = try await Self.read(try await within(10) { try await ImageCapture(webcam).takePhoto() })
        #expect(recorded["EXIF:DigitalZoomRatio"] == nil && recorded["EXIF:Make"] == nil, "\(recorded.keys.sorted())")
        #expect(recorded["EXIF:Model"] as? String == webcam.label)
    }

    @Test("Make of a listed camera: udev's vendor name, its \\x escapes decoded; none when udev names none")
    func vendorName() {
        func vendor(_ properties: [String: String]) -> String? {
            DeviceDescription(displayName: "HD Pro Webcam C920", deviceClass: "Video/Source", properties: properties, caps: nil).vendorName
        }
        #expect(vendor(["device.vendor.name": "Logitech, Inc."]) == "Logitech, Inc.")
        #expect(vendor(["device.vendor.name": "Sonix\\x20Technology\\x20Co.\\x2c\\x20Ltd."]) == "Sonix Technology Co., Ltd.")
        #expect(vendor(["device.vendor.name": "odd\\xZZ\\x2"]) == "odd\\xZZ\\x2")
        #expect(vendor(["device.vendor.name": " "]) == nil && vendor(["device.path": "/dev/video0"]) == nil)
    }

    /// Waits (bounded) for a frame of `track` captured with settings that satisfy `condition`.
    static func waitForFrame(of track: MediaStreamTrack, _ condition: @escaping @Sendable (MediaTrackSettings) -> Bool) async throws {
        try await within(10, "a frame under the new settings") {
            for await frame in track.frames() where frame.metadata.settings.map(condition) == true { return }
        }
    }

    /// "2026:12:07 13:35:01" in the zone "+01:00", as Unix seconds.
    static func unixTime(_ text: String, offset: String) throws -> Double {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == " " }).compactMap { Int($0) }
        try #require(parts.count == 6, "\(text)")
        var components = DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
        let sign = offset.hasPrefix("-") ? -1 : 1
        let zone = offset.dropFirst().split(separator: ":").compactMap { Int($0) }
        try #require(zone.count == 2, "\(offset)")
        components.timeZone = TimeZone(secondsFromGMT: sign * (zone[0] * 3600 + zone[1] * 60))
        return try #require(Calendar(identifier: .gregorian).date(from: components)).timeIntervalSince1970
    }
}
