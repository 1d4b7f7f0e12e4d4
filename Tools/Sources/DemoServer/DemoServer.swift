// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Hummingbird
import MediaCapture
import MediaPublishing
import NIOCore

/// `imagecapture serve`: the "Grab Frame - Take Photo" page and the JSON API behind it, for one
/// camera shared by every browser that opens the page.
///
/// Binds to loopback unless told otherwise: the page can take photos and change the camera's
/// settings, and it has no authentication. Requests that name the server by a name it was not
/// given (a DNS-rebinding page) get 421, and pages of other origins 403 unless allowed
/// (``RequestGuard``).
public struct DemoServer: Sendable {
    public var host: String
    public var port: Int
    /// Host names the server answers to besides IP addresses and `localhost`.
    public var allowedHosts: [String] = []
    /// Origins whose pages may call the API (`http://app.example:3000`); others get 403.
    public var allowedOrigins: [String] = []
    /// A bearer token every API request must carry (401 otherwise); the page's URL then ends with
    /// `#access_token=TOKEN`.
    public var token: String?
    /// Also publishes the camera over RTSP (nil: not).
    public var rtsp: RTSPPublisher.Options?
    /// The WHEP endpoint, `POST /whep` (nil: none). The page's live view plays through it.
    public var whep: WHEPPublisher.Options? = WHEPPublisher.Options()
    /// Whether the page and its JSON API are served (`imagecapture publish` serves WHEP alone).
    public var servesPage = true
    private let devices: MediaDevices
    private let constraints: MediaTrackConstraints
    private let camera: SharedCamera

    /// - Parameters:
    ///   - devices: where the camera comes from (for instance one `CaptureDevice`).
    ///   - constraints: how the track is opened (its `deviceId`, its ideal size).
    ///   - linger: how long the camera stays open after its last viewer or API call.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, devices: MediaDevices,
        constraints: MediaTrackConstraints = MediaTrackConstraints(), linger: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.devices = devices
        // The page shows every control the camera has, pan, tilt and zoom included.
        var withControls = constraints
        withControls.pan = withControls.pan ?? true
        withControls.tilt = withControls.tilt ?? true
        withControls.zoom = withControls.zoom ?? true
        self.constraints = withControls
        let opened = withControls
        self.camera = SharedCamera(linger: linger) {
            let stream = try await devices.getUserMedia(MediaStreamConstraints(video: .constraints(opened)))
            guard let track = stream.getVideoTracks().first else { throw DOMException(.notFoundError, "The device has no video.") }
            return track
        }
    }

    /// Serves until SIGINT or SIGTERM; `onListening` gets the URL once the socket is bound, and
    /// `onPublished` the RTSP URL once it listens.
    /// - Throws: what the RTSP or WHEP publisher's initialiser throws (a `DOMException`), or the HTTP
    ///   server's failure.
    public func run(onListening: @escaping @Sendable (String) -> Void, onPublished: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let router = Router()
        let camera = self.camera, host = self.host
        let published = PublishedCamera(acquire: { try await camera.acquire() }, release: { await camera.release() })
        let rtspPublisher = try rtsp.map { options throws(DOMException) in try RTSPPublisher(camera: published, options: options) }
        let whepPublisher: WHEPPublisher?
        do {
            whepPublisher = try whep.map { options throws(DOMException) in
                var options = options
                if options.iceAddresses.isEmpty { options.iceAddresses = Self.iceAddresses(listening: host) }
                return try WHEPPublisher(camera: published, options: options)
            }
        } catch {
            await rtspPublisher?.close()  // listening already: let its port go
            throw error
        }
        if let rtspPublisher { onPublished(rtspPublisher.url) }
        if let whepPublisher { WHEPEndpoint(publisher: whepPublisher).register(on: router) }
        let recordings = RecordingSession(camera: camera)
        if servesPage {
            let live = LiveView(camera: camera)
            let api = API(camera: camera, devices: devices, recordings: recordings, rtsp: rtspPublisher, whep: whepPublisher)
            router.get("/") { _, _ in Self.html(Page.html) }
            router.get("/live.mjpeg") { _, _ in await live.response() }
            api.register(on: router)
        }
        guard servesPage || whepPublisher != nil else {
            // RTSP alone: no HTTP listener, until SIGINT or SIGTERM.
            await TerminationSignal.wait()
            await rtspPublisher?.close()
            await camera.close()
            return
        }
        let guarded = RequestGuard(
            responder: router.buildResponder(), hosts: Set(allowedHosts.map { $0.lowercased() }),
            origins: Set(allowedOrigins.map { $0.lowercased() }), token: token)
        let app = Application(
            responder: guarded,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "imagecapture"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                onListening("http://\(shown):\(port)/")
            })
        do {
            try await app.runService()
        } catch {
            await whepPublisher?.close()
            await rtspPublisher?.close()
            await recordings.close()
            await camera.close()
            throw error
        }
        await whepPublisher?.close()
        await rtspPublisher?.close()
        await recordings.close()
        await camera.close()
    }

    /// Where WebRTC gathers its candidates: the address the server listens on (every interface's for a
    /// wildcard), so that a server on loopback keeps its media on this machine.
    static func iceAddresses(listening host: String) -> [String] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        switch bare {
        case "localhost": return ["127.0.0.1"]
        case "0.0.0.0", "::": return []
        default: return [bare]
        }
    }

    static func html(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
