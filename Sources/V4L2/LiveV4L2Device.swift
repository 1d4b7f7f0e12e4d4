// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import Locking

/// A real V4L2 camera's control ioctls, on the file descriptor `v4l2src` streams from.
///
/// The descriptor is borrowed: ``close()`` is called before the pipeline lets it go, so no ioctl can
/// reach a closed (or reused) descriptor; afterwards reads give nil and writes are refused. Each ioctl
/// runs under the lock, which also serialises them. Control events and unplugs arrive through a
/// ``V4L2EventWatcher`` on a handle of its own.
package final class LiveV4L2Device: V4L2ControlDevice {
    private struct State {
        var fd: Int32?
        var watcher: V4L2EventWatcher?
    }

    private let state: Locked<State>
    private let path: String

    /// Uses `fd` (v4l2src's `device-fd`) on the node at `path`.
    package init(fd: Int32, path: String) {
        state = Locked(State(fd: fd))
        self.path = path
    }

    package func queryControls() -> [V4L2Control] {
        state.withLock { state in state.fd.map { V4L2Ioctl.queryControls(fd: $0) } ?? [] }
    }

    package func read(_ control: V4L2Control) -> Int64? {
        state.withLock { state in state.fd.flatMap { V4L2Ioctl.read(fd: $0, control) } }
    }

    package func write(_ value: Int64, to control: V4L2Control) throws(V4L2Refusal) {
        try state.withLock { (state: inout State) throws(V4L2Refusal) in
            guard let fd = state.fd else { throw .notWritable("the camera is closed") }
            let code = V4L2Ioctl.write(fd: fd, control, value)
            guard code == 0 else {
                let reason = "\(control.name): \(V4L2Ioctl.describe(errno: code))"
                throw code == EACCES || code == EPERM || code == EBUSY ? .notWritable(reason) : .invalidValue(reason)
            }
        }
    }

    package func watch(
        controls: [UInt32], onChange: @escaping @Sendable ([UInt32]) -> Void, onLost: @escaping @Sendable () -> Void
    ) {
        let watcher = V4L2EventWatcher(path: path, controls: controls, onChange: onChange, onLost: onLost)
        let previous = state.withLock { state in
            defer { state.watcher = watcher }
            return state.watcher
        }
        previous?.stop()
    }

    package func close() {
        let watcher = state.withLock { state in
            state.fd = nil
            defer { state.watcher = nil }
            return state.watcher
        }
        watcher?.stop()
    }
}
