// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// A MIME type a ``MediaRecorder`` records, as a container, a video codec, and whether it names Opus
/// (audio, from the stream's microphone).
///
/// Parsed as RFC 6381 types are: `type/subtype` then parameters; only `codecs` is read (a list,
/// possibly quoted). Case does not matter.
struct RecordingFormat: Sendable, Hashable {
    var container: RecordingProfile.Container
    var codec: RecordingProfile.Codec
    /// Whether the type says whether to record audio: true when its codecs name Opus, false when they
    /// name only a video codec, nil when it names none (audio then when the stream has some).
    var audio: Bool?

    /// What the library records when the caller names no type.
    static let preferred = RecordingFormat(container: .webm, codec: .vp8)

    init(container: RecordingProfile.Container, codec: RecordingProfile.Codec, audio: Bool? = nil) {
        self.container = container
        self.codec = codec
        self.audio = audio
    }

    /// Nil when `type` is malformed or names a container or codec the library cannot record.
    init?(parsing type: String) {
        let parts = type.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingSpaces().lowercased() }
        let container: RecordingProfile.Container
        switch parts[0] {
        case "video/webm": container = .webm
        case "video/x-matroska": container = .matroska
        case "video/mp4": container = .mp4
        default: return nil
        }
        var codecs: [String] = []
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            guard let equals = parameter.firstIndex(of: "=") else { return nil }
            let key = parameter[..<equals].trimmingSpaces()
            var value = parameter[parameter.index(after: equals)...].trimmingSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if key == "codecs" { codecs += value.split(separator: ",").map { $0.trimmingSpaces() } }
        }
        let opus = codecs.contains("opus")
        let named = codecs.filter { $0 != "opus" }.map(Self.codec(named:))
        guard !named.contains(nil), named.count <= 1, codecs.count - named.count <= 1 else { return nil }  // unknown, or two of a kind
        let codec = named.first.flatMap { $0 } ?? (container == .mp4 ? .h264 : .vp8)
        switch (container, codec) {
        case (.webm, .h264), (.mp4, .vp8), (.mp4, .vp9): return nil
        default: break
        }
        self.init(container: container, codec: codec, audio: codecs.isEmpty ? nil : opus)
    }

    private static func codec(named name: String) -> RecordingProfile.Codec? {
        switch name {
        case "vp8", "vp8.0": .vp8
        case "vp9", "vp9.0": .vp9
        case "avc1", "h264": .h264
        case _ where name.hasPrefix("vp09."): .vp9
        case _ where name.hasPrefix("avc1."): .h264
        default: nil
        }
    }

    /// Whether every GStreamer element the format needs is installed.
    var isAvailable: Bool {
        RecordingProfile(codec: codec, container: container, bitsPerSecond: 0, keyFrameInterval: 1, audioBitsPerSecond: audio == true ? 1 : nil)
            .isAvailable
    }

    /// The type in use, with its codec: for H.264, Constrained Baseline (what `openh264enc` writes) at
    /// the level that frames of `size` at 30 fps need.
    func mimeType(size: AspectCrop.Size?, audio: Bool = false) -> String {
        let base: String
        switch container {
        case .webm: base = "video/webm"
        case .matroska: base = "video/x-matroska"
        case .mp4: base = "video/mp4"
        }
        let codecName: String
        switch codec {
        case .vp8: codecName = "vp8"
        case .vp9: codecName = "vp9"
        case .h264:
            let pixels = (size?.width ?? 1280) * (size?.height ?? 720)
            codecName = "avc1.42E0" + (pixels <= 1280 * 720 ? "1F" : pixels <= 1920 * 1088 ? "28" : "33")
        }
        return "\(base);codecs=\(codecName)" + (audio ? ",opus" : "")
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
