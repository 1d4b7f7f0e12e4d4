// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

extension CaptureDevice {
    /// The implementation for this kind of device: the one place that looks at the kind.
    var backend: any CaptureBackend {
        switch source {
        case .v4l2(let path): V4L2CameraBackend(path: path)
        case .fake(let camera): FakeCameraBackend(camera)
        case .fakeMicrophone: FakeMicrophoneBackend()
        case .recorded(let controls, let formats): RecordedCameraBackend(controls: controls, formats: formats)
        case .pipeline(let description): PipelineSourceBackend(description: description)
        case .network(let url, let reconnectFor): NetworkCameraBackend(url: url, reconnectFor: reconnectFor)
        case .pipeWire(let node): PipeWireCameraBackend(node: node)
        }
    }
}
