// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc

/// A connection of its own to the session's PipeWire daemon: for a `pipewiresrc` (its `fd` property)
/// and for each ``PipeWireRegistry`` listing. PipeWire 0.3.65's GStreamer plugin shares one
/// connection among every element that sets no `fd`, keyed by descriptor number; a connection of
/// its own is released whole with its user.
package enum PipeWireConnection {
    /// How a connection attempt ended.
    package enum Outcome: Sendable, Equatable {
        case connected(Int32)
        /// No daemon listens there (no socket, or nobody accepting on it).
        case noDaemon
        /// The socket could not be made or connected for another reason (an errno: out of
        /// descriptors, memory...): a daemon may well be there.
        case failed(Int32)
    }

    /// A new socket connected where libpipewire itself would connect: `$PIPEWIRE_REMOTE` (a name or a
    /// path; `pipewire-0` by default) in `$PIPEWIRE_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR`, else
    /// `$USERPROFILE`, and failing that in `/run/pipewire` (a system-wide daemon). Nil when none
    /// could be made. The caller owns the descriptor.
    package static func open() -> Int32? {
        if case .connected(let fd) = connect() { return fd }
        return nil
    }

    /// As ``open()``, telling a missing daemon from a failure.
    package static func connect() -> Outcome {
        func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let remote = environment("PIPEWIRE_REMOTE") ?? "pipewire-0"
        if remote.hasPrefix("/") { return connect(remote) }
        let session = environment("PIPEWIRE_RUNTIME_DIR") ?? environment("XDG_RUNTIME_DIR") ?? environment("USERPROFILE")
        var outcome = Outcome.noDaemon
        for directory in [session, "/run/pipewire"].compactMap({ $0 }) {
            switch connect(directory + "/" + remote) {
            case .connected(let fd): return .connected(fd)
            case .failed(let error): outcome = .failed(error)
            case .noDaemon: break
            }
        }
        return outcome
    }

    private static func connect(_ path: String) -> Outcome {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return .noDaemon }  // no socket can be there
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failed(errno) }
        var connected: Int32
        repeat {
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        } while connected != 0 && errno == EINTR
        guard connected == 0 || errno == EISCONN else {  // connected by the interrupted call
            let error = errno
            close(fd)
            // No socket file, or nobody accepting on it: no daemon. Anything else is a failure.
            return [ENOENT, ECONNREFUSED, ENOTDIR].contains(error) ? .noDaemon : .failed(error)
        }
        return .connected(fd)
    }
}
