// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import TestSupport
import Testing

@Suite("getUserMedia", .timeLimit(.minutes(1)))
struct GetUserMediaTests {
    @Test("No constraints: one live video track of 640×480 at 30 Hz, settings as negotiated")
    func defaultTrack() async throws {
        let devices = fakeDevices()
        let stream = try await within(10) { try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
        #expect(stream.getTracks().count == 1 && stream.getAudioTracks().isEmpty && stream.active)
        let track = try #require(stream.getVideoTracks().first)
        defer { track.stop() }
        #expect(track.kind == "video" && track.readyState == .live && track.enabled && !track.muted)
        #expect(track.label == "Fake Camera")
        let settings = track.getSettings()
        #expect(settings.width == 640 && settings.height == 480 && settings.frameRate == 30)
        #expect(settings.aspectRatio == 640.0 / 480.0 && settings.resizeMode == "none")
        let info = try #require(try await devices.enumerateDevices().first)
        #expect(settings.deviceId == info.deviceId && settings.groupId == info.groupId)
        let frame = try await nextFrame(track)
        #expect(frame.width == 640 && frame.height == 480)
    }

    @Test("A getUserMedia whose task is cancelled while the camera opens rejects with AbortError naming the camera, and frees it")
    func cancelledOpen() async throws {
        let silent = FakeCamera(faults: [.stallAfterFrames(0)])  // opens, never delivers a first frame
        let devices = fakeDevices(silent)
        let opening = Task { try await devices.getUserMedia(MediaStreamConstraints(video: true)) }
        try await Task.sleep(for: .milliseconds(300))
        opening.cancel()
        let error = try await within(5, "the cancelled open") { () async -> (any Error)? in
            do { _ = try await opening.value; return nil } catch { return error }
        }
        let exception = try #require(error as? DOMException)
        #expect(exception.name == .abortError && exception.message.contains("Opening \(silent.label) was cancelled"), "\(exception)")
        // The camera is free again: another instance can open it (a working one of the same label).
        try await openVideo(fakeDevices(FakeCamera(label: silent.label))).stop()
    }

    @Test("Ideal 1280×720 selects 1280×720")
    func idealSize() async throws {
        let track = try await openVideo(fakeDevices(), MediaTrackConstraints(width: .ideal(1280), height: .ideal(720)))
        defer { track.stop() }
        #expect(track.getSettings().width == 1280 && track.getSettings().height == 720)
        #expect(track.getSettings().frameRate == 30)  // the tie between 30 and 15 goes to the default
        let frame = try await nextFrame(track)
        #expect(frame.width == 1280 && frame.height == 720)
    }

    @Test("An exact frame rate selects it; bare values at the top level are ideal")
    func exactFrameRateAndBareIdeal() async throws {
        let slow = try await openVideo(fakeDevices(), MediaTrackConstraints(width: 1900, frameRate: .exact(15)))
        defer { slow.stop() }
        #expect(slow.getSettings().frameRate == 15 && slow.getSettings().width == 1920)
    }

    @Test("crop-and-scale includes each native size itself: an exact crop-and-scale alone resolves, at a native size too")
    func cropAndScaleNativeSizes() async throws {
        let alone = try await openVideo(fakeDevices(), MediaTrackConstraints(resizeMode: .exact("crop-and-scale")))
        #expect(alone.getSettings().resizeMode == "crop-and-scale" && alone.getSettings().width == 640 && alone.getSettings().height == 480)
        #expect(try await nextFrame(alone).width == 640)
        alone.stop()
        let native = try await openVideo(
            fakeDevices(), MediaTrackConstraints(width: .exact(1280), height: .exact(720), resizeMode: .exact("crop-and-scale")))
        defer { native.stop() }
        #expect(native.getSettings().width == 1280 && native.getSettings().resizeMode == "crop-and-scale")
        // resizeMode none keeps to the native modes only.
        let error = try await domException {
            try await native.applyConstraints(MediaTrackConstraints(width: .exact(400), resizeMode: .exact("none")))
        }
        #expect(error.name == .overconstrainedError)
    }

    @Test("crop-and-scale at frameRate max 5: the track delivers about 5 frames a second and says so; its clone too")
    func cropAndScaleFrameRate() async throws {
        let track = try await openVideo(
            fakeDevices(), MediaTrackConstraints(frameRate: .range(max: 5), resizeMode: .exact("crop-and-scale")))
        defer { track.stop() }
        #expect(track.getSettings().frameRate == 5 && track.getSettings().resizeMode == "crop-and-scale")
        /// Frames a track delivers in 2 s (frames() keeps the gate open).
        func framesInTwoSeconds(_ track: MediaStreamTrack) async throws -> Int {
            try await within(10) {
                let clock = ContinuousClock(), end = clock.now + .seconds(2)
                var count = 0
                for await _ in track.frames() {
                    count += 1
                    if clock.now >= end { break }
                }
                return count
            }
        }
        let decimated = try await framesInTwoSeconds(track)
        #expect((8...13).contains(decimated), "\(decimated) frames in 2 s")
        let clone = track.clone()
        defer { clone.stop() }
        #expect(clone.getSettings().frameRate == 5)
        let cloned = try await framesInTwoSeconds(clone)
        #expect((8...13).contains(cloned), "\(cloned) frames in 2 s")
        // Without crop-and-scale no mode runs that slowly.
        let error = try await domException { try await track.applyConstraints(MediaTrackConstraints(frameRate: .range(max: 5))) }
        #expect(error.name == .overconstrainedError && error.constraint == "frameRate")
    }

    @Test("crop-and-scale: a size between the native modes, produced by the track's branch")
    func cropAndScale() async throws {
        let track = try await openVideo(
            fakeDevices(FakeCamera(pattern: .quadrants)),
            MediaTrackConstraints(width: .exact(400), height: .exact(300), resizeMode: "crop-and-scale"))
        defer { track.stop() }
        #expect(track.getSettings().width == 400 && track.getSettings().height == 300)
        #expect(track.getSettings().resizeMode == "crop-and-scale")
        let frame = try await ImageCapture(track).grabFrame()
        #expect(frame.width == 400 && frame.height == 300)
        // Without asking for crop-and-scale, an exact size no mode has is overconstrained.
        let error = try await domException {
            _ = try await fakeDevices().getUserMedia(
                MediaStreamConstraints(
                    video: .constraints(
                        MediaTrackConstraints(width: .exact(400), height: .exact(300)))))
        }
        #expect(error.constraint == "width")
        // On a live track: 16:9 from the 4:3 stream, centre-cropped; the camera keeps its mode.
        let events = track.events
        try await within(10) {
            try await track.applyConstraints(MediaTrackConstraints(width: .exact(320), height: .exact(180), resizeMode: .exact("crop-and-scale")))
        }
        let wide = try await ImageCapture(track).grabFrame()
        #expect(wide.width == 320 && wide.height == 180)
        let pixels = try wide.rgbaBytes()
        // Quadrants survive the crop: top-left red, bottom-right blue.
        #expect(pixels[(20 * 320 + 20) * 4] > 200 && pixels[(160 * 320 + 300) * 4 + 2] > 200)
        track.stop()
        #expect(try await collectEvents(until: events, seconds: 5) == [])  // no mode switch: no mute
    }

    @Test("An unsatisfiable minimum width: OverconstrainedError naming width")
    func minWidthTooLarge() async throws {
        let error = try await domException {
            _ = try await fakeDevices().getUserMedia(
                MediaStreamConstraints(
                    video: .constraints(
                        MediaTrackConstraints(width: .range(min: 100_000_000)))))
        }
        #expect(error.name == .overconstrainedError && error.constraint == "width")
    }

    @Test("An exact deviceId that matches no device: OverconstrainedError naming deviceId")
    func unknownDeviceId() async throws {
        let error = try await domException {
            _ = try await fakeDevices().getUserMedia(
                MediaStreamConstraints(
                    video: .constraints(
                        MediaTrackConstraints(deviceId: .exact("no-such-device")))))
        }
        #expect(error.name == .overconstrainedError && error.constraint == "deviceId")
    }

    @Test("An exact deviceId picks that device among several")
    func deviceIdSelects() async throws {
        let devices = MediaDevices(devices: [.fake(FakeCamera(label: "A")), .fake(FakeCamera(label: "B"))])
        let list = try await devices.enumerateDevices()
        #expect(list.map(\.label) == ["A", "B"])
        #expect(Set(list.map(\.deviceId)).count == 2)
        let track = try await openVideo(devices, MediaTrackConstraints(deviceId: .exact(list[1].deviceId)))
        defer { track.stop() }
        #expect(track.label == "B" && track.getSettings().deviceId == list[1].deviceId)
    }

    @Test(
        "Nothing requested ({} or both false): TypeError",
        arguments: [MediaStreamConstraints(), MediaStreamConstraints(video: false, audio: false)])
    func nothingRequested(_ constraints: MediaStreamConstraints) async throws {
        let error = try await domException { _ = try await fakeDevices().getUserMedia(constraints) }
        #expect(error.name == .typeError)
    }

    @Test("A required Image Capture constraint in getUserMedia: TypeError; its ideal form is accepted")
    func requiredImageCaptureConstraint() async throws {
        for required in [
            MediaTrackConstraints(pan: .double(.exact(3))), MediaTrackConstraints(zoom: .double(.range(min: 1))),
            MediaTrackConstraints(torch: .parameters(exact: true)),
        ] {
            let error = try await domException {
                _ = try await fakeDevices().getUserMedia(MediaStreamConstraints(video: .constraints(required)))
            }
            #expect(error.name == .typeError)
        }
        let track = try await openVideo(fakeDevices(), MediaTrackConstraints(zoom: 3))
        track.stop()
    }

    @Test("No device of the kind: NotFoundError")
    func noDevice() async throws {
        let error = try await domException {
            _ = try await MediaDevices(devices: []).getUserMedia(MediaStreamConstraints(video: true))
        }
        #expect(error.name == .notFoundError)
        let noMicrophone = try await domException {
            _ = try await fakeDevices().getUserMedia(MediaStreamConstraints(audio: true))
        }
        #expect(noMicrophone.name == .notFoundError)
    }

    @Test("A V4L2 device that does not exist: NotFoundError whose message names it")
    func missingV4L2Device() async throws {
        let error = try await domException {
            _ = try await MediaDevices(devices: [.v4l2(path: "/dev/video99")]).getUserMedia(MediaStreamConstraints(video: true))
        }
        #expect(error.name == .notFoundError)
        #expect(error.message.contains("/dev/video99"))
    }

    @Test("A camera that fails to open reports the fault's name", arguments: [DOMException.Name.notReadableError, .notAllowedError])
    func failToOpen(_ name: DOMException.Name) async throws {
        let error = try await domException {
            _ = try await fakeDevices(FakeCamera(faults: [.failToOpen(name)])).getUserMedia(MediaStreamConstraints(video: true))
        }
        #expect(error.name == name)
    }

    @Test("A camera that never delivers a frame: NotReadableError within the open deadline")
    func silentCamera() async throws {
        let error = try await domException {
            var timing = CaptureTiming.test
            timing.openTimeout = .milliseconds(500)
            return try await fakeDevices(FakeCamera(faults: [.stallAfterFrames(0)]), timing: timing)
                .getUserMedia(MediaStreamConstraints(video: true)).getTracks().forEach { $0.stop() }
        }
        #expect(error.name == .notReadableError)
        #expect(error.message.contains("no frame within 0.5 seconds"))
    }

    @Test("Audio and video together; the fake microphone has a lifecycle and settings")
    func audioAndVideo() async throws {
        let devices = fakeDevices(microphone: true)
        let stream = try await within(10) { try await devices.getUserMedia(MediaStreamConstraints(video: true, audio: true)) }
        #expect(stream.getAudioTracks().count == 1 && stream.getVideoTracks().count == 1)
        let audio = try #require(stream.getAudioTracks().first)
        #expect(audio.kind == "audio" && audio.label == "Fake Microphone" && audio.readyState == .live)
        #expect(audio.getSettings().deviceId != nil && audio.getSettings().width == nil)
        let copy = audio.clone()
        audio.stop()
        #expect(copy.readyState == .live && audio.readyState == .ended)
        stream.stopAllTracks()
        copy.stop()
        #expect(!stream.active)
    }

    @Test("enumerateDevices: microphones first, stable ids, capabilities from the modes")
    func enumerate() async throws {
        let devices = fakeDevices(
            FakeCamera(modes: [VideoMode(width: 320, height: 240), VideoMode(width: 1280, height: 720, frameRate: 60)]),
            microphone: true)
        let first = try await devices.enumerateDevices()
        let second = try await devices.enumerateDevices()
        #expect(first == second)
        #expect(first.map(\.kind) == [.audioinput, .videoinput])
        let camera = first[1].getCapabilities()
        // crop-and-scale: any size up to the largest mode
        #expect(camera.width == ULongRange(min: 1, max: 1280) && camera.height == ULongRange(min: 1, max: 720))
        #expect(camera.resizeMode == ["none", "crop-and-scale"])
        #expect(camera.frameRate == DoubleRange(min: 30, max: 60) && camera.deviceId == first[1].deviceId)
        #expect(devices.getSupportedConstraints()["zoom"] && devices.getSupportedConstraints()["width"])
        #expect(!devices.getSupportedConstraints()["sampleRate"])
    }

    @Test(
        "Members that do not apply to a microphone are ignored, valid or impossible (fitness distance 0)",
        arguments: [
            MediaTrackConstraints(width: .range(min: 640)), MediaTrackConstraints(width: .range(min: 1_000_000), frameRate: .exact(9999)),
            MediaTrackConstraints(torch: true, advanced: [MediaTrackConstraintSet(aspectRatio: .exact(3))]),
        ])
    func videoMembersInAnAudioRequest(_ constraints: MediaTrackConstraints) async throws {
        let devices = fakeDevices(microphone: true)
        let stream = try await within(10) { try await devices.getUserMedia(MediaStreamConstraints(audio: .constraints(constraints))) }
        let audio = try #require(stream.getAudioTracks().first)
        defer { audio.stop() }
        #expect(audio.label == "Fake Microphone")
        #expect(audio.getConstraints() == constraints)
        // The same rule in applyConstraints on the audio track; a deviceId that is not its own still fails.
        try await audio.applyConstraints(MediaTrackConstraints(width: .exact(1_000_000)))
        let wrong = try await domException { try await audio.applyConstraints(MediaTrackConstraints(deviceId: .exact("other"))) }
        #expect(wrong.name == .overconstrainedError && wrong.constraint == "deviceId")
    }
}
