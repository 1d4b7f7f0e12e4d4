// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// One open device's controls as the library keeps them: described and read once, then kept fresh by
/// write read-backs and control events, so reading a value never touches the device.
///
/// The initialiser and ``write(_:to:)`` do device I/O: call them off Swift's cooperative pool (the library's device thread).
package final class V4L2ControlCache: Sendable {
    package let device: any V4L2ControlDevice
    /// Every control, in the driver's order, by id.
    package let controls: [UInt32: V4L2Control]
    private let values: Locked<[UInt32: Int64]>

    /// Blocking: queries every control and reads its value.
    package init(device: any V4L2ControlDevice) {
        self.device = device
        let described = device.queryControls()
        controls = Dictionary(described.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var read: [UInt32: Int64] = [:]
        for control in described { read[control.id] = device.read(control) }
        values = Locked(read)
    }

    /// The last value read or written (never a device read).
    package func value(of id: UInt32) -> Int64? { values.withLock { $0[id] } }

    /// Blocking: writes one control and reads back what the driver took.
    /// - Throws: the refusal, or `invalidValue` for an unknown id.
    package func write(_ value: Int64, to id: UInt32) throws(V4L2Refusal) {
        guard let control = controls[id] else { throw .invalidValue("no control 0x\(String(id, radix: 16))") }
        try device.write(value, to: control)
        let taken = device.read(control) ?? value
        values.withLock { $0[id] = taken }
    }

    /// Watches the device: controls changed elsewhere are read again (on the watcher's thread), and
    /// `onChange` runs when a value differs from the cache; `onLost` runs once when the device goes away.
    /// Blocking (it opens a handle and subscribes to events): call it off Swift's cooperative pool (the library's device thread).
    package func watch(onChange: @escaping @Sendable () -> Void, onLost: @escaping @Sendable () -> Void) {
        device.watch(
            controls: Array(controls.keys).sorted(),
            onChange: { [weak self] ids in
                guard let self, self.refresh(ids) else { return }
                onChange()
            }, onLost: onLost)
    }

    /// Reads `ids` again; whether any value changed.
    private func refresh(_ ids: [UInt32]) -> Bool {
        let read = ids.compactMap { id in controls[id].flatMap { device.read($0) }.map { (id, $0) } }
        return values.withLock { values in
            var differs = false
            for (id, value) in read where values[id] != value {
                values[id] = value
                differs = true
            }
            return differs
        }
    }
}
