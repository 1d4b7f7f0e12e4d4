// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import MediaCapture

/// Where a publisher listens, and whether that is only this machine.
enum ListeningAddress {
    /// Whether `host` is a loopback address or name (nothing beyond this machine can connect).
    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "[::1]" { return true }
        // 127.0.0.0/8 as four numbers: a name such as 127.example.com is not loopback.
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Refuses a host beyond loopback without credentials unless told `allowUnauthenticated`.
    /// - Throws: `NotAllowedError`.
    static func check(host: String, authenticated: Bool, allowUnauthenticated: Bool, what: String) throws(DOMException) {
        guard !isLoopback(host), !authenticated, !allowUnauthenticated else { return }
        throw DOMException(
            .notAllowedError,
            "\(what) on \(host) would let anyone on the network watch the camera: give credentials, bind to 127.0.0.1, or allow it explicitly (--no-auth)."
        )
    }
}
