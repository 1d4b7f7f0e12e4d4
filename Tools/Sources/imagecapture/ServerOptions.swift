// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import DemoServer
import Glibc
import MediaPublishing

/// Who may reach a server the tool runs (`serve`, `publish`): where it listens, the names and
/// origins it answers, its bearer token, and RTSP's credentials.
struct ServerOptions: ParsableArguments {
    @Option(help: "The address to listen on (HTTP and RTSP).")
    var host = "127.0.0.1"

    @Option(
        name: .customLong("allow-host"),
        help: "A host name the server answers to besides IP addresses and localhost (repeatable); requests naming another get 421.")
    var allowedHosts: [String] = []

    @Option(
        name: .customLong("allow-origin"),
        help: "An origin whose pages may call the API and WHEP, such as http://app.example:3000 (repeatable); other origins get 403.")
    var allowedOrigins: [String] = []

    @Option(
        help:
            "A bearer token every API and WHEP request must carry (at least 16 of A-Z a-z 0-9 - . _ ~; for example from `openssl rand -hex 16`); IMAGECAPTURE_TOKEN in the environment also sets it."
    )
    var token: String?

    @Option(
        name: .customLong("rtsp-user"),
        help: "The user RTSP clients must give (Basic or Digest), with the password from IMAGECAPTURE_RTSP_PASSWORD or --rtsp-password.")
    var rtspUser: String?

    @Option(
        name: .customLong("rtsp-password"),
        help: "The RTSP password (IMAGECAPTURE_RTSP_PASSWORD in the environment is better: `ps` shows options). Never printed.")
    var rtspPassword: String?

    @Option(help: "A STUN server for WebRTC viewers beyond a NAT, stun://host:port.")
    var stun: String?

    @Option(
        help:
            "A TURN relay for WebRTC viewers, turn://user:password@host:port (repeatable; IMAGECAPTURE_TURN in the environment, which `ps` does not show, also adds one)."
    )
    var turn: [String] = []

    /// --turn, and IMAGECAPTURE_TURN.
    var turnServers: [String] { turn + (getenv("IMAGECAPTURE_TURN").map { [String(cString: $0)] } ?? []) }

    @Flag(help: "Serve beyond loopback without a token or RTSP credentials: anyone who reaches the ports can use the camera.")
    var noAuth = false

    /// --token, else IMAGECAPTURE_TOKEN.
    var bearerToken: String? { token ?? getenv("IMAGECAPTURE_TOKEN").map { String(cString: $0) } }

    /// --rtsp-user with --rtsp-password, else IMAGECAPTURE_RTSP_PASSWORD.
    var rtspCredentials: RTSPPublisher.Credentials? {
        guard let rtspUser else { return nil }
        let password = rtspPassword ?? getenv("IMAGECAPTURE_RTSP_PASSWORD").map { String(cString: $0) } ?? ""
        return RTSPPublisher.Credentials(user: rtspUser, password: password)
    }

    /// 127.0.0.0/8, ::1 and localhost: only this machine's processes (and its browser's pages) reach them.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || (host.hasPrefix("127.") && host.split(separator: ".").count == 4)
    }

    /// - Parameters:
    ///   - rtsp: whether RTSP is served (its credentials then matter beyond loopback);
    ///   - http: whether HTTP is served (the page, the API or WHEP: its token then matters beyond loopback).
    func check(rtsp: Bool, http: Bool = true) throws {
        guard !host.isEmpty else { throw ValidationError("--host must be an address, such as 127.0.0.1.") }
        for origin in allowedOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
            throw ValidationError("--allow-origin takes an origin as a browser sends it, such as http://app.example:3000 (no path).")
        }
        if let token = bearerToken {
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
            guard token.count >= 16, token.allSatisfy(allowed.contains) else {
                throw ValidationError("The token must be at least 16 of A-Z a-z 0-9 - . _ ~, for example from `openssl rand -hex 16`.")
            }
        } else if http, !Self.isLoopback(host), !noAuth {
            throw ValidationError(
                "Serving on \(host), beyond loopback, needs a token: give --token (or IMAGECAPTURE_TOKEN), or --no-auth to let anyone who reaches the port use the camera."
            )
        }
        for name in allowedHosts where name.isEmpty || name.contains(where: { $0 == ":" || $0 == "/" || $0.isWhitespace }) {
            throw ValidationError("--allow-host takes a host name without port, such as camera.local.")
        }
        if rtspPassword != nil, rtspUser == nil { throw ValidationError("--rtsp-password needs --rtsp-user.") }
        if let credentials = rtspCredentials {
            guard !credentials.user.isEmpty, !credentials.user.contains(":"), !credentials.password.isEmpty else {
                throw ValidationError(
                    "RTSP credentials need --rtsp-user without ':' and a password (IMAGECAPTURE_RTSP_PASSWORD or --rtsp-password).")
            }
        } else if rtsp, !Self.isLoopback(host), !noAuth {
            throw ValidationError(
                "Publishing RTSP on \(host), beyond loopback, needs credentials: give --rtsp-user and IMAGECAPTURE_RTSP_PASSWORD, or --no-auth to let anyone who reaches the port watch."
            )
        }
        if let stun, !stun.hasPrefix("stun://") { throw ValidationError("--stun takes stun://host:port.") }
        for url in turnServers where !(url.hasPrefix("turn://") || url.hasPrefix("turns://")) {
            throw ValidationError("--turn takes turn://user:password@host:port.")
        }
    }

    /// `server` set to these options, publishing RTSP on `rtspPort` (nil: not).
    func apply(to server: inout DemoServer, rtspPort: Int?) {
        server.allowedHosts = allowedHosts
        server.allowedOrigins = allowedOrigins
        server.token = bearerToken
        server.rtsp = rtspPort.map {
            RTSPPublisher.Options(
                host: host, port: $0, credentials: rtspCredentials, allowsUnauthenticatedRemoteAccess: noAuth)
        }
        server.whep?.stunServer = stun
        server.whep?.turnServers = turnServers
    }
}
