import Synchronization

/// A webcam reproduced from its `v4l2-ctl` listing: its controls, values and flags, and the rules a
/// UVC driver applies, so the V4L2 mapping runs exactly as on the hardware:
/// - writes are clamped to the range and rounded to the step (what the driver took is read back);
/// - read-only controls, and controls made inactive by their automatic companion (exposure time
///   while exposure is automatic, white-balance temperature while white balance is automatic, focus
///   while autofocus is on), refuse writes (EACCES);
/// - menu controls refuse indices their menu does not have (EINVAL).
final class RecordedV4L2Device: V4L2ControlDevice {
    private let state: Mutex<(controls: [UInt32: V4L2Control], values: [UInt32: Int64], order: [UInt32])>
    private let changeHandler = Mutex<(@Sendable () -> Void)?>(nil)
    /// Every accepted write, in order (what a test can ask the "hardware" about, e.g. a flash strobe).
    let writes = Mutex<[(id: UInt32, value: Int64)]>([])

    init(listing: String) {
        let parsed = V4L2Listing.controls(listing)
        var controls: [UInt32: V4L2Control] = [:], values: [UInt32: Int64] = [:]
        for (control, value) in parsed {
            controls[control.id] = control
            values[control.id] = value
        }
        state = Mutex((controls, values, parsed.map(\.control.id)))
        state.withLock { Self.updateInactive(&$0.controls, $0.values) }
    }

    func controls() -> [V4L2Control] { state.withLock { state in state.order.compactMap { state.controls[$0] } } }

    func value(of id: UInt32) -> Int64? { state.withLock { $0.values[id] } }

    func setValue(_ value: Int64, of id: UInt32) throws(V4L2Refusal) {
        try state.withLock { (state: inout (controls: [UInt32: V4L2Control], values: [UInt32: Int64], order: [UInt32])) throws(V4L2Refusal) in
            guard let control = state.controls[id] else { throw .invalidValue("no control 0x\(String(id, radix: 16))") }
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
                taken = control.minimum + ((taken - control.minimum + control.step / 2) / control.step) * control.step
                taken = min(taken, control.maximum)
            default:
                break
            }
            state.values[id] = taken
            Self.updateInactive(&state.controls, state.values)
        }
        writes.withLock { $0.append((id, value)) }
    }

    func watchChanges(_ handler: @escaping @Sendable () -> Void) { changeHandler.withLock { $0 = handler } }

    /// Another program writes a control (as `v4l2-ctl --set-ctrl` would), with the driver's rules;
    /// watchers hear of it as from a V4L2 control event.
    func externalWrite(_ value: Int64, of id: UInt32) throws(V4L2Refusal) {
        try setValue(value, of: id)
        changeHandler.withLock { $0 }?()
    }

    /// The UVC driver's companion rules: a manual value is inactive while its automatic mode is on.
    private static func updateInactive(_ controls: inout [UInt32: V4L2Control], _ values: [UInt32: Int64]) {
        typealias ID = V4L2ControlID
        func set(_ id: UInt32, inactive: Bool?) {
            guard let inactive, controls[id] != nil else { return }
            controls[id]?.isInactive = inactive
        }
        set(ID.exposureAbsolute, inactive: values[ID.exposureAuto].map {
            $0 != ID.ExposureAuto.manual && $0 != ID.ExposureAuto.shutterPriority })
        set(ID.whiteBalanceTemperature, inactive: values[ID.autoWhiteBalance].map { $0 != 0 })
        set(ID.focusAbsolute, inactive: values[ID.focusAuto].map { $0 != 0 })
    }
}
