internal import V4L2

/// A capture device the library can open: a V4L2 camera, the fake camera or microphone, a webcam
/// reproduced from recorded listings, or any GStreamer source a caller describes.
public struct CaptureDevice: Sendable, Hashable {
    /// Which device this is, as data; `backend` (in Backends/) turns it into the implementation.
    enum Source: Sendable, Hashable {
        case v4l2(path: String)
        case fake(FakeCamera)
        case fakeMicrophone
        case recorded(controls: String, formats: String?)
        case pipeline(description: String)
    }

    let source: Source
    /// The human-readable name (`MediaDeviceInfo.label`).
    public var label: String
    /// Where the device came from, to keep deviceIds stable (a V4L2 bus address when known).
    var stableKey: String

    /// The kind of media the device captures.
    public var kind: MediaDeviceInfo.Kind { backend.kind }

    /// A V4L2 camera by its device node, e.g. `/dev/video0`. The path is set as a property of
    /// `v4l2src`, never parsed.
    public static func v4l2(path: String) -> CaptureDevice {
        CaptureDevice(source: .v4l2(path: path), label: path, stableKey: "v4l2:" + path)
    }

    /// The fake camera (`videotestsrc`), for tests, demos and benchmarks.
    public static func fake(_ camera: FakeCamera = FakeCamera()) -> CaptureDevice {
        CaptureDevice(source: .fake(camera), label: camera.label, stableKey: "fake:" + camera.label)
    }

    /// A fake microphone (`audiotestsrc`): audio tracks have a lifecycle and settings, nothing more.
    public static func fakeMicrophone() -> CaptureDevice {
        CaptureDevice(source: .fakeMicrophone, label: "Fake Microphone", stableKey: "fake-microphone")
    }

    /// A real webcam reproduced from its `v4l2-ctl --list-ctrls-menus` and `--list-formats-ext`
    /// listings (their text), streaming from `videotestsrc` in the recorded modes.
    /// Its controls behave as the driver's would (ranges, steps, read-only and inactive flags, the
    /// automatic companions); its label is the listing's `# Device:` name when it has one. Without a
    /// formats listing it streams 640×480 at 30 fps; MJPEG modes stream as raw video. Formats no camera
    /// has (no size, a rate that is not a finite number) are left out; opening a device whose listings
    /// hold no recognised control, or no usable mode, is `NotSupportedError`.
    public static func recorded(controls: String, formats: String?) -> CaptureDevice {
        let name = V4L2Listing.deviceName(controls) ?? "Recorded Camera"
        return CaptureDevice(
            source: .recorded(controls: controls, formats: formats), label: name,
            stableKey: "recorded:" + name + ":" + String(controls.utf8.count))
    }

    /// Any GStreamer source with one raw-video output, described the way `gst-launch-1.0` reads it,
    /// e.g. `rtspsrc location=... ! decodebin` (see `pipelines/sources/`). The description is parsed
    /// on its own, as a bin; it is never pasted into the library's pipeline text. Opening it is
    /// `NotSupportedError` when GStreamer cannot build it (a syntax error, a missing element) or it has
    /// no raw-video output; the message carries GStreamer's error.
    ///
    /// - Important: the description runs whatever elements it names (`filesink` writes files,
    ///   `souphttpsrc` opens connections): pass only text your application trusts, never a string
    ///   from a user or the network. A device path or a URL that comes from outside belongs in a
    ///   property value instead (``v4l2(path:)`` sets it as one).
    public static func pipeline(_ description: String, label: String) -> CaptureDevice {
        CaptureDevice(source: .pipeline(description: description), label: label, stableKey: "pipeline:" + description)
    }
}
