// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// A network camera over RTSP: `rtspsrc ! decodebin ! videoconvert` (`pipelines/sources/rtsp-camera.source`)
/// as a bin in the camera's place, the URL and credentials set as properties. Its modes are known
/// only once it streams; it has no controls; a drop is reconnected by its session.
struct NetworkCameraBackend: CaptureBackend {
    let url: String
    let reconnectFor: Duration

    /// Checks the URL (nothing is opened until the pipeline starts).
    /// - Throws: `.invalidDevice` (`TypeError`) for a URL that is not an RTSP URL with a host.
    func resolveModes() async throws(CaptureFailure) -> [SourceMode] {
        _ = try address()
        return []
    }

    func pipelineDescription(for mode: SourceMode?) -> String { PipelineDescription.source }

    var configureMayBlock: Bool { true }  // rtspsrc and decodebin load their plugins

    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure) {
        guard pipeline.replaceSource(with: try Self.makeSource(try address())) else {
            throw CaptureFailure.notReadable("The network camera's source could not be linked.")
        }
    }

    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession {
        // configure() succeeded, so the address parses.
        NetworkSession(pipeline: pipeline, address: NetworkCameraURL(url)!, reconnectFor: reconnectFor)
    }

    /// Every failure to start is the server's or the network's: `.notReadable` with its answer
    /// (rtspsrc puts the RTSP status, "Not Found" or "Unauthorized", or the socket error in its text).
    func openError(_ error: GStreamerError, label: String) -> CaptureFailure {
        let detail = Self.serverAnswer(error.debug)
        return CaptureFailure.notReadable(
            "\(label) could not be opened: \(error.message)\(detail.map { " (\($0))" } ?? ""). Check the URL, the credentials and that the camera is reachable."
        )
    }

    private func address() throws(CaptureFailure) -> NetworkCameraURL {
        guard let address = NetworkCameraURL(url) else {
            throw CaptureFailure.invalidDevice("A network camera needs an RTSP URL such as rtsp://host:554/path (with no spaces); this one is not.")
        }
        return address
    }

    /// The source bin for `address`, its knobs set as properties.
    static func makeSource(_ address: NetworkCameraURL) throws(CaptureFailure) -> Element {
        let (bin, source) = try Pipeline.librarySource(
            PipelineDescription.networkCameraSource, element: "network-source", plugin: "RTSP", package: "gstreamer1.0-plugins-good")
        source.set("location", address.location)  // a property value, never parsed
        if let user = address.user { source.set("user-id", user) }
        if let password = address.password { source.set("user-pw", password) }
        return bin
    }

    /// The part of rtspsrc's debug text that says what the server or the socket answered.
    static func serverAnswer(_ debug: String) -> String? {
        // e.g. "...gst_rtspsrc_send (): /GstPipeline:...: Not Found (404)" or "...(Could not connect to 127.0.0.1: Connection refused)"
        // The answer is the debug text's last line; a one-line text holds only where it was raised.
        let lines = debug.split(separator: "\n")
        guard lines.count > 1, let answer = lines.last?.trimmingCharacters(in: " "), !answer.isEmpty else { return nil }
        return String(answer.prefix(300))
    }
}
