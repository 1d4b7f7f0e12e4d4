// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// What a WHEP player's SDP offer asks for, read from its text: the video sections, and in them the
/// formats this library can send (VP8; H.264 in packetization mode 1, constrained baseline, as
/// openh264 encodes it), in the player's order of preference.
struct SessionOffer: Sendable {
    struct Format: Sendable, Hashable {
        var payloadType: Int
        var codec: WHEPPublisher.VideoCodec
        /// The fmtp parameters the answer must echo (H.264's profile and packetization mode).
        var parameters: [String: String]
    }

    struct VideoSection: Sendable {
        /// The section's index among every `m=` line (webrtcbin's transceiver and sink pad index).
        var index: Int
        var formats: [Format]
        /// Whether the player wants to receive (recvonly or sendrecv).
        var receives: Bool
    }

    var videoSections: [VideoSection]

    /// Reads `text`'s sections (the SDP's own syntax is checked by GStreamer's parser beforehand).
    init(_ text: String) {
        var sections: [VideoSection] = []
        var index = -1
        var current: (video: Bool, order: [Int], rtpmap: [Int: (String, Int)], fmtp: [Int: [String: String]], receives: Bool)?
        func close() {
            guard let section = current, section.video else { return }
            let formats = section.order.compactMap { type -> Format? in
                // Dynamic payload types only (RFC 3551): the value goes to the payloader and the caps.
                guard (96...127).contains(type), let (name, rate) = section.rtpmap[type], rate == 90000 else { return nil }
                let parameters = section.fmtp[type] ?? [:]
                switch name.uppercased() {
                case "VP8": return Format(payloadType: type, codec: .vp8, parameters: [:])
                case "H264":
                    // Six hex digits, or the format is not taken: the value goes into the transceiver's caps.
                    let profile = (parameters["profile-level-id"] ?? "42000a").lowercased()
                    guard parameters["packetization-mode"] == "1", profile.count == 6, profile.allSatisfy(\.isHexDigit),
                        profile.hasPrefix("42e0") || profile.hasPrefix("4200")
                    else { return nil }
                    return Format(payloadType: type, codec: .h264, parameters: ["profile-level-id": profile, "packetization-mode": "1"])
                default: return nil
                }
            }
            sections.append(VideoSection(index: index, formats: formats, receives: section.receives))
        }
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = Self.trimmed(raw)
            if line.hasPrefix("m=") {
                close()
                index += 1
                let fields = line.dropFirst(2).split(separator: " ")
                current = (
                    fields.first == "video", fields.dropFirst(3).compactMap { Int($0) }, [:], [:], true
                )
            } else if current != nil, line.hasPrefix("a=rtpmap:") {
                let fields = line.dropFirst(9).split(separator: " ", maxSplits: 1)
                guard fields.count == 2, let type = Int(fields[0]) else { continue }
                let encoding = fields[1].split(separator: "/")
                guard encoding.count >= 2, let rate = Int(encoding[1]) else { continue }
                current?.rtpmap[type] = (String(encoding[0]), rate)
            } else if current != nil, line.hasPrefix("a=fmtp:") {
                let fields = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                guard fields.count == 2, let type = Int(fields[0]) else { continue }
                var parameters: [String: String] = [:]
                for pair in fields[1].split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { parameters[Self.trimmed(parts[0]).lowercased()] = String(parts[1]) }
                }
                current?.fmtp[type] = parameters
            } else if current != nil, line == "a=sendonly" || line == "a=inactive" {
                current?.receives = false
            }
        }
        close()
        videoSections = sections
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }

    /// The first video section that receives and offers one of `codecs` (in `codecs`' order, then the
    /// player's), with that format; nil when there is none.
    func choose(_ codecs: [WHEPPublisher.VideoCodec]) -> (section: VideoSection, format: Format)? {
        for codec in codecs {
            for section in videoSections where section.receives {
                // H.264: constrained baseline (42e0..), what openh264 encodes, before plain baseline.
                let formats = section.formats.filter { $0.codec == codec }
                let constrained = formats.first { ($0.parameters["profile-level-id"] ?? "").lowercased().hasPrefix("42e0") }
                if let format = constrained ?? formats.first { return (section, format) }
            }
        }
        return nil
    }
}
