// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Foundation
@testable import MediaCapture
import TestSupport
import Testing

/// Zero shutter lag, bursts and brackets on the fake camera.
@Suite("Zero shutter lag, bursts and brackets", .timeLimit(.minutes(1)))
struct PhotoSeriesTests {
    static let fiveFPS = FakeCamera(modes: [VideoMode(width: 640, height: 480, frameRate: 5), VideoMode(width: 1280, height: 720, frameRate: 5)])

    static func meanLuminance(_ photo: Blob) async throws -> Double {
        let image = try await decodeJPEG(photo)
        return Double(image.gray.reduce(0) { $0 + Int($1) }) / Double(max(1, image.gray.count))
    }

    // MARK: - Zero shutter lag

    @Test("With zero shutter lag, a photo is of the newest frame captured at or before the call; without it, of one after")
    func zeroShutterLag() async throws {
        let track = try await openVideo(fakeDevices(Self.fiveFPS))
        defer { track.stop() }
        let lagless = try ImageCapture(track, options: .init(zeroShutterLag: true))
        let photoBranch = try #require(track.video?.source.capturer.photo)
        // Two frames after the hold began: at least one is held. The first photo configures the
        // branch between two frames (its size): the frame it uses is still the one held at the call.
        _ = try await nextFrame(track)
        _ = try await nextFrame(track)
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 10...190)))
            let called = ContinuousClock.now
            let photo = try await within(10) { try await lagless.takePhoto() }
            let captured = try #require(photo.metadata?.captureTime)
            #expect(photo.metadata?.photoOrigin == .heldFrame)
            #expect(captured <= called, "captured \(captured - called) after the call")
            #expect(called - captured < .milliseconds(400), "the newest frame held, not an older one: \(called - captured)")
            #expect(photo.metadata?.frameNumber != nil && photo.metadata?.settings?.width == 640)
            #expect(try await decodeJPEG(photo).width == 640)
            #expect((1...PhotoBranch.heldFrameLimit).contains(photoBranch.heldFrameCount))
        }
        // Without it: a frame from after the call.
        let plain = try ImageCapture(track)
        let called = ContinuousClock.now
        let photo = try await within(10) { try await plain.takePhoto() }
        #expect(photo.metadata?.photoOrigin == .nextFrame)
        #expect(try #require(photo.metadata?.captureTime) > called - .milliseconds(50))
    }

    @Test(
        "Zero shutter lag falls back to the next frame for a native mode switch and for a fill light, and says so; frames are held only while it is wanted"
    )
    func zeroShutterLagFallsBack() async throws {
        let track = try await openVideo(fakeDevices(Self.fiveFPS))
        defer { track.stop() }
        let photoBranch = try #require(track.video?.source.capturer.photo)
        do {
            let capture = try ImageCapture(track, options: .init(zeroShutterLag: true))
            _ = try await nextFrame(track)
            _ = try await nextFrame(track)
            let called = ContinuousClock.now
            let large = try await within(10) { try await capture.takePhoto(PhotoSettings(imageHeight: 720, imageWidth: 1280)) }
            #expect(large.metadata?.photoOrigin == .nextFrameAfterModeSwitch)
            #expect(try #require(large.metadata?.captureTime) > called)
            #expect(try await decodeJPEG(large).width == 1280)
            let lit = try await within(10) { try await capture.takePhoto(PhotoSettings(fillLightMode: .flash, imageHeight: 480, imageWidth: 640)) }
            #expect(lit.metadata?.photoOrigin == .nextFrameForFillLight)
            #expect(photoBranch.heldFrameCount > 0)
        }
        // Released with the last ImageCapture that wanted it.
        _ = try await nextFrame(track)
        #expect(photoBranch.heldFrameCount == 0)
    }

    // MARK: - Bursts

    @Test("A burst without an interval is of consecutive frames; with one, of frames that far apart")
    func bursts() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let burst = try await within(15) { try await capture.takePhotoBurst(count: 5, PhotoSettings(imageHeight: 240, imageWidth: 320)) }
        #expect(burst.count == 5)
        let numbers = burst.compactMap { $0.metadata?.frameNumber }
        #expect(numbers.count == 5 && zip(numbers, numbers.dropFirst()).allSatisfy { $1 == $0 + 1 }, "\(numbers)")
        for photo in burst { #expect(try await decodeJPEG(photo).width == 320) }
        let start = ContinuousClock.now
        let spaced = try await within(15) { try await capture.takePhotoBurst(count: 3, interval: .milliseconds(150)) }
        let times = try spaced.map { try #require($0.metadata?.captureTime) }
        #expect(times.count == 3)
        for (index, time) in times.enumerated() {
            // The first frame at or after each multiple: captured after it, within a few frames.
            let due = start + .milliseconds(150) * index
            #expect(time > due - .milliseconds(40) && time < due + .milliseconds(150), "photo \(index): \(time - due) from its instant")
        }
        let tooMany = try await domException { _ = try await capture.takePhotoBurst(count: 101) }
        #expect(tooMany.name == .typeError)
        let none = try await domException { _ = try await capture.takePhotoBurst(count: 0) }
        #expect(none.name == .typeError)
        let backwards = try await domException { _ = try await capture.takePhotoBurst(count: 2, interval: .milliseconds(-1)) }
        #expect(backwards.name == .typeError)
        let huge = try await domException { _ = try await capture.takePhotoBurst(count: 100, interval: .seconds(Int64.max)) }
        #expect(huge.name == .typeError)

        // A slow burst nobody waits for any more stops: photos after it do not wait out its interval.
        let slow = Task { try await capture.takePhotoBurst(count: 3, interval: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(300))
        slow.cancel()
        #expect(try await domException { _ = try await slow.value }.name == .abortError)
        let next = try await within(3, "a photo after the abandoned burst") { try await capture.takePhoto() }
        #expect(next.metadata?.captureTime != nil)
    }

    // MARK: - Brackets

    @Test(
        "A bracket of exposureCompensation -2/0/+2: three photos of increasing brightness, each showing its value; the settings and constraints are back afterwards"
    )
    func exposureBracket() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let before = track.getSettings(), constraints = track.getConstraints()
        let values = [-2.0, 0, 2]
        let photos = try await within(20) {
            try await capture.takePhotoBracket(values.map { MediaTrackConstraintSet(exposureCompensation: .value($0)) })
        }
        #expect(photos.count == 3)
        #expect(photos.map { $0.metadata?.settings?.exposureCompensation } == values)
        let luminance = try await photos.asyncMap { try await Self.meanLuminance($0) }
        #expect(luminance[0] + 5 < luminance[1] && luminance[1] + 5 < luminance[2], "\(luminance)")
        #expect(track.getSettings().exposureCompensation == before.exposureCompensation)
        #expect(track.getConstraints() == constraints)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/exiftool") {
            let biases = try await photos.asyncMap { try await ExifTests.read($0)["EXIF:ExposureCompensation"] as? Double }
            #expect(biases == values)
        }
    }

    @Test("A bracket the camera cannot apply is OverconstrainedError before any photo; a cancelled one is AbortError with the settings restored")
    func bracketErrors() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let before = track.getSettings()
        let outside = try await domException {
            _ = try await capture.takePhotoBracket([
                MediaTrackConstraintSet(exposureCompensation: .value(0)), MediaTrackConstraintSet(exposureCompensation: .value(500)),
            ])
        }
        #expect(outside.name == .overconstrainedError && outside.constraint == "exposureCompensation", "\(outside)")
        let mode = try await domException { _ = try await capture.takePhotoBracket([MediaTrackConstraintSet(width: .value(320))]) }
        #expect(mode.name == .overconstrainedError && mode.constraint == "width", "\(mode)")
        #expect(track.getSettings().exposureCompensation == before.exposureCompensation, "nothing applied before the error")
        #expect(try await within(5) { try await capture.takePhotoBracket([]) }.isEmpty)

        let bracket = Task { try await capture.takePhotoBracket([-2.0, 2, -2, 2].map { MediaTrackConstraintSet(exposureCompensation: .value($0)) }) }
        try await Task.sleep(for: .milliseconds(50))
        bracket.cancel()
        let cancelled = try await domException { _ = try await bracket.value }
        #expect(cancelled.name == .abortError)
        #expect(track.getSettings().exposureCompensation == before.exposureCompensation)

        let plain = try await openVideo(fakeDevices(FakeCamera(label: "Plain", controls: .plain)))
        defer { plain.stop() }
        let lacking = try await domException {
            _ = try await ImageCapture(plain).takePhotoBracket([MediaTrackConstraintSet(exposureCompensation: .value(0))])
        }
        #expect(lacking.name == .overconstrainedError && lacking.constraint == "exposureCompensation")
        // Empty sets need no control: one photo each, on any camera.
        let unchanged = try await within(10) {
            try await ImageCapture(plain).takePhotoBracket([MediaTrackConstraintSet(), MediaTrackConstraintSet()])
        }
        #expect(unchanged.count == 2)
    }
}

extension Array where Element: Sendable {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
