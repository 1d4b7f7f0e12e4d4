// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import TestSupport
import Testing

extension CaptureTiming {
    /// The library's constants, shortened where a test would otherwise sit and wait.
    static let test = CaptureTiming(
        openTimeout: .seconds(5), gateLinger: .milliseconds(400), modeSwitchTimeout: .seconds(5), stopTimeout: .seconds(5))
}

/// A `MediaDevices` with the fake camera (and microphone) only.
func fakeDevices(_ camera: FakeCamera = FakeCamera(), microphone: Bool = false, timing: CaptureTiming = .test) -> MediaDevices {
    MediaDevices(devices: [.fake(camera)] + (microphone ? [.fakeMicrophone()] : []), timing: timing)
}

/// Opens one video track on `devices`, bounded.
func openVideo(
    _ devices: MediaDevices = fakeDevices(), _ constraints: MediaTrackConstraints = MediaTrackConstraints()
) async throws -> MediaStreamTrack {
    let stream = try await within(10, "getUserMedia") {
        try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(constraints)))
    }
    return try #require(stream.getVideoTracks().first)
}

/// The error `operation` throws (fails the test when it does not throw), bounded.
func domException(_ operation: @escaping @Sendable () async throws -> Void) async throws -> DOMException {
    let result: DOMException? = try await within(10, "operation") {
        do {
            try await operation()
            return nil
        } catch let error as DOMException {
            return error
        }
    }
    return try #require(result, "expected a DOMException")
}

/// The first frame a track delivers after the call, bounded.
func nextFrame(_ track: MediaStreamTrack, seconds: Double = 5) async throws -> ImageBitmap {
    try await within(seconds, "a frame") {
        for await frame in track.frames() { return frame }
        throw TimedOut(what: "frames finished", seconds: 0)
    }
}

/// Every event until the stream finishes, waiting at most `seconds` for it to finish.
func collectEvents(until stream: AsyncStream<MediaStreamTrackEvent>, seconds: Double) async throws -> [MediaStreamTrackEvent] {
    try await within(seconds, "events to finish") {
        var seen: [MediaStreamTrackEvent] = []
        for await event in stream { seen.append(event) }
        return seen
    }
}
