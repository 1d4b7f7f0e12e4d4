// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import Glibc
import DemoServer
import MediaCapture

/// `imagecapture serve`: the "Grab Frame - Take Photo" page for one camera.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the \"Grab Frame - Take Photo\" page and its JSON API for one camera.",
        discussion: """
            Binds to 127.0.0.1 unless --host says otherwise: the page takes photos and changes the camera's \
            settings. With --token (or IMAGECAPTURE_TOKEN in the environment, which `ps` does not show), every \
            request but the page itself needs Authorization: Bearer TOKEN, and the page opens as \
            URL#access_token=TOKEN; bound beyond loopback, the server refuses to start without one unless \
            --no-auth says so. A request that names the server by another name than an IP \
            address, localhost or an --allow-host name (a DNS-rebinding page) gets 421, and pages of other \
            origins than --allow-origin ones get 403. The camera opens on the first viewer or API call and closes \
            10 s after the last (a recording, from the page's Record button, keeps it open; it stops by itself \
            after 60 s or 64 MiB). Prints the page's URL on stdout; --port 0 picks a free port.
            """)

    @OptionGroup var camera: CameraOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port (0: any free one).")
    var port = 8080

    @Option(
        name: .customLong("allow-host"),
        help: "A host name the server answers to besides IP addresses and localhost (repeatable); requests naming another get 421.")
    var allowedHosts: [String] = []

    @Option(
        name: .customLong("allow-origin"),
        help: "An origin whose pages may call the API, such as http://app.example:3000 (repeatable); other origins get 403.")
    var allowedOrigins: [String] = []

    @Option(
        help:
            "A bearer token every API request must carry (at least 16 of A-Z a-z 0-9 - . _ ~; for example from `openssl rand -hex 16`); IMAGECAPTURE_TOKEN in the environment also sets it."
    )
    var token: String?

    @Flag(help: "Serve beyond loopback without a token: anyone who reaches the port can use the camera.")
    var noAuth = false

    /// --token, else IMAGECAPTURE_TOKEN.
    var bearerToken: String? { token ?? getenv("IMAGECAPTURE_TOKEN").map { String(cString: $0) } }

    /// 127.0.0.0/8, ::1 and localhost: only this machine's processes (and its browser's pages) reach them.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || (host.hasPrefix("127.") && host.split(separator: ".").count == 4)
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
        guard !host.isEmpty else { throw ValidationError("--host must be an address, such as 127.0.0.1.") }
        for origin in allowedOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
            throw ValidationError("--allow-origin takes an origin as a browser sends it, such as http://app.example:3000 (no path).")
        }
        if let token = bearerToken {
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
            guard token.count >= 16, token.allSatisfy(allowed.contains) else {
                throw ValidationError("The token must be at least 16 of A-Z a-z 0-9 - . _ ~, for example from `openssl rand -hex 16`.")
            }
        } else if !Self.isLoopback(host), !noAuth {
            throw ValidationError(
                "Serving on \(host), beyond loopback, needs a token: give --token (or IMAGECAPTURE_TOKEN), or --no-auth to let anyone who reaches the port use the camera."
            )
        }
        for name in allowedHosts where name.isEmpty || name.contains(where: { $0 == ":" || $0 == "/" || $0.isWhitespace }) {
            throw ValidationError("--allow-host takes a host name without port, such as camera.local.")
        }
    }

    func run() async throws {
        let (devices, constraints) = try camera.selection()
        var server = DemoServer(host: host, port: port, devices: devices, constraints: constraints)
        server.allowedHosts = allowedHosts
        server.allowedOrigins = allowedOrigins
        server.token = bearerToken
        try await server.run { url in
            standardOutput(url + "\n")  // at once, unbuffered: a script reads the URL from a pipe
            status(
                "Serving the Grab Frame - Take Photo page at \(url)\(bearerToken == nil ? "" : "#access_token=TOKEN") (Ctrl-C stops)")
        }
    }
}
