// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

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
        case network(url: String, reconnectFor: Duration)
        case pipeWire(node: String)
    }

    let source: Source
    /// The human-readable name (`MediaDeviceInfo.label`).
    public var label: String
    /// Where the device came from, to keep deviceIds stable (a V4L2 bus address when known).
    var stableKey: String
    /// Who made it, for a photo's EXIF `Make`: udev's vendor name for a listed camera, the package for
    /// the fake camera; nil when unknown (a camera opened by path, a recorded or network camera).
    var vendor: String? = nil

    /// The kind of media the device captures.
    public var kind: MediaDeviceInfo.Kind { backend.kind }

    /// A V4L2 camera by its device node, e.g. `/dev/video0`. The path is set as a property of
    /// `v4l2src`, never parsed.
    public static func v4l2(path: String) -> CaptureDevice {
        CaptureDevice(source: .v4l2(path: path), label: path, stableKey: "v4l2:" + path)
    }

    /// The fake camera (`videotestsrc`), for tests, demos and benchmarks.
    public static func fake(_ camera: FakeCamera = FakeCamera()) -> CaptureDevice {
        CaptureDevice(source: .fake(camera), label: camera.label, stableKey: "fake:" + camera.label, vendor: "swift-media-capture")
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

    /// A camera shared through PipeWire (desktop sessions, sandboxed apps through the camera portal),
    /// by its node's name (`node.name`, stable across restarts) or serial (`object.serial`), as
    /// `enumerateDevices()` and `pw-cli ls Node` list them. It streams through `pipewiresrc`, the
    /// node set as its `target-object` property (never parsed). Raw-video modes only; PipeWire
    /// cameras offer no image-capture controls yet. The track ends when the node goes away.
    public static func pipeWire(node: String) -> CaptureDevice {
        CaptureDevice(source: .pipeWire(node: node), label: node, stableKey: "pipewire:" + node)
    }

    /// A network camera over RTSP (`rtsp://`, `rtsps://`, `rtspt://`...): `rtspsrc` with the URL set
    /// as a property (never parsed), credentials taken from the URL (`rtsp://user:password@host/path`)
    /// and given to `rtspsrc` as properties of their own, so that no label, message or log holds them.
    /// The stream is decoded by whatever `decodebin` finds (JPEG, H.264 with `gstreamer1.0-libav`...),
    /// over RTSP's TCP transport.
    ///
    /// `getUserMedia` resolves after the first frame, or rejects with `NotReadableError` carrying the
    /// server's answer (not found, unauthorized, connection refused); a URL that is not an RTSP URL is a
    /// `TypeError`. When the stream drops, the tracks fire `mute`, the library reconnects with backoff
    /// for `reconnectFor`, the tracks fire `unmute` when frames return, and they end only when that
    /// time is spent. A grab or photo while the track is muted is refused at once (`InvalidStateError`).
    /// - Parameters:
    ///   - url: `rtsp://[user[:password]@]host[:port]/path`.
    ///   - label: the device's label; by default "Network camera (URL without credentials)".
    ///   - reconnectFor: how long a dropped stream is retried before its tracks end.
    public static func network(url: String, label: String? = nil, reconnectFor: Duration = .seconds(30)) -> CaptureDevice {
        let redacted = NetworkCameraURL(url)?.redacted ?? "an invalid URL"
        return CaptureDevice(
            source: .network(url: url, reconnectFor: reconnectFor), label: label ?? "Network camera (\(redacted))",
            stableKey: "network:" + redacted)
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

extension CaptureDevice: CustomStringConvertible, CustomDebugStringConvertible {
    /// The label and kind, never a network camera's credentials.
    public var description: String { "CaptureDevice(\(label))" }
    public var debugDescription: String { description }
}
