// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
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

            The page's live view plays through WebRTC (the WHEP endpoint POST /whep, which players of \
            --allow-origin origins may use too), falling back to the MJPEG stream /live.mjpeg. With \
            --rtsp-port, the camera is also published at rtsp://HOST:PORT/camera (printed on stdout after the \
            page's URL), with --rtsp-user and IMAGECAPTURE_RTSP_PASSWORD required beyond loopback.
            """)

    @OptionGroup var camera: CameraOptions
    @OptionGroup var server: ServerOptions

    @Option(help: "The port (0: any free one).")
    var port = 8080

    @Option(name: .customLong("rtsp-port"), help: "Also publish the camera at rtsp://HOST:PORT/camera (0: any free port).")
    var rtspPort: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
        if let rtspPort, !(0...65535).contains(rtspPort) { throw ValidationError("--rtsp-port must be 0 to 65535.") }
        try server.check(rtsp: rtspPort != nil)
    }

    func run() async throws {
        let (devices, constraints) = try camera.selection()
        var demo = DemoServer(host: server.host, port: port, devices: devices, constraints: constraints)
        server.apply(to: &demo, rtspPort: rtspPort)
        let hasToken = server.bearerToken != nil
        try await reportingErrors {
            try await demo.run(
                onListening: { url in
                    standardOutput(url + "\n")  // at once, unbuffered: a script reads the URL from a pipe
                    status("Serving the Grab Frame - Take Photo page at \(url)\(hasToken ? "#access_token=TOKEN" : "") (Ctrl-C stops)")
                },
                onPublished: { url in
                    standardOutput(url + "\n")
                    status("Publishing the camera at \(url)")
                })
        }
    }
}
