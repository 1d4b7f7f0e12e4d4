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
            settings, without authentication. The camera opens on the first viewer or API call and closes \
            10 s after the last. Prints the page's URL on stdout; --port 0 picks a free port.
            """)

    @OptionGroup var camera: CameraOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port (0: any free one).")
    var port = 8080

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
        guard !host.isEmpty else { throw ValidationError("--host must be an address, such as 127.0.0.1.") }
    }

    func run() async throws {
        let (devices, constraints) = try camera.selection()
        let server = DemoServer(host: host, port: port, devices: devices, constraints: constraints)
        try await server.run { url in
            standardOutput(url + "\n")  // at once, unbuffered: a script reads the URL from a pipe
            status("Serving the Grab Frame - Take Photo page at \(url) (Ctrl-C stops)")
        }
    }
}
