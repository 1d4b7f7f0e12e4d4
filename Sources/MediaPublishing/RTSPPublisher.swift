// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerPublishing
import Locking
import MediaCapture

/// A camera published over RTSP, at `rtsp://HOST:PORT/PATH`, for every NVR, player and media server
/// (VLC, ffmpeg, GStreamer's `rtspsrc`, MediaMTX, Frigate): H.264 over RTP, UDP or TCP as the client
/// asks; and MJPEG at `PATH/mjpeg` for clients that want JPEGs (an MJPEG webcam's own, undecoded).
///
/// Every client shares one media, fed by the camera's one H.264 encode (shared with WebRTC viewers
/// too): the encode starts when the first client asks to play and stops when the last one leaves.
/// `grabFrame`, photos and recordings go on meanwhile. A client that vanishes without a TEARDOWN is
/// dropped after ``Options/sessionTimeout``; one whose connection closes, at once.
public final class RTSPPublisher: Sendable {
    /// A user and password; printed, the password is hidden.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible {
        public var user: String
        public var password: String
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
        public var description: String { "\(user):•••" }
    }

    public struct Options: Sendable {
        /// The address to listen on: loopback unless told otherwise.
        public var host: String
        /// 0: any free port (see ``port``).
        public var port: Int
        /// Where the camera is mounted: `/` and letters, digits, `-`, `_`, `.`, `/`.
        public var path: String
        /// Only this user may watch (Basic or Digest); checked before any media is built.
        public var credentials: Credentials?
        /// Listening beyond loopback without credentials is refused unless this is set.
        public var allowsUnauthenticatedRemoteAccess: Bool
        /// How long a client may send nothing (no RTCP, no keep-alive) before it is dropped.
        public var sessionTimeout: Duration
        /// Whether MJPEG is also served, at ``path`` + `/mjpeg` (RTP/JPEG: at most 2040x2040).
        public var servesMJPEG: Bool

        public init(
            host: String = "127.0.0.1", port: Int = 8554, path: String = "/camera", credentials: Credentials? = nil,
            allowsUnauthenticatedRemoteAccess: Bool = false, sessionTimeout: Duration = .seconds(15), servesMJPEG: Bool = true
        ) {
            self.host = host
            self.port = port
            self.path = path
            self.credentials = credentials
            self.allowsUnauthenticatedRemoteAccess = allowsUnauthenticatedRemoteAccess
            self.sessionTimeout = sessionTimeout
            self.servesMJPEG = servesMJPEG
        }
    }

    /// The URL clients open (without credentials).
    public let url: String
    /// The port listened on (the system's choice when ``Options/port`` was 0).
    public let port: Int
    private let server: RTSPServer
    private let media: MediaFeeds
    private let jpegMedia: MediaFeeds

    /// The media's pipeline, as gst-rtsp-server builds it for the first client (fixed text: nothing
    /// of the caller's is in it). The H.264 comes encoded from the camera's encoding branch.
    static let launch = "( appsrc name=src ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    /// The MJPEG mount's: the camera's JPEGs (its own, from an MJPEG webcam; else encoded once) as RTP/JPEG
    /// (jpegparse reads their size, which the payloader needs in its caps).
    static let jpegLaunch = "( appsrc name=src ! jpegparse ! rtpjpegpay name=pay0 pt=26 )"

    /// Starts listening.
    /// - Throws: `TypeError` for a path or port out of range, `NotAllowedError` beyond loopback without
    ///   credentials (unless allowed), `NotSupportedError` when H.264 (openh264enc) is not installed,
    ///   `OperationError` when the address cannot be listened on.
    public init(camera: PublishedCamera, options: Options = Options()) throws(DOMException) {
        guard (0...65535).contains(options.port) else {
            throw DOMException(.typeError, "The RTSP port \(options.port) is not a port: give 1 to 65535, or 0 for any free one.")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")
        guard options.path.hasPrefix("/"), options.path.count <= 256, options.path.allSatisfy(allowed.contains),
            !options.path.contains("..")
        else {
            throw DOMException(
                .typeError, "The RTSP path must begin with / and hold only letters, digits, -, _, . and /, such as /camera.")
        }
        if let credentials = options.credentials, credentials.user.isEmpty || credentials.user.contains(":") || credentials.password.isEmpty {
            throw DOMException(.typeError, "RTSP credentials need a user name without ':' and a password that is not empty.")
        }
        try ListeningAddress.check(
            host: options.host, authenticated: options.credentials != nil,
            allowUnauthenticated: options.allowsUnauthenticatedRemoteAccess, what: "Publishing over RTSP")
        guard Publishing.hasElements(["h264parse", "rtph264pay", "openh264enc"]) else {
            throw DOMException(.notSupportedError, "RTSP publishing needs H.264: install gstreamer1.0-plugins-bad (openh264enc).")
        }
        guard !options.servesMJPEG || Publishing.hasElements(["jpegparse", "rtpjpegpay", "jpegenc"]) else {
            throw DOMException(
                .notSupportedError,
                "RTSP's MJPEG needs jpegparse and rtpjpegpay: install gstreamer1.0-plugins-bad and -good, or set servesMJPEG to false.")
        }
        let seconds = options.sessionTimeout.components.seconds
        do {
            server = try RTSPServer(
                address: options.host, port: options.port, sessionTimeout: UInt32(clamping: max(1, seconds)))
        } catch {
            throw DOMException(.operationError, error.message)
        }
        port = server.port
        let shownHost = options.host.contains(":") && !options.host.hasPrefix("[") ? "[\(options.host)]" : options.host
        url = "rtsp://\(shownHost):\(server.port)\(options.path)"
        let media = MediaFeeds(camera: camera, codec: .h264), jpegMedia = MediaFeeds(camera: camera, codec: .jpeg)
        (self.media, self.jpegMedia) = (media, jpegMedia)
        let credentials = options.credentials.map { ($0.user, $0.password) }
        server.mount(
            path: options.path, launch: Self.launch, caps: EncodedVideoCodec.h264.caps, credentials: credentials,
            handler: { source, prepared in prepared ? media.start(source) : media.stop(source) })
        if options.servesMJPEG {
            server.mount(
                path: options.path.hasSuffix("/") ? options.path + "mjpeg" : options.path + "/mjpeg", launch: Self.jpegLaunch,
                caps: EncodedVideoCodec.jpeg.caps, credentials: credentials,
                handler: { source, prepared in prepared ? jpegMedia.start(source) : jpegMedia.stop(source) })
        }
    }

    /// How many RTSP clients are connected now.
    public var clientCount: Int { server.clientCount }

    /// Whether the camera's frames are being encoded for RTSP now (a client is playing).
    public var isStreaming: Bool { media.count + jpegMedia.count > 0 }

    /// Disconnects every client and stops listening; the camera is released. Bounded.
    public func close() async {
        await server.stop()
        await media.stopAll()
        await jpegMedia.stopAll()
    }
}
