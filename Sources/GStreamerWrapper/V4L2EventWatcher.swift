internal import CGStreamer
import Glibc
import Synchronization

/// Watches a V4L2 device for control events (a control changed by another program or the driver).
///
/// It opens its own file handle on the device node, so the handle `v4l2src` polls never sees these
/// events, subscribes to `V4L2_EVENT_CTRL` for the given controls, and polls for them on a thread of
/// its own (a 200 ms tick, so ``stop()`` takes effect within it). `onChange` gets the control ids.
package final class V4L2EventWatcher: Sendable {
    private let stopped = Atomic<Bool>(false)

    /// Nil when the node cannot be opened or has no control events (then nothing is watched).
    package init?(path: String, controls: [UInt32], onChange: @escaping @Sendable ([UInt32]) -> Void) {
        let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let subscribed = controls.filter { CGStreamer_v4l2_subscribe_control(fd, $0) == 0 }
        guard !subscribed.isEmpty else {
            close(fd)
            return nil
        }
        let loop = EventLoop(fd: fd, stopped: self, onChange: onChange)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(loop).toOpaque()
        guard pthread_create(&thread, nil, { context in
            Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context) == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            close(fd)
            return nil
        }
        pthread_detach(thread)
    }

    /// Ends the watch within one tick; the thread closes its handle itself.
    package func stop() { stopped.store(true, ordering: .releasing) }

    fileprivate var isStopped: Bool { stopped.load(ordering: .acquiring) }
}

private final class EventLoop: @unchecked Sendable {  // used by its one thread only, after creation
    let fd: Int32
    weak var watcher: V4L2EventWatcher?
    let onChange: @Sendable ([UInt32]) -> Void

    init(fd: Int32, stopped watcher: V4L2EventWatcher, onChange: @escaping @Sendable ([UInt32]) -> Void) {
        self.fd = fd
        self.watcher = watcher
        self.onChange = onChange
    }

    func run() {
        defer { close(fd) }
        while let watcher, !watcher.isStopped {
            var descriptor = pollfd(fd: fd, events: Int16(POLLPRI), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready < 0 && errno != EINTR { return }
            guard ready > 0 else { continue }
            var changed: [UInt32] = []
            var control: UInt32 = 0
            while CGStreamer_v4l2_dequeue_event(fd, &control) == 0 {
                if control != 0 && !changed.contains(control) { changed.append(control) }
            }
            if !changed.isEmpty && !watcher.isStopped { onChange(changed) }
        }
    }
}
