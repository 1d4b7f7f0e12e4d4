// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// A webcam reproduced from its `v4l2-ctl` listing: its controls, values and flags, and the rules a
/// UVC driver applies, so the V4L2 mapping runs exactly as on the hardware:
/// - writes are clamped to the range and rounded to the step (what the driver took is read back);
/// - read-only controls, and controls made inactive by their automatic companion (exposure time
///   while exposure is automatic, white-balance temperature while white balance is automatic, focus
///   while autofocus is on), refuse writes (EACCES);
/// - menu controls refuse indices their menu does not have (EINVAL).
///
/// It also counts the ioctls made on it (what a test asserts about device I/O), can be written by
/// "another program" (``externalWrite(_:of:)``) and unplugged (``unplug()``).
package final class RecordedV4L2Device: V4L2ControlDevice {
    private struct State {
        var controls: [UInt32: V4L2Control]
        var values: [UInt32: Int64]
        let order: [UInt32]
        var watch: Watch?
        var reads = 0
        /// Every accepted write, in order (e.g. a flash strobe).
        var writes: [(id: UInt32, value: Int64)] = []
        var lost = false
        /// Writes a test makes the "driver" refuse.
        var refusals: [UInt32: V4L2Refusal] = [:]
    }

    private final class Watch: Sendable {
        let onChange: @Sendable ([UInt32]) -> Void
        let onLost: @Sendable () -> Void
        init(onChange: @escaping @Sendable ([UInt32]) -> Void, onLost: @escaping @Sendable () -> Void) {
            self.onChange = onChange
            self.onLost = onLost
        }
    }

    /// Tells a test about each accepted write as it happens (boxed: see `Watch`).
    private final class WriteObserver: Sendable {
        let body: @Sendable (UInt32, Int64) -> Void
        init(_ body: @escaping @Sendable (UInt32, Int64) -> Void) { self.body = body }
    }

    private let state: Locked<State>
    private let writeObserver = Locked<WriteObserver?>(nil)

    package init(listing: String) {
        let parsed = V4L2Listing.controls(listing)
        var controls: [UInt32: V4L2Control] = [:], values: [UInt32: Int64] = [:]
        for (control, value) in parsed {
            controls[control.id] = control
            values[control.id] = value
        }
        Self.updateInactive(&controls, values)
        state = Locked(State(controls: controls, values: values, order: parsed.map(\.control.id)))
    }

    package func queryControls() -> [V4L2Control] {
        state.withLock { state in state.order.compactMap { state.controls[$0] } }
    }

    package func read(_ control: V4L2Control) -> Int64? {
        state.withLock { state in
            state.reads += 1
            return state.lost ? nil : state.values[control.id]
        }
    }

    package func write(_ value: Int64, to control: V4L2Control) throws(V4L2Refusal) {
        try state.withLock { (state: inout State) throws(V4L2Refusal) in
            guard !state.lost else { throw .notWritable("the camera was unplugged") }
            if let refusal = state.refusals[control.id] { throw refusal }
            guard let control = state.controls[control.id] else { throw .invalidValue("no control 0x\(String(control.id, radix: 16))") }
            if control.isReadOnly { throw .notWritable("\(control.name) is read-only") }
            if control.isInactive { throw .notWritable("\(control.name) is inactive while its automatic mode is on") }
            var taken = min(max(value, control.minimum), control.maximum)
            switch control.kind {
            case .menu, .integerMenu:
                guard control.menu[value] != nil else { throw .invalidValue("\(control.name) has no menu item \(value)") }
                taken = value
            case .button:
                taken = 0  // a trigger: nothing stays set
            case .integer where control.step > 1:
                // As the driver rounds, in arithmetic that cannot overflow for Int64-wide ranges.
                let offset = taken.subtractingReportingOverflow(control.minimum)
                if !offset.overflow {
                    let steps = offset.partialValue / control.step
                    let below = control.minimum.addingReportingOverflow(steps &* control.step)
                    let remainder = offset.partialValue - steps &* control.step
                    if !below.overflow {
                        let up = remainder >= (control.step + 1) / 2
                        let above = below.partialValue.addingReportingOverflow(control.step)
                        taken = up && !above.overflow ? min(above.partialValue, control.maximum) : below.partialValue
                    }
                }
            default:
                break
            }
            state.values[control.id] = taken
            state.writes.append((control.id, value))
            Self.updateInactive(&state.controls, state.values)
        }
        writeObserver.withLock { $0 }?.body(control.id, value)
    }

    package func watch(
        controls: [UInt32], onChange: @escaping @Sendable ([UInt32]) -> Void, onLost: @escaping @Sendable () -> Void
    ) {
        state.withLock { $0.watch = Watch(onChange: onChange, onLost: onLost) }
    }

    package func close() { state.withLock { $0.watch = nil } }

    // MARK: - What a test does to the "hardware"

    /// Another program writes a control (as `v4l2-ctl --set-ctrl` would), with the driver's rules;
    /// the watch hears of it as from a V4L2 control event.
    package func externalWrite(_ value: Int64, of id: UInt32) throws(V4L2Refusal) {
        guard let control = state.withLock({ $0.controls[id] }) else { throw .invalidValue("no control \(id)") }
        try write(value, to: control)
        state.withLock { $0.watch }?.onChange([id])
    }

    /// The camera is unplugged: reads fail, writes are refused, and the watch hears of it once.
    package func unplug() {
        let watch = state.withLock { state -> Watch? in
            guard !state.lost else { return nil }
            state.lost = true
            return state.watch
        }
        watch?.onLost()
    }

    /// From now on the driver refuses every write to `id` (nil: accepts them again).
    package func refuseWrites(to id: UInt32, _ refusal: V4L2Refusal?) {
        state.withLock { $0.refusals[id] = refusal }
    }

    /// How many control reads reached the device.
    package var readCount: Int { state.withLock { $0.reads } }

    /// Every accepted write, in order.
    package var writes: [(id: UInt32, value: Int64)] { state.withLock { $0.writes } }

    /// Calls `body` with each accepted write, on the writing thread.
    package func observeWrites(_ body: @escaping @Sendable (UInt32, Int64) -> Void) {
        writeObserver.withLock { $0 = WriteObserver(body) }
    }

    /// The UVC driver's companion rules: a manual value is inactive while its automatic mode is on.
    private static func updateInactive(_ controls: inout [UInt32: V4L2Control], _ values: [UInt32: Int64]) {
        typealias ID = V4L2ControlID
        func set(_ id: UInt32, inactive: Bool?) {
            guard let inactive, controls[id] != nil else { return }
            controls[id]?.isInactive = inactive
        }
        set(
            ID.exposureAbsolute,
            inactive: values[ID.exposureAuto].map {
                $0 != ID.ExposureAuto.manual && $0 != ID.ExposureAuto.shutterPriority
            })
        set(ID.whiteBalanceTemperature, inactive: values[ID.autoWhiteBalance].map { $0 != 0 })
        set(ID.focusAbsolute, inactive: values[ID.focusAuto].map { $0 != 0 })
    }
}
