// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import Synchronization

/// A V4L2 node opened for its controls only, by a process that does not stream from it (PipeWire
/// streams a camera it owns; the control ioctls still work on a handle of one's own). It owns its
/// descriptor: ``close()`` ends the control use and closes it.
package final class OpenedV4L2Device: V4L2ControlDevice {
    private let device: LiveV4L2Device
    private let fd: Int32

    /// Opens `path` (blocking: off Swift's cooperative pool). Nil when it cannot be opened.
    package init?(path: String) {
        let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.fd = fd
        device = LiveV4L2Device(fd: fd, path: path)
    }

    package func queryControls() -> [V4L2Control] { device.queryControls() }
    package func read(_ control: V4L2Control) -> Int64? { device.read(control) }
    package func write(_ value: Int64, to control: V4L2Control) throws(V4L2Refusal) { try device.write(value, to: control) }

    package func watch(
        controls: [UInt32], onChange: @escaping @Sendable ([UInt32]) -> Void, onLost: @escaping @Sendable () -> Void
    ) {
        device.watch(controls: controls, onChange: onChange, onLost: onLost)
    }

    /// No ioctl follows; the descriptor is closed once (the borrowed device lets it go first).
    package func close() {
        device.close()
        _ = closeOnce.exchange(true, ordering: .acquiringAndReleasing) ? 0 : Glibc.close(fd)
    }

    private let closeOnce = Atomic<Bool>(false)
}
