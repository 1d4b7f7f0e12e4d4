// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc

/// A connection of its own to the session's PipeWire daemon: for a `pipewiresrc` (its `fd` property)
/// and for each ``PipeWireRegistry`` listing. PipeWire 0.3.65's GStreamer plugin shares one
/// connection among every element that sets no `fd`, keyed by descriptor number; a connection of
/// its own is released whole with its user.
package enum PipeWireConnection {
    /// A new socket connected where libpipewire itself would connect: `$PIPEWIRE_REMOTE` (a name or a
    /// path; `pipewire-0` by default) in `$PIPEWIRE_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR`, else
    /// `$USERPROFILE`, and failing that in `/run/pipewire` (a system-wide daemon). Nil when no daemon
    /// answers there. The caller owns the descriptor.
    package static func open() -> Int32? {
        func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let remote = environment("PIPEWIRE_REMOTE") ?? "pipewire-0"
        if remote.hasPrefix("/") { return connect(remote) }
        let session = environment("PIPEWIRE_RUNTIME_DIR") ?? environment("XDG_RUNTIME_DIR") ?? environment("USERPROFILE")
        for directory in [session, "/run/pipewire"].compactMap({ $0 }) {
            if let fd = connect(directory + "/" + remote) { return fd }
        }
        return nil
    }

    private static func connect(_ path: String) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}
