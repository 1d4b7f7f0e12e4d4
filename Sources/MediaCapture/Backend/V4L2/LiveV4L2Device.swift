import Glibc
import GStreamerWrapper
import Synchronization

/// A real V4L2 camera's controls, through ioctls on the file descriptor `v4l2src` streams from.
///
/// Changes made elsewhere (another program, the driver) arrive as V4L2 control events on a handle of
/// the watcher's own; a change counts when the value differs from the last one read or written here,
/// so this object's own writes are not reported back.
///
/// The descriptor is borrowed: it is attached once the pipeline runs and detached before the pipeline
/// lets it go, so no ioctl can reach a closed (or reused) descriptor; after that, reads return the
/// last values and writes are refused. Each ioctl runs under the lock, which also serialises them.
final class LiveV4L2Device: V4L2ControlDevice {
    private struct State {
        var fd: Int32?
        var controls: [V4L2Controls.Description] = []
        var values: [UInt32: Int64] = [:]
        var onChange: (@Sendable () -> Void)?
        var watcher: V4L2EventWatcher?
    }

    private let state = Mutex(State())

    /// Starts using `fd` (v4l2src's `device-fd`, on the node at `path`), reads the controls once, and
    /// starts watching for changes made elsewhere.
    func attach(fd: Int32, path: String) {
        let ids = state.withLock { state in
            state.fd = fd
            state.controls = V4L2Controls.describe(fd: fd)
            for control in state.controls { state.values[control.id] = V4L2Controls.value(fd: fd, of: control) }
            return state.controls.map(\.id)
        }
        let watcher = V4L2EventWatcher(path: path, controls: ids) { [weak self] changed in self?.changedElsewhere(changed) }
        state.withLock { $0.watcher = watcher }
    }

    func watchChanges(_ handler: @escaping @Sendable () -> Void) { state.withLock { $0.onChange = handler } }

    /// Called from the watcher's thread with the controls an event named.
    private func changedElsewhere(_ ids: [UInt32]) {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            guard let fd = state.fd else { return nil }
            var differs = false
            for id in ids {
                guard let control = state.controls.first(where: { $0.id == id }),
                    let value = V4L2Controls.value(fd: fd, of: control), value != state.values[id]
                else { continue }
                state.values[id] = value
                differs = true
            }
            return differs ? state.onChange : nil
        }
        handler?()
    }

    /// Stops using the descriptor (the pipeline is about to close it) and the watch.
    func detach() {
        let watcher = state.withLock { state in
            state.fd = nil
            defer { state.watcher = nil }
            return state.watcher
        }
        watcher?.stop()
    }

    func controls() -> [V4L2Control] {
        state.withLock { state in
            state.controls.compactMap { description in
                let kind: V4L2Control.Kind
                switch description.type {
                case 1: kind = .integer
                case 2: kind = .boolean
                case 3: kind = .menu
                case 5: kind = .integer64
                case 9: kind = .integerMenu
                default: return nil  // buttons, strings, bitmasks: nothing the mapping uses
                }
                return V4L2Control(
                    id: description.id, name: description.name, kind: kind, minimum: description.minimum,
                    maximum: description.maximum, step: description.step, defaultValue: description.defaultValue,
                    menu: description.menu, isReadOnly: description.isReadOnly, isInactive: description.isInactive)
            }
        }
    }

    func value(of id: UInt32) -> Int64? {
        state.withLock { state in
            guard let fd = state.fd, let control = state.controls.first(where: { $0.id == id }) else {
                return state.values[id]
            }
            let value = V4L2Controls.value(fd: fd, of: control)
            if let value { state.values[id] = value }
            return value ?? state.values[id]
        }
    }

    func setValue(_ value: Int64, of id: UInt32) throws(V4L2Refusal) {
        try state.withLock { (state: inout State) throws(V4L2Refusal) in
            guard let fd = state.fd else { throw .notWritable("the camera is closed") }
            guard let control = state.controls.first(where: { $0.id == id }) else {
                throw .invalidValue("no control 0x\(String(id, radix: 16))")
            }
            let code = V4L2Controls.set(fd: fd, control, to: value)
            guard code == 0 else {
                let reason = "\(control.name): \(V4L2Controls.describe(errno: code))"
                throw code == EACCES || code == EPERM || code == EBUSY ? .notWritable(reason) : .invalidValue(reason)
            }
            // What the driver took: our own write's event then finds nothing new.
            state.values[id] = V4L2Controls.value(fd: fd, of: control) ?? value
        }
    }
}
