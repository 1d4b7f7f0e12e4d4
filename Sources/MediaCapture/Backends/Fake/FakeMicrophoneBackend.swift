// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// The fake microphone: a live `audiotestsrc`. Audio tracks have a lifecycle and settings, nothing more.
struct FakeMicrophoneBackend: CaptureBackend {
    var kind: MediaDeviceInfo.Kind { .audioinput }

    func resolveModes() async throws(CaptureFailure) -> [SourceMode] { [] }

    func pipelineDescription(for mode: SourceMode?) -> String { PipelineDescription.fakeMicrophone }

    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure) {}

    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession { NoDeviceSession() }
}
