// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import Synchronization

/// Watches a V4L2 device for control events (a control changed by another program or the driver)
/// and for its disappearance (unplugged).
///
/// It opens its own file handle on the device node, so the handle `v4l2src` polls never sees these
/// events, subscribes to `V4L2_EVENT_CTRL` for the given controls, and polls on a thread of its own
/// (a 200 ms tick, so ``stop()`` takes effect within it). A hang-up or error on the handle (what V4L2
/// reports at once after an unplug) calls `onLost` once and ends the watch: the loop never spins.
package final class V4L2EventWatcher: Sendable {
    private let flags = WatchFlags()

    /// Nil when the node cannot be opened or has no control events (then nothing is watched).
    package convenience init?(
        path: String, controls: [UInt32], onChange: @escaping @Sendable ([UInt32]) -> Void,
        onLost: @escaping @Sendable () -> Void = {}
    ) {
        let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard !V4L2Ioctl.subscribe(fd: fd, controls: controls).isEmpty else {
            close(fd)
            return nil
        }
        self.init(descriptor: fd, onChange: onChange, onLost: onLost)
    }

    /// Watches `fd`, which it takes over (and closes when the watch ends). Nil when no thread can be had.
    package init?(
        descriptor fd: Int32, onChange: @escaping @Sendable ([UInt32]) -> Void, onLost: @escaping @Sendable () -> Void
    ) {
        let loop = EventLoop(fd: fd, flags: flags, onChange: onChange, onLost: onLost)
        let context = Unmanaged.passRetained(loop).toOpaque()
        var thread = pthread_t()
        guard
            pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue().run()
                    return nil
                }, context) == 0
        else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            close(fd)
            return nil
        }
        pthread_detach(thread)
    }

    deinit { flags.stopped.store(true, ordering: .releasing) }

    /// Ends the watch within one tick; the thread closes its handle itself.
    package func stop() { flags.stopped.store(true, ordering: .releasing) }

    /// Whether the watch thread has ended (stopped, or the device went away).
    package var hasFinished: Bool { flags.finished.load(ordering: .acquiring) }
}

/// What the watcher and its thread share.
private final class WatchFlags: Sendable {
    let stopped = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)
    var isStopped: Bool { stopped.load(ordering: .acquiring) }
}

private final class EventLoop: Sendable {
    let fd: Int32
    let flags: WatchFlags
    let onChange: @Sendable ([UInt32]) -> Void
    let onLost: @Sendable () -> Void

    init(fd: Int32, flags: WatchFlags, onChange: @escaping @Sendable ([UInt32]) -> Void, onLost: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.flags = flags
        self.onChange = onChange
        self.onLost = onLost
    }

    func run() {
        defer {
            close(fd)
            flags.finished.store(true, ordering: .releasing)
        }
        while !flags.isStopped {
            var descriptor = pollfd(fd: fd, events: Int16(POLLPRI), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready < 0 {
                if errno == EINTR { continue }
                if !flags.isStopped { onLost() }
                return
            }
            guard ready > 0 else { continue }
            if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                if !flags.isStopped { onLost() }  // unplugged: V4L2 reports it at once, and for good
                return
            }
            let changed = V4L2Ioctl.dequeueControlEvents(fd: fd)
            if !changed.isEmpty && !flags.isStopped { onChange(changed) }
        }
    }
}
