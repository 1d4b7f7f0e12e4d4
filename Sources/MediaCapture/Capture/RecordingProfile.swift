// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// What a ``RecordingBranch`` encodes to, in GStreamer's terms: the recorder (which speaks MIME types)
/// chooses it, the branch builds its elements from it.
struct RecordingProfile: Sendable, Hashable {
    enum Codec: String, Sendable, Hashable {
        case vp8, vp9, h264

        /// The encoder's factory, and the parser a container needs after it (H.264 for MP4 wants `avc`).
        var factories: [String] {
            switch self {
            case .vp8: ["vp8enc"]
            case .vp9: ["vp9enc"]
            case .h264: ["openh264enc", "h264parse"]
            }
        }

        /// The caps every muxer here takes the codec's frames in (H.264: `avc`, whole access units).
        var muxedCaps: String {
            switch self {
            case .vp8: "video/x-vp8"
            case .vp9: "video/x-vp9"
            case .h264: "video/x-h264,stream-format=avc,alignment=au"
            }
        }
    }

    enum Container: String, Sendable, Hashable {
        case webm, matroska, mp4

        var factory: String {
            switch self {
            case .webm: "webmmux"
            case .matroska: "matroskamux"
            case .mp4: "mp4mux"
            }
        }
    }

    var codec: Codec
    var container: Container
    var bitsPerSecond: UInt32
    /// At most this many frames between two key frames.
    var keyFrameInterval: UInt32
    /// The frame size recorded (the track's); nil: the source's.
    var size: AspectCrop.Size?
    /// At most this many frames a second (a crop-and-scale track's lower rate); nil: every frame.
    var maximumFrameRate: Double?
    /// Where the muxer writes: nil, to the recorder (Blobs); else to files on disk.
    var files: Files?
    /// Whether the source's tee carries JPEG (an MJPEG camera): the branch decodes after its queue,
    /// so that nothing is decoded for it while it does not run.
    var decodesJPEG = false
    /// Nanoseconds of encoded video kept before the recording starts (0: none). A pre-rolling branch is
    /// attached with its head alone (queue to encoder) and keeps what it encodes in a ring; the muxer
    /// and what it writes to are added when the recording starts, fed the ring first.
    var preroll: UInt64 = 0
    /// Opus at this bit rate from a microphone, beside the video (nil: video only): raw audio comes in
    /// through an `appsrc`, stamped on the recording's timeline.
    var audioBitsPerSecond: UInt32?

    /// Files written by `splitmuxsink`, cut at the first key frame after `segment` (0: one file).
    struct Files: Sendable, Hashable {
        /// The caller's path, for messages.
        var path: String
        /// For segments, splitmuxsink's `location`: a printf pattern given the file's index (the
        /// caller's path with every `%` doubled, so nothing in it is read as a conversion).
        var pattern: String
        var segment: UInt64 = 0
        /// At most this many files kept on disk, the oldest deleted first (0: all).
        var maxFiles: UInt32 = 0
    }

    /// Every element factory of the branch's chain, in order, for ``isAvailable``: its head, then its tail.
    var factories: [String] { headFactories + tailFactories }

    /// The head: the queue to the encoder (and its parser).
    var headFactories: [String] {
        ["queue"] + (decodesJPEG ? ["jpegdec"] : []) + ["videocrop", "videoscale", "videoconvert", "capsfilter"] + codec.factories
    }

    /// The tail: the muxer and what it writes to (or splitmuxsink, with its own).
    var tailFactories: [String] { isSegmented ? ["splitmuxsink"] : [container.factory, files == nil ? "appsink" : "filesink"] }

    /// Whether files are cut in segments (by `splitmuxsink`). One file is written by a plain filesink:
    /// splitmuxsink holds back a whole group of pictures to decide where to cut, which a killed
    /// process would lose on top of the muxer's last fragment.
    var isSegmented: Bool { (files?.segment ?? 0) > 0 }

    /// The elements `splitmuxsink` is given to write with, when the profile writes segments.
    var fileFactories: [String] { isSegmented ? [container.factory, "filesink"] : [] }

    /// The audio chain, from its appsrc to its encoder, when the profile records audio.
    var audioFactories: [String] { audioBitsPerSecond == nil ? [] : ["appsrc", "audioconvert", "audioresample", "opusenc"] }

    /// Whether every element the profile needs is installed.
    var isAvailable: Bool { (factories + fileFactories + audioFactories).allSatisfy(GStreamer.hasElement) }
}
