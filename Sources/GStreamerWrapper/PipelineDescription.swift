// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The canonical pipelines, byte for byte the files in `pipelines/` (a test keeps them equal).
///
/// The files are what a person runs with `gst-launch-1.0 $(cat pipelines/NAME.pipeline)`; these
/// constants are what the library parses. Per-track values (device path, caps, pattern) are set on the
/// named elements after parsing: nothing a caller passes is ever pasted into a description.
package enum PipelineDescription {
    /// Every canonical pipeline, by file name without extension.
    package static let all: [String: String] = [
        "fake-camera": fakeCamera,
        "source": source,
        "camera": camera,
        "camera-mjpeg": cameraMJPEG,
        "fake-microphone": fakeMicrophone,
        "recording-webm": recordingWebM,
        "publishing-h264": publishingH264,
    ]

    /// The fake camera: `videotestsrc` in place of the camera, same graph otherwise, plus the emulated
    /// controls before the tee: `videobalance` (brightness, contrast, saturation) and a digital
    /// pan/tilt/zoom (crop, then scale back to the mode's size).
    package static let fakeCamera = video(
        source: """
            videotestsrc name=src is-live=true pattern=smpte
              ! capsfilter name=caps caps-change-mode=delayed caps=video/x-raw,format=I420,width=640,height=480,framerate=30/1
              ! videobalance name=balance ! videocrop name=ptz-crop ! videoscale name=ptz-scale add-borders=false
              ! capsfilter name=ptz-caps caps=video/x-raw,width=640,height=480
            """)

    /// A source with nothing of its own before the tee: the recorded camera's `videotestsrc`, or, once
    /// the library replaced `src` with a bin, a network camera, a PipeWire camera or a caller's source.
    package static let source = video(
        source: """
            videotestsrc name=src is-live=true pattern=smpte
              ! capsfilter name=caps caps-change-mode=delayed caps=video/x-raw,format=I420,width=640,height=480,framerate=30/1
            """)

    /// A V4L2 camera delivering raw video.
    package static let camera = video(
        source: """
            v4l2src name=src device=/dev/video0
              ! capsfilter name=caps caps-change-mode=delayed caps=video/x-raw,format=YUY2,width=640,height=480,framerate=30/1
            """)

    /// A V4L2 camera delivering MJPEG (large modes often come only as MJPEG). The camera's JPEGs go
    /// to the tee as they are: each branch decodes behind its own gate, so nothing is decoded while
    /// nobody reads, and a photo decodes only the frame it encodes.
    package static let cameraMJPEG = video(
        source: """
            v4l2src name=src device=/dev/video0
              ! capsfilter name=caps caps-change-mode=delayed caps=image/jpeg,width=1280,height=720,framerate=30/1
            """, decoding: true)

    /// A video pipeline: a backend's source fragment (ending in the `caps` capsfilter or after it),
    /// the tee, and one branch of each kind: frames (``framesBranch``) and photo (``photoBranch``),
    /// each with a decoder after its queue when the tee carries JPEG.
    private static func video(source: String, decoding: Bool = false) -> String {
        source + "\n  ! tee name=t\n  t. ! " + framesBranch(decoding: decoding) + "\n  t. ! " + photoBranch(decoding: decoding) + "\n"
    }

    /// `branch` with `jpegdec name=NAME` after its queue (its second line).
    private static func decoding(_ branch: String, decoder: String) -> String {
        var lines = branch.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert("     ! jpegdec name=\(decoder)", at: 2)
        return lines.joined(separator: "\n")
    }

    /// The frames branch of a source whose tee carries raw video (`decoding` false) or JPEG.
    package static func framesBranch(decoding: Bool) -> String {
        decoding ? Self.decoding(framesBranch, decoder: Name.framesDecoder) : framesBranch
    }

    /// The photo branch of a source whose tee carries raw video (`decoding` false) or JPEG.
    package static func photoBranch(decoding: Bool) -> String {
        decoding ? Self.decoding(photoBranch, decoder: Name.photoDecoder) : photoBranch
    }

    /// The frames branch, one per track (clones included): a gate (`valve`), a leaky queue, the
    /// track's crop and scale, conversion to RGBA, and the appsink its frames come from. Every frames
    /// branch is built from this text: the first one with the pipeline, the others (its clones'
    /// tracks) by `TrackBranch`, which adds a suffix to each name.
    package static let framesBranch = """
        valve name=frames-gate drop-mode=forward-sticky-events
             ! queue name=frames-queue max-size-buffers=2 max-size-bytes=0 max-size-time=0 leaky=downstream
             ! videocrop name=frames-crop ! videoscale name=frames-scale add-borders=false ! videoconvert name=frames-convert
             ! appsink name=frames caps=video/x-raw,format=RGBA sync=false max-buffers=1 drop=true
        """

    /// The photo branch, one per pipeline: the shutter (a valve opened for one frame), a queue, the
    /// photo's crop and scale, conversion to I420 and `jpegenc` (the photo encodes from the camera's
    /// YUV), and the appsink the JPEGs come from.
    package static let photoBranch = """
        valve name=shutter drop=true drop-mode=forward-sticky-events
             ! queue name=photo-queue
             ! videocrop name=photo-crop ! videoscale name=photo-scale add-borders=false ! videoconvert name=photo-convert
             ! capsfilter name=photo-caps caps-change-mode=delayed caps=video/x-raw,format=I420
             ! jpegenc name=encoder quality=90
             ! appsink name=photo sync=false async=false max-buffers=1 drop=true
        """

    /// The fake camera with a recording running: a third branch on the tee, as the library's
    /// `RecordingBranch` builds it for `MediaRecorder` with its defaults on a 640x480 track at 30 fps
    /// (VP8 in WebM, a key frame a second, a tenth of a bit per pixel), its bytes to an appsink. The
    /// library makes the branch from its profile and names its elements `swift-media-capture-recorder-N-`
    /// and the factory; a test keeps a running recording's branch equal to this one (factories, links,
    /// the values set here). It is also the graph the recording benchmark runs under gst-launch-1.0.
    package static let recordingWebM =
        fakeCamera
            + """
              t. ! queue name=recorder-queue max-size-buffers=0 max-size-bytes=0 max-size-time=2000000000
                 ! videocrop name=recorder-videocrop ! videoscale name=recorder-videoscale add-borders=false ! videoconvert name=recorder-videoconvert
                 ! capsfilter name=recorder-capsfilter caps=video/x-raw,format=I420,width=640,height=480,pixel-aspect-ratio=1/1
                 ! vp8enc name=recorder-vp8enc deadline=1 cpu-used=8 threads=1 lag-in-frames=0 end-usage=cbr target-bitrate=921600 keyframe-max-dist=30
                 ! webmmux name=recorder-webmmux streamable=true
                 ! appsink name=recorder-appsink sync=false async=false max-buffers=0 drop=false

            """

    /// The fake camera while someone watches it in H.264 (RTSP, WebRTC): the live encode, a third branch
    /// on the tee as the library's `EncodingBranch` builds it, shared by every viewer of the codec. Its
    /// elements are named `swift-media-capture-encoder-N-` with their index and factory; a test keeps a
    /// running encode's branch equal to this one (factories, links, the values set here).
    package static let publishingH264 =
        fakeCamera
            + """
              t. ! queue name=encoder-0-queue max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 leaky=downstream
                 ! videoconvert name=encoder-1-videoconvert ! capsfilter name=encoder-2-capsfilter caps=video/x-raw,format=I420
                 ! openh264enc name=encoder-3-openh264enc bitrate=2000000 gop-size=60 complexity=low usage-type=camera
                 ! h264parse name=encoder-4-h264parse config-interval=-1
                 ! capsfilter name=encoder-5-capsfilter caps=video/x-h264,stream-format=byte-stream,alignment=au
                 ! appsink name=encoder-6-appsink sync=false async=false max-buffers=4 drop=true enable-last-sample=false

            """

    /// The fake microphone: a live sine wave, consumed by a `fakesink`.
    package static let fakeMicrophone = """
        audiotestsrc name=src is-live=true wave=sine
          ! capsfilter name=caps caps-change-mode=delayed caps=audio/x-raw,rate=48000,channels=1
          ! fakesink name=sink sync=false

        """

    /// A network camera's source (`pipelines/sources/rtsp-camera.source` without its comments): parsed
    /// as a bin that replaces `src`; the URL and credentials are set on `network-source` afterwards.
    /// RTSP over TCP (a drop shows at once as a closed connection), 200 ms of jitter buffer, and
    /// 5 s without data counts as a drop.
    package static let networkCameraSource = """
        rtspsrc name=network-source location=rtsp://camera.example/stream protocols=tcp latency=200 tcp-timeout=5000000
          ! decodebin ! videoconvert
        """

    /// A PipeWire camera's source (`pipelines/sources/pipewire.source` without its comments): parsed as
    /// a bin that replaces `src`; the node is set on `pipewire-source` afterwards.
    package static let pipeWireSource = """
        pipewiresrc name=pipewire-source target-object=Camera always-copy=true ! videoconvert
        """

    /// Element names the library relies on; every video pipeline has them.
    package enum Name {
        package static let source = "src"
        /// The fake microphone's sink, whose buffers a recording taps.
        package static let microphoneSink = "sink"
        package static let sourceCaps = "caps"
        /// The fake camera's emulated controls.
        package static let balance = "balance"
        package static let panTiltZoomCrop = "ptz-crop"
        package static let panTiltZoomCaps = "ptz-caps"
        /// An MJPEG camera's decoders, one a branch, after the branch's queue.
        package static let framesDecoder = "frames-decoder"
        package static let photoDecoder = "photo-decoder"
        package static let tee = "t"
        package static let framesGate = "frames-gate"
        package static let framesQueue = "frames-queue"
        package static let framesCrop = "frames-crop"
        package static let framesScale = "frames-scale"
        package static let framesConvert = "frames-convert"
        package static let frames = "frames"
        package static let shutter = "shutter"
        package static let photoCrop = "photo-crop"
        package static let photoCaps = "photo-caps"
        package static let encoder = "encoder"
        package static let photo = "photo"
    }
}
