// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// A network camera's address, split the way `rtspsrc` takes it: the location without credentials,
/// and the user name and password (percent-decoded) as properties of their own. Only ``redacted``
/// (no credentials) ever reaches a label, a message or a log.
struct NetworkCameraURL: Sendable, Hashable {
    /// `rtsp://host[:port]/path?query`, without `user:password@`.
    let location: String
    let user: String?
    let password: String?

    /// The schemes `rtspsrc` opens: RTSP, RTSP over TLS, RTSP over HTTP tunnelling, TCP only.
    static let schemes = ["rtsp", "rtsps", "rtspt", "rtsph", "rtspu"]

    /// The address for messages and labels (the location: it holds no credentials).
    var redacted: String { location }

    /// Nil when `text` is not an RTSP URL with a host (or holds spaces, control characters or
    /// pipeline syntax such as `!`, which no URL has).
    init?(_ text: String) {
        guard text.utf8.count <= 4096,
            !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "!" || $0 == "\\" }),
            let separator = text.firstRange(of: "://")
        else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard Self.schemes.contains(scheme) else { return nil }
        let rest = text[separator.upperBound...]
        let ends: Set<Character> = ["/", "?", "#"]
        let authorityEnd = rest.firstIndex(where: ends.contains) ?? rest.endIndex
        let authority = rest[..<authorityEnd], tail = rest[authorityEnd...]
        var host = authority
        var user: String?, password: String?
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            host = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = Self.percentDecoded(credentials[..<colon])
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                user = Self.percentDecoded(credentials)
            }
            guard user != nil, password != nil || !credentials.contains(":") else { return nil }
        }
        guard !host.isEmpty, !host.hasPrefix(":") else { return nil }
        location = scheme + "://" + host + tail
        self.user = user
        self.password = password
    }

    /// `%XX` escapes decoded; nil for a malformed escape or text that is not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high < utf8.endIndex, utf8.index(after: high) < utf8.endIndex,
                    let value = UInt8(String(decoding: utf8[high...utf8.index(after: high)], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                index = utf8.index(high, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
