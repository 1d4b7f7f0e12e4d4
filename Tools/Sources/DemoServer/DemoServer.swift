// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Hummingbird
import MediaCapture
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

    /// Serves until SIGINT or SIGTERM; `onListening` gets the URL once the socket is bound.
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        let live = LiveView(camera: camera)
        let recordings = RecordingSession(camera: camera)
        let api = API(camera: camera, devices: devices, recordings: recordings)
        router.get("/") { _, _ in Self.html(Page.html) }
        router.get("/live.mjpeg") { _, _ in await live.response() }
        api.register(on: router)
        let host = self.host
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
        try await app.runService()
        await recordings.close()
        await camera.close()
    }

    static func html(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
