// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// Any GStreamer source a caller describes: parsed on its own as a bin that takes the camera's
/// place; its modes are known only once it runs, and it has no controls the library knows.
struct PipelineSourceBackend: CaptureBackend {
    let description: String

    func resolveModes() async throws(CaptureFailure) -> [SourceMode] { [] }

    func pipelineDescription(for mode: SourceMode?) -> String { PipelineDescription.source }

    var configureMayBlock: Bool { true }  // the caller's description loads its plugins

    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure) {
        // The caller's description becomes a bin of its own and replaces `src`; it is never pasted into ours.
        let bin: Element
        do {
            bin = try Element(binFromDescription: description, name: Pipeline.callerSourceName)
        } catch {
            // A description is the caller's code, not a device: one GStreamer cannot build is unsupported.
            throw CaptureFailure.notSupported(
                "The source description could not be built: \(error.message). Check it with gst-launch-1.0 and element names with gst-inspect-1.0.")
        }
        // A source that is not live (a file, `videotestsrc is-live=false`) plays at its own pace, like a
        // camera: paced before the tee. Pacing at a track's sink does not work: a closed gate leaves
        // nothing to hold the source back, its timestamps run ahead, and the next frame let through
        // waits for its far-off time. For a live source the clock has already passed each buffer's time.
        guard let pace = Element(factory: "clocksync", name: "user-source-pace") else {
            throw CaptureFailure.notReadable("clocksync is missing: install gstreamer1.0-plugins-base (GStreamer 1.18 or later).")
        }
        guard pipeline.replaceSource(with: bin, through: pace) else {
            throw CaptureFailure.notSupported(
                "The source description has no raw-video output to link: leave one video pad unlinked, e.g. end it with a decoder or `videoconvert`.")
        }
    }

    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession { NoDeviceSession() }
}

/// An opening with nothing of its own (a caller's source, the fake microphone).
struct NoDeviceSession: DeviceSession {
    var controls: (any ControlBackend)? { nil }
}
