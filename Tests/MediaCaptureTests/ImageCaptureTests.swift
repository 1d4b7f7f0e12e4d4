// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
@testable import GStreamerWrapper
@testable import MediaCapture
import Locking
import TestSupport
import Testing

@Suite("ImageCapture", .timeLimit(.minutes(1)))
struct ImageCaptureTests {
    typealias Method = @Sendable (ImageCapture) async throws -> Void
    static let methods: [(String, Method)] = [
        ("grabFrame", { _ = try await $0.grabFrame() }),
        ("takePhoto", { _ = try await $0.takePhoto() }),
        ("getPhotoCapabilities", { _ = try await $0.getPhotoCapabilities() }),
        ("getPhotoSettings", { _ = try await $0.getPhotoSettings() }),
    ]

    /// A photo takes the JPEG of its own shutter opening. With "the next JPEG after the call", a photo
    /// that gave up while its frame was still being encoded handed its JPEG, an older frame, to the
    /// next photo. Here the first photo's JPEG (quality 10) is held past its deadline; the next photo
    /// (quality 100) must still be its own frame, not that small JPEG.
    @Test("A JPEG that comes after its photo gave up is never the next photo's")
    func lateJPEGIsNotTheNextPhoto() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let pipeline = try #require(track.video?.source.capturer.pipeline)
        let held = Locked(0)
        try #require(pipeline.element(named: "encoder")?.staticPad("src")).addBufferProbe { _ in
            let first = held.withLock { count in
                defer { count += 1 }
                return count == 0
            }
            if first { usleep(1_500_000) }  // the photo branch's thread, past the first photo's deadline
            return .pass
        }
        let small = try ImageCapture(track, options: ImageCapture.Options(photoTimeout: .seconds(1), jpegQuality: 10))
        let large = try ImageCapture(track, options: ImageCapture.Options(photoTimeout: .seconds(5), jpegQuality: 100))
        let late = try await domException { _ = try await small.takePhoto() }
        #expect(late.name == .unknownError)
        let photo = try await within(10) { try await large.takePhoto() }
        let reference = try await within(10) { try await small.takePhoto() }
        #expect(photo.size > 2 * reference.size, "the photo is \(photo.size) bytes, a quality-10 one \(reference.size)")
        #expect(held.withLock { $0 } == 3)
    }

    @Test("The constructor: NotSupportedError for an audio track; the track is the same object")
    func constructor() async throws {
        let stream = try await within(10) {
            try await fakeDevices(microphone: true).getUserMedia(MediaStreamConstraints(video: true, audio: true))
        }
        defer { stream.stopAllTracks() }
        #expect(throws: DOMException(.notSupportedError, "ImageCapture needs a video track; this one is audio.")) {
            _ = try ImageCapture(stream.getAudioTracks()[0])
        }
        let video = stream.getVideoTracks()[0]
        #expect(try ImageCapture(video).track === video)
    }

    @Test("All four methods reject InvalidStateError on an ended track and on a disabled track")
    func invalidState() async throws {
        let ended = try await openVideo()
        ended.stop()
        let disabled = try await openVideo()
        defer { disabled.stop() }
        disabled.enabled = false
        for track in [ended, disabled] {
            let capture = try ImageCapture(track)  // constructing on an ended track succeeds
            for (name, method) in Self.methods {
                let error = try await domException { try await method(capture) }
                #expect(error.name == .invalidStateError, "\(name)")
            }
        }
        disabled.enabled = true
        _ = try await ImageCapture(disabled).grabFrame()
    }

    @Test("grabFrame on a solid-colour camera at an odd width: the track's size, every pixel the colour")
    func grabFrameSolidColour() async throws {
        let camera = FakeCamera(pattern: .solidColor(argb: 0xFFFF_0000), modes: [VideoMode(width: 321, height: 241)])
        let track = try await openVideo(fakeDevices(camera))
        defer { track.stop() }
        let frame = try await ImageCapture(track).grabFrame()
        #expect(frame.width == track.getSettings().width && frame.height == track.getSettings().height)
        #expect(frame.width == 321 && frame.height == 241)
        let pixels = try frame.rgbaBytes()
        let wrong = stride(from: 0, to: pixels.count, by: 4).filter {
            pixels[$0] < 253 || pixels[$0 + 1] > 2 || pixels[$0 + 2] > 2 || pixels[$0 + 3] != 255
        }.count
        #expect(wrong == 0)
        // Zero-copy access sees the same pixel through its stride.
        let first = try frame.withUnsafeBytes { Array($0.prefix(4)) }
        #expect(first == Array(pixels.prefix(4)))
        frame.close()
        #expect(frame.isClosed)
        #expect(throws: DOMException.self) { _ = try frame.rgbaBytes() }
        #expect(throws: DOMException.self) { try frame.withUnsafeBytes { _ in } }
    }

    @Test("ImageBitmap.encode: PNG and JPEG; other types NotSupportedError; a closed bitmap InvalidStateError")
    func encode() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let frame = try await ImageCapture(track).grabFrame()
        let png = try await within(10) { try await frame.encode(type: "image/png") }
        #expect(png.type == "image/png" && png.bytes.prefix(4) == [0x89, 0x50, 0x4E, 0x47])
        let jpeg = try await within(10) { try await frame.encode(type: "image/jpeg") }
        #expect(try await decodeJPEG(jpeg).width == 640)
        #expect(try await domException { _ = try await frame.encode(type: "image/webp") }.name == .notSupportedError)
        frame.close()
        #expect(try await domException { _ = try await frame.encode() }.name == .invalidStateError)
    }

    @Test("ImageBitmap.encode's JPEG quality as toBlob's: 0...1 changes the size; NaN, out of range or none is 0.92; PNG ignores it")
    func encodeQuality() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(pattern: .checkers1)))
        defer { track.stop() }
        let frame = try await ImageCapture(track).grabFrame()
        func jpeg(_ quality: Double?) async throws -> Blob {
            try await within(10) { try await frame.encode(type: "image/jpeg", quality: quality) }
        }
        let low = try await jpeg(0.1), high = try await jpeg(1.0)
        #expect(high.size > 2 * low.size, "quality 1.0: \(high.size) bytes, 0.1: \(low.size)")
        #expect(try await decodeJPEG(low).width == 640)
        #expect(try await decodeJPEG(high).width == 640)
        // One frame, one quality: the same bytes (jpegenc is deterministic).
        let standard = try await jpeg(nil)
        #expect(try await jpeg(0.92).bytes == standard.bytes)
        for ignored in [Double.nan, -0.5, 1.5, .infinity] {
            #expect(try await jpeg(ignored).bytes == standard.bytes, "quality \(ignored)")
        }
        #expect(standard.size > low.size && standard.size < high.size)
        let png = try await within(10) { try await frame.encode(type: "image/png", quality: 0.1) }
        let plain = try await within(10) { try await frame.encode(type: "image/png") }
        #expect(png.bytes == plain.bytes)
    }

    @Test("64 concurrent grabFrame calls all resolve; a held frame is handed out at once, then the next")
    func concurrentGrabs() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let sizes = try await within(10) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<64 { group.addTask { try await capture.grabFrame().width } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(sizes.count == 64 && sizes.allSatisfy { $0 == 640 })
        // A second ImageCapture has handed nothing out: it gets the frame the track holds, not a later one.
        let other = try ImageCapture(track)
        let held = try #require(track.branch?.hub.latest?.sequence)
        _ = try await within(5) { try await other.grabFrame() }
        #expect(other.lastHandedOut == held || other.lastHandedOut == held + 1)  // +1: a frame raced the call
    }

    @Test("grabFrame on a stalled camera: UnknownError after the deadline; cancelling: AbortError, no waiter left")
    func grabFrameFailures() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.stallAfterFrames(2)])))
        defer { track.stop() }
        try await Task.sleep(for: .milliseconds(200))
        let capture = try ImageCapture(track, options: .init(frameTimeout: .milliseconds(300)))
        _ = try await capture.grabFrame()  // the frame the track holds
        let error = try await domException { _ = try await capture.grabFrame() }
        #expect(error.name == .unknownError && error.message.contains("no frame"))

        let patient = try ImageCapture(track, options: .init(frameTimeout: .seconds(30)))
        _ = try await patient.grabFrame()  // the held frame again: this ImageCapture had not had it
        let waiting = Task { try await patient.grabFrame() }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        let cancelled = try await domException { _ = try await waiting.value }
        #expect(cancelled.name == .abortError)
        #expect(track.branch?.hub.pendingCount == 0)
    }

    @Test("takePhoto(): a JPEG that decodes to the stream's size")
    func defaultPhoto() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let photo = try await within(10) { try await ImageCapture(track).takePhoto() }
        let decoded = try await decodeJPEG(photo)
        #expect(decoded.width == 640 && decoded.height == 480)
    }

    @Test("A 3264×2448 photo on a 640×480 track is a native capture; the track stays unmuted and keeps its size")
    func highResolutionPhoto() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(pattern: .checkers1)))
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let before = try await capture.grabFrame()
        #expect(before.width == 640 && before.height == 480)
        let events = track.events
        let photo = try await within(20) { try await capture.takePhoto(PhotoSettings(imageHeight: 2448, imageWidth: 3264)) }
        let decoded = try await decodeJPEG(photo)
        #expect(decoded.width == 3264 && decoded.height == 2448)
        // A one-pixel checkerboard survives only in a native capture: an upscale would blur it.
        var alternating = 0, checked = 0
        for y in stride(from: 100, to: 2400, by: 97) {
            for x in stride(from: 100, to: 3200, by: 89) {
                checked += 1
                if abs(decoded.at(x, y) - decoded.at(x + 1, y)) > 100 && abs(decoded.at(x, y) - decoded.at(x, y + 1)) > 100 {
                    alternating += 1
                }
            }
        }
        #expect(alternating == checked)
        let after = try await capture.grabFrame()
        #expect(after.width == 640 && after.height == 480)
        #expect(track.getSettings().width == 640 && !track.muted)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5) == [])
    }

    @Test("Native stills keep a viewfinder running: a grab loop during three 3264×2448 stills is never refused")
    func viewfinderDuringStills() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let events = track.events
        let viewfinder = try ImageCapture(track)
        let running = Locked(true)
        let grabber = Task { () -> (frames: Int, problems: [String]) in
            var frames = 0, problems: [String] = []
            while running.withLock({ $0 }) {
                do {
                    let frame = try await viewfinder.grabFrame()
                    if frame.width != 640 || frame.height != 480 { problems.append("a \(frame.width)x\(frame.height) frame") }
                    frames += 1
                } catch {
                    problems.append("\(error)")
                }
            }
            return (frames, problems)
        }
        let camera = try ImageCapture(track)
        for _ in 0..<3 {
            let photo = try await within(20) { try await camera.takePhoto(PhotoSettings(imageHeight: 2448, imageWidth: 3264)) }
            #expect(photo.type == "image/jpeg")
        }
        running.withLock { $0 = false }
        let result = try await within(10) { await grabber.value }
        #expect(result.problems.isEmpty, "\(result.problems.prefix(5))")
        #expect(result.frames >= 3)  // frames kept coming (about one per 33 ms)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5) == [])
    }

    @Test("Only one of width and height: the other follows the stream's aspect ratio")
    func oneDimension() async throws {
        let track = try await openVideo(fakeDevices(), MediaTrackConstraints(width: .ideal(1280), height: .ideal(720)))
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let byWidth = try await decodeJPEG(try await capture.takePhoto(PhotoSettings(imageWidth: 640)))
        #expect(byWidth.width == 640 && byWidth.height == 360)
        let byHeight = try await decodeJPEG(try await capture.takePhoto(PhotoSettings(imageHeight: 240)))
        #expect(byHeight.width == 427 && byHeight.height == 240)
        // The last chosen size is the photo settings' size now.
        let settings = try await capture.getPhotoSettings()
        #expect(settings.imageWidth == 427 && settings.imageHeight == 240)
    }

    @Test("Invalid photo settings: NotSupportedError before the camera is touched")
    func invalidSettings() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(redEyeReduction: .never, fillLightModes: [.auto, .flash])))
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let capabilities = try await capture.getPhotoCapabilities()
        let width = try #require(capabilities.imageWidth), height = try #require(capabilities.imageHeight)
        let invalid = [
            PhotoSettings(imageWidth: width.max! + 1), PhotoSettings(imageWidth: width.min! - 1),
            PhotoSettings(imageHeight: height.max! + 1), PhotoSettings(imageHeight: height.min! - 1),
            PhotoSettings(redEyeReduction: false), PhotoSettings(fillLightMode: .off),
        ]
        for settings in invalid {
            let error = try await domException { _ = try await capture.takePhoto(settings) }
            #expect(error.name == .notSupportedError, "\(settings)")
        }
        let valid = try await capture.takePhoto(PhotoSettings(fillLightMode: .flash, imageHeight: height.min!, imageWidth: width.min!))
        #expect(try await decodeJPEG(valid).width == Int(width.min!))
        #expect(try await capture.getPhotoSettings().fillLightMode == .flash)
    }

    @Test("16 concurrent takePhoto calls all resolve with valid JPEGs; equal ones share a capture")
    func concurrentPhotos() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        let photos = try await within(30) {
            try await withThrowingTaskGroup(of: Blob.self) { group in
                for index in 0..<16 {
                    let settings = index % 2 == 0 ? PhotoSettings() : PhotoSettings(imageHeight: 240, imageWidth: 320)
                    group.addTask { try await capture.takePhoto(settings) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(photos.count == 16)
        for photo in Set(photos) { _ = try await decodeJPEG(photo) }
        #expect(Set(photos).count < 16)  // calls that waited together got the same photo
    }

    @Test("Sequential photos each start a job and all succeed (the worker never drops an awaited job)")
    func sequentialPhotos() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(modes: [VideoMode(width: 320, height: 240)])))
        defer { track.stop() }
        for _ in 0..<30 {
            let photo = try await within(5) { try await ImageCapture(track).takePhoto() }
            #expect(photo.bytes.prefix(2) == [0xFF, 0xD8])
        }
    }

    @Test("Stopping the track with photos and grabs in flight settles every call with the spec's names")
    func stopSettlesEverything() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.stallAfterFrames(5)])))
        let capture = try ImageCapture(track, options: .init(frameTimeout: .seconds(30), photoTimeout: .seconds(30)))
        try await Task.sleep(for: .milliseconds(300))  // stalled: nothing more arrives
        _ = try? await capture.grabFrame()
        let calls = (0..<8).map { index in
            Task { () -> DOMException.Name? in
                do {
                    if index % 2 == 0 { _ = try await capture.grabFrame() } else { _ = try await capture.takePhoto() }
                    return nil
                } catch { return (error as? DOMException)?.name }
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        track.stop()
        let names = try await within(5, "every call to settle") {
            var names: [DOMException.Name?] = []
            for call in calls { names.append(await call.value) }
            return names
        }
        #expect(names.allSatisfy { $0 == .unknownError }, "\(names)")
    }

    @Test("Cancelling a takePhoto: AbortError for it alone")
    func cancelPhoto() async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.stallAfterFrames(5)])))
        defer { track.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let capture = try ImageCapture(track, options: .init(photoTimeout: .seconds(30)))
        let first = Task { try await capture.takePhoto() }
        let second = Task { try await capture.takePhoto() }
        try await Task.sleep(for: .milliseconds(100))
        first.cancel()
        #expect(try await domException { _ = try await first.value }.name == .abortError)
        second.cancel()
        #expect(try await domException { _ = try await second.value }.name == .abortError)
    }

    @Test("getPhotoCapabilities on the fake camera is the reference profile")
    func referenceCapabilities() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let capture = try ImageCapture(track)
        #expect(
            try await capture.getPhotoCapabilities()
                == PhotoCapabilities(
                    redEyeReduction: .controllable, imageHeight: MediaSettingsRange(min: 240, max: 2448, step: 2),
                    imageWidth: MediaSettingsRange(min: 320, max: 3264, step: 3), fillLightMode: [.auto, .flash]))
        #expect(
            try await capture.getPhotoSettings()
                == PhotoSettings(
                    fillLightMode: .auto, imageHeight: 480, imageWidth: 640, redEyeReduction: false))
    }

    @Test(
        "Stopping the track while the photo state is gathered: OperationError",
        arguments: ["getPhotoCapabilities", "getPhotoSettings"])
    func operationError(_ method: String) async throws {
        let track = try await openVideo(fakeDevices(FakeCamera(faults: [.photoStateDelay(.milliseconds(300))])))
        let capture = try ImageCapture(track)
        let call = Task {
            if method == "getPhotoSettings" { _ = try await capture.getPhotoSettings() } else { _ = try await capture.getPhotoCapabilities() }
        }
        try await Task.sleep(for: .milliseconds(50))
        track.stop()
        #expect(try await domException { try await call.value }.name == .operationError)
    }
}
