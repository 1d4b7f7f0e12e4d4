// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Hummingbird
import MediaCapture
import MediaPublishing
import NIOCore

/// The JSON API the page's `ImageCapture` client calls: the W3C dictionaries as JSON, images as
/// PNG and JPEG, recordings as their video type, errors as the `DOMException` JSON with a fitting status.
struct API: Sendable {
    let camera: SharedCamera
    let devices: MediaDevices
    let recordings: RecordingSession
    /// The camera's publishers, whose viewers `/api/status` counts.
    var rtsp: RTSPPublisher? = nil
    var whep: WHEPPublisher? = nil

    /// A request body larger than this is refused (413): the dictionaries are a few hundred bytes.
    static let maximumBody = 64 * 1024

    func register(on router: Router<BasicRequestContext>) {
        let camera = self.camera, devices = self.devices, recordings = self.recordings, rtsp = self.rtsp, whep = self.whep
        router.get("/api/status") { _, _ in
            Self.json(Status(cameraOpen: await camera.isOpen, whepViewers: whep?.viewerCount, rtspClients: rtsp?.clientCount))
        }
        router.get("/api/devices") { _, _ in
            await Self.answer { Self.json(try await devices.enumerateDevices()) }
        }
        router.get("/api/capabilities") { _, _ in
            await Self.answer { Self.json(try await camera.using { $0.getCapabilities() }) }
        }
        router.get("/api/settings") { _, _ in
            await Self.answer { Self.json(try await camera.using { $0.getSettings() }) }
        }
        router.get("/api/photo-capabilities") { _, _ in
            await Self.answer { Self.json(try await camera.using { try await ImageCapture($0).getPhotoCapabilities() }) }
        }
        router.get("/api/photo-settings") { _, _ in
            await Self.answer { Self.json(try await camera.using { try await ImageCapture($0).getPhotoSettings() }) }
        }
        router.post("/api/constraints") { request, _ in
            await Self.answer {
                let constraints = try MediaCaptureJSON.decode(MediaTrackConstraints.self, from: try await Self.body(request))
                return Self.json(
                    try await camera.using { track in
                        try await track.applyConstraints(constraints)
                        return track.getSettings()
                    })
            }
        }
        router.post("/api/grab-frame") { _, _ in
            await Self.answer {
                let (png, metadata) = try await camera.using { track in
                    let frame = try await ImageCapture(track).grabFrame()
                    return (try await frame.encode(type: "image/png"), frame.metadata)
                }
                return Self.image(png, metadata: metadata)
            }
        }
        // Starts holding frames for zero-shutter-lag photos (the page's switch), so the first one has
        // a frame to use; `?on=false` stops.
        router.post("/api/zero-shutter-lag") { request, _ in
            await Self.answer {
                if request.uri.queryParameters.get("on") == "false" {
                    await camera.releaseLaglessCapture()
                } else {
                    try await camera.using { _ = try await camera.laglessCapture(for: $0) }
                }
                return Response(status: .noContent)
            }
        }
        router.post("/api/take-photo") { request, _ in
            await Self.answer {
                let body = try await Self.body(request)
                let settings = body.isEmpty ? PhotoSettings() : try MediaCaptureJSON.decode(PhotoSettings.self, from: body)
                let lagless = request.uri.queryParameters.get("zeroShutterLag") == "true"
                let photo = try await camera.using { track in
                    try await (lagless ? camera.laglessCapture(for: track) : ImageCapture(track)).takePhoto(settings)
                }
                return Self.image(photo, metadata: photo.metadata)
            }
        }
        // A MediaRecorder on a clone of the track: `mimeType` from the JSON body or the query
        // (default video/webm); 409 while one runs. It stops by itself at RecordingSession's limits.
        router.post("/api/record/start") { request, _ in
            await Self.answer {
                let body = try await Self.body(request)
                let asked = body.isEmpty ? RecordRequest() : try MediaCaptureJSON.decode(RecordRequest.self, from: body)
                let type = asked.mimeType ?? request.uri.queryParameters.get("mimeType") ?? "video/webm"
                return Self.json(try await recordings.start(mimeType: type))
            }
        }
        // The finished recording, typed with the recorder's mimeType; 409 when none was started.
        router.post("/api/record/stop") { _, _ in
            await Self.answer { Self.video(try await recordings.stop()) }
        }
    }

    /// `POST /api/record/start`'s body: `{"mimeType": "video/webm"}`, or nothing.
    private struct RecordRequest: Decodable {
        var mimeType: String?
    }

    /// The request's body, at most ``maximumBody`` bytes.
    private static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: maximumBody)
            return Array(buffer.readableBytesView)
        } catch {
            throw TooLarge()
        }
    }

    private struct TooLarge: Error {}

    /// `GET /api/status`: whether the shared camera is open now (it closes 10 s after its last use),
    /// and how many WebRTC viewers and RTSP clients it has (absent: not published that way).
    private struct Status: Encodable {
        var cameraOpen: Bool
        var whepViewers: Int?
        var rtspClients: Int?
    }

    /// Runs a handler: a `DOMException` (or an unexpected error) becomes its JSON, never a crash.
    private static func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as DOMException {
            return json(error, status: status(for: error.name))
        } catch is TooLarge {
            return json(DOMException(.typeError, "The request body is larger than \(maximumBody / 1024) KiB."), status: .contentTooLarge)
        } catch {
            return json(DOMException(.unknownError, "\(error)"), status: .internalServerError)
        }
    }

    /// The HTTP status for each W3C error name.
    static func status(for name: DOMException.Name) -> HTTPResponse.Status {
        switch name {
        case .typeError: .badRequest
        case .notFoundError: .notFound
        case .invalidStateError: .conflict
        case .overconstrainedError, .notSupportedError: .unprocessableContent
        case .notReadableError: .serviceUnavailable
        default: .internalServerError
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: MediaCaptureJSON.encode(value))))
    }

    /// An image, with its frame's metadata in headers: `X-Capture-Age` (milliseconds between the
    /// capture and this response: the page turns it into a time), `X-Frame-Number`, `X-Photo-Origin`.
    static func image(_ blob: Blob, metadata: VideoFrameMetadata? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = blob.type
        headers[.cacheControl] = "no-store"
        if let captured = metadata?.captureTime {
            let age = ContinuousClock.now - captured
            headers[.captureAge] = String(Double(age.components.seconds) * 1000 + Double(age.components.attoseconds) / 1e15)
        }
        if let number = metadata?.frameNumber { headers[.frameNumber] = String(number) }
        if let origin = metadata?.photoOrigin { headers[.photoOrigin] = origin.rawValue }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: blob.bytes)))
    }

    /// A recording, with `X-Recording-Limit` (`duration` or `size`) when it stopped by itself at one.
    static func video(_ recording: RecordingSession.Recording) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = recording.blob.type
        headers[.cacheControl] = "no-store"
        if let limit = recording.limit { headers[.recordingLimit] = limit.rawValue }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: recording.blob.bytes)))
    }
}

extension HTTPFields.Element.Name {
    static let captureAge = Self("X-Capture-Age")!
    static let frameNumber = Self("X-Frame-Number")!
    static let photoOrigin = Self("X-Photo-Origin")!
    static let recordingLimit = Self("X-Recording-Limit")!
}
