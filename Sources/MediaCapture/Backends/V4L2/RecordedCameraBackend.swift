// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
internal import V4L2

/// A real webcam reproduced from its `v4l2-ctl` listings: `videotestsrc` streams in the recorded
/// modes, and the controls run through the same V4L2 mapping as a live camera's, on a device that
/// applies the driver's rules.
struct RecordedCameraBackend: CaptureBackend {
    let controls: String
    let formats: String?

    /// The formats listing's modes (640x480 at 30 fps without one).
    /// - Throws: `.notSupported` when the controls listing has no control line the parser
    ///   recognises (an empty, binary or unrelated file), or the formats listing no usable mode.
    func resolveModes() async throws(CaptureFailure) -> [SourceMode] {
        guard !V4L2Listing.controls(controls).isEmpty else {
            throw CaptureFailure.notSupported(
                "The controls listing has no control line the library recognises; give the output of `v4l2-ctl --list-ctrls-menus`.")
        }
        guard let formats else {
            return [SourceMode(width: 640, height: 480, frameRate: Fraction(30, 1), encoding: .raw(format: "YUY2"))]
        }
        // As v4l2src's caps for the same camera give them (the virtual-camera tests compare the two).
        let modes = SourceMode.preferringRaw(V4L2Listing.modes(formats).compactMap(SourceMode.init(listed:)))
        guard !modes.isEmpty else {
            throw CaptureFailure.notSupported(
                "The formats listing has no usable mode (YUYV, NV12 or MJPG with a size and a frame rate); give the output of `v4l2-ctl --list-formats-ext`."
            )
        }
        return modes
    }

    func controlCapabilities() -> MediaTrackCapabilities {
        let device = RecordedV4L2Device(listing: controls)
        return ControlMembers.filter(V4L2ControlBackend(V4L2ControlCache(device: device)).capabilities(), panTiltZoom: false)
    }

    func pipelineDescription(for mode: SourceMode?) -> String { PipelineDescription.source }

    func capsString(for mode: SourceMode) -> String { mode.emulatedCapsString }

    func configure(_ pipeline: Pipeline, mode: SourceMode?) throws(CaptureFailure) {
        pipeline.sourceElement.set("is-live", true)
    }

    func makeSession(pipeline: Pipeline, panTiltZoom: Bool, frames: FrameBoundary) -> any DeviceSession {
        let device = RecordedV4L2Device(listing: controls)
        return V4L2Session(label: V4L2Listing.deviceName(controls) ?? "The recorded camera") { device }
    }
}

extension SourceMode {
    /// A listed format the library streams: YUYV and NV12 as raw video, MJPG as MJPEG; nil for
    /// formats it does not decode (H.264), and for sizes or rates no camera has.
    fileprivate init?(listed: V4L2Listing.Mode) {
        let encoding: Encoding
        switch listed.fourcc {
        case "YUYV": encoding = .raw(format: "YUY2")
        case "NV12": encoding = .raw(format: "NV12")
        case "MJPG": encoding = .mjpeg
        default: return nil
        }
        guard SourceMode.isValid(width: listed.width, height: listed.height), let rate = Fraction(listed.frameRate)
        else { return nil }
        self.init(width: listed.width, height: listed.height, frameRate: rate, encoding: encoding)
    }
}
