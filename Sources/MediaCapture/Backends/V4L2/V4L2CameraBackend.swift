// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
internal import V4L2

/// A V4L2 camera by its device node: `v4l2src` (its MJPEG modes decoded in each branch), modes from probing
/// the node, controls through ioctls on the descriptor `v4l2src` streams from, a flash for photos.
struct V4L2CameraBackend: CaptureBackend {
    let path: String

    /// How long probing the node may take: a driver that blocks in `open()` must not hang getUserMedia.
    static let probeTimeout = CaptureTiming.deviceCallTimeout

    var exclusiveResource: String? { "v4l2:" + path }

    /// Opens the node without streaming (READY) and reads the modes its driver offers.
    func resolveModes() async throws(CaptureFailure) -> [SourceMode] {
        let pipeline: Pipeline
        do {
            pipeline = try await Pipeline.building(canonical: "v4l2src name=src ! fakesink name=sink", name: "probe", timeout: Self.probeTimeout)
        } catch {
            throw CaptureFailure.notReadable("V4L2 support is missing: \(error.message) Install gstreamer1.0-plugins-good.")
        }
        let source = pipeline.sourceElement
        source.set("device", path)  // a property value, never parsed
        let opened: Result<[SourceMode], GStreamerError>
        do {
            try await pipeline.ready(timeout: Self.probeTimeout)
            // Querying the caps asks the driver too: off the cooperative pool, bounded.
            let caps = await pipeline.perform(timeout: Self.probeTimeout) { source.staticPad("src")?.queryCaps() }
            opened =
                caps.map { .success($0.map(SourceMode.modes(from:)) ?? []) }
                ?? .failure(.timeout("the driver did not answer a format query"))
        } catch {
            opened = .failure(error)
        }
        await pipeline.stop(timeout: Self.probeTimeout)  // release the node before anyone opens it to stream
        switch opened {
        case .success(let modes) where modes.isEmpty:
            throw CaptureFailure.notReadable("\(path) offers no video mode the library can use (raw or MJPEG). Is it a capture device?")
        case .success(let modes):
            return modes
        case .failure(let error) where error.isTimeout:
            throw CaptureFailure.notReadable(
                "\(path) did not answer within \(Self.probeTimeout): its driver did not finish opening it. Unplug and replug the camera, or check `dmesg`."
            )
        case .failure(let error):
            throw CaptureFailure(opening: path, error)
        }
    }

    func pipelineDescription(for mode: SourceMode?) -> String {
        if case .mjpeg? = mode?.encoding { return PipelineDescription.cameraMJPEG }
        return PipelineDescription.camera
    }

    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure) {
        pipeline.sourceElement.set("device", path)  // a property value, never parsed
    }

    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession {
        let source = pipeline.sourceElement, path = self.path
        return V4L2Session(label: path) {
            // The descriptor v4l2src streams from exists once the pipeline runs.
            let fd = source.int("device-fd")
            return fd >= 0 ? LiveV4L2Device(fd: fd, path: path) : nil
        }
    }
}
