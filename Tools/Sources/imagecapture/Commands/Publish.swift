// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import DemoServer
import MediaCapture

/// `imagecapture publish`: the camera over RTSP and WebRTC (WHEP), without the page.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the camera over RTSP (rtsp://HOST:PORT/camera) and WebRTC (a WHEP endpoint), without the page.",
        discussion: """
            RTSP on --rtsp-port (8554 unless told; H.264 over UDP or TCP, one encode shared by every client), and \
            with --whep-port a WHEP endpoint at http://HOST:PORT/whep (VP8 or H.264, whichever the player offers \
            first) that players of --allow-origin origins may use. Binds to 127.0.0.1 unless --host says otherwise; \
            beyond loopback, RTSP needs --rtsp-user with IMAGECAPTURE_RTSP_PASSWORD and WHEP a --token, unless \
            --no-auth. The camera opens with the first viewer and closes 10 s after the last. Prints the RTSP URL, \
            then the WHEP URL, on stdout; Ctrl-C or SIGTERM stops.
            """)

    @OptionGroup var camera: CameraOptions
    @OptionGroup var server: ServerOptions

    @Option(name: .customLong("rtsp-port"), help: "The RTSP port (0: any free one).")
    var rtspPort = 8554

    @Option(name: .customLong("whep-port"), help: "Also serve a WHEP endpoint on this HTTP port (0: any free one).")
    var whepPort: Int?

    func validate() throws {
        guard (0...65535).contains(rtspPort) else { throw ValidationError("--rtsp-port must be 0 to 65535.") }
        if let whepPort, !(0...65535).contains(whepPort) { throw ValidationError("--whep-port must be 0 to 65535.") }
        try server.check(rtsp: true, http: whepPort != nil)
    }

    func run() async throws {
        let (devices, constraints) = try camera.selection()
        var demo = DemoServer(host: server.host, port: whepPort ?? 0, devices: devices, constraints: constraints)
        demo.servesPage = false
        server.apply(to: &demo, rtspPort: rtspPort)
        if whepPort == nil { demo.whep = nil }
        try await reportingErrors {
            try await demo.run(
                onListening: { url in
                    guard whepPort != nil else { return }
                    standardOutput(url + "whep\n")
                    status("WHEP endpoint at \(url)whep")
                },
                onPublished: { url in
                    standardOutput(url + "\n")
                    status("Publishing the camera at \(url) (Ctrl-C stops)")
                })
        }
    }
}
