// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
internal import V4L2

/// The V4L2 ↔ Image Capture mapping, by control ID (so old and new kernel names map alike).
///
/// | Member | V4L2 control | Units |
/// |---|---|---|
/// | brightness, contrast, saturation, sharpness | `BRIGHTNESS`, `CONTRAST`, `SATURATION`, `SHARPNESS` | the driver's |
/// | whiteBalanceMode / colorTemperature | `AUTO_WHITE_BALANCE` / `WHITE_BALANCE_TEMPERATURE` | kelvin |
/// | exposureMode / exposureTime | `EXPOSURE_AUTO` / `EXPOSURE_ABSOLUTE` | 100 µs (the spec's and V4L2's) |
/// | exposureCompensation | `AUTO_EXPOSURE_BIAS` | EV (the driver's 0.001 EV divided by 1000) |
/// | focusMode / focusDistance | `FOCUS_AUTO` / `FOCUS_ABSOLUTE` | the driver's (no unit defined) |
/// | pan, tilt | `PAN_ABSOLUTE`, `TILT_ABSOLUTE` | arc-seconds (the spec's and V4L2's) |
/// | zoom | `ZOOM_ABSOLUTE` | the driver's (no unit defined) |
/// | iso | `ISO_SENSITIVITY` | ISO |
/// | torch | `FLASH_LED_MODE` (torch item) | |
///
/// Nothing is written on open. A write goes to the device, automatic modes first, and every value is
/// read back: settings report what the device took. A refused write (read-only, or gated by an
/// automatic companion that this call does not switch to manual) rolls back what this call wrote and
/// names the member.
///
/// Settings are served from the ``V4L2ControlCache`` (write read-backs and control events keep it
/// fresh): reading them never touches the device. Writes run on the device's own thread (its
/// session's queue), one at a time: a thread per device, not per call.
final class V4L2ControlBackend: ControlBackend {
    typealias ID = V4L2ControlID
    let cache: V4L2ControlCache
    /// The device's thread; nil for a backend that only describes controls (no device call).
    private let calls: BlockingQueue?

    init(_ cache: V4L2ControlCache, calls: BlockingQueue? = nil) {
        self.cache = cache
        self.calls = calls
    }

    /// Runs a device call on the device's thread, bounded; nil when it did not answer in time (the
    /// queue is then wedged, and later calls fail at once instead of queueing behind the stuck one).
    private func deviceCall<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        guard let calls else { return await BlockingCall.run(timeout: V4L2Session.callTimeout, work) }
        return await calls.perform(timeout: V4L2Session.callTimeout, work)
    }

    private func controls() -> [UInt32: V4L2Control] { cache.controls }

    private func range(_ control: V4L2Control?, scale: Double = 1) -> MediaSettingsRange? {
        guard let control, control.kind == .integer, control.maximum > control.minimum else { return nil }
        return MediaSettingsRange(
            min: Double(control.minimum) / scale, max: Double(control.maximum) / scale, step: Double(control.step) / scale)
    }

    func capabilities() -> MediaTrackCapabilities {
        let all = controls()
        var capabilities = MediaTrackCapabilities()
        capabilities.brightness = range(all[ID.brightness])
        capabilities.contrast = range(all[ID.contrast])
        capabilities.saturation = range(all[ID.saturation])
        capabilities.sharpness = range(all[ID.sharpness])
        capabilities.colorTemperature = range(all[ID.whiteBalanceTemperature])
        capabilities.exposureTime = range(all[ID.exposureAbsolute])
        capabilities.exposureCompensation = range(all[ID.autoExposureBias], scale: 1000)
        capabilities.focusDistance = range(all[ID.focusAbsolute])
        capabilities.pan = range(all[ID.panAbsolute])
        capabilities.tilt = range(all[ID.tiltAbsolute])
        capabilities.zoom = range(all[ID.zoomAbsolute])
        capabilities.iso = range(all[ID.isoSensitivity])
        capabilities.whiteBalanceMode = modes(
            manual: all[ID.whiteBalanceTemperature] != nil || all[ID.autoWhiteBalance] != nil,
            continuous: all[ID.autoWhiteBalance] != nil)
        if let exposure = all[ID.exposureAuto] {
            let keys = Set(exposure.menu.keys)
            capabilities.exposureMode = modes(
                manual: keys.contains(ID.ExposureAuto.manual) || keys.contains(ID.ExposureAuto.shutterPriority),
                continuous: keys.contains(ID.ExposureAuto.auto) || keys.contains(ID.ExposureAuto.aperturePriority))
        } else if all[ID.exposureAbsolute] != nil {
            capabilities.exposureMode = ["manual"]
        }
        capabilities.focusMode = modes(
            manual: all[ID.focusAbsolute] != nil || all[ID.focusAuto] != nil, continuous: all[ID.focusAuto] != nil)
        if let flash = all[ID.flashLEDMode], flash.menu[ID.FlashLEDMode.torch] != nil {
            capabilities.torch = [false, true]
        }
        return capabilities
    }

    private func modes(manual: Bool, continuous: Bool) -> [String]? {
        let modes = (manual ? ["manual"] : []) + (continuous ? ["continuous"] : [])
        return modes.isEmpty ? nil : modes
    }

    func settings() -> MediaTrackSettings {
        let all = controls()
        func value(_ id: UInt32, scale: Double = 1) -> Double? {
            guard all[id] != nil, let raw = cache.value(of: id) else { return nil }
            return Double(raw) / scale
        }
        var settings = MediaTrackSettings()
        settings.brightness = value(ID.brightness)
        settings.contrast = value(ID.contrast)
        settings.saturation = value(ID.saturation)
        settings.sharpness = value(ID.sharpness)
        settings.colorTemperature = value(ID.whiteBalanceTemperature)
        settings.exposureTime = value(ID.exposureAbsolute)
        settings.exposureCompensation = value(ID.autoExposureBias, scale: 1000)
        settings.focusDistance = value(ID.focusAbsolute)
        settings.pan = value(ID.panAbsolute)
        settings.tilt = value(ID.tiltAbsolute)
        settings.zoom = value(ID.zoomAbsolute)
        settings.iso = value(ID.isoSensitivity)
        if let automatic = value(ID.autoWhiteBalance) {
            settings.whiteBalanceMode = automatic != 0 ? "continuous" : "manual"
        } else if settings.colorTemperature != nil {
            settings.whiteBalanceMode = "manual"
        }
        if let exposure = value(ID.exposureAuto).map(Int64.init) {
            let manual = exposure == ID.ExposureAuto.manual || exposure == ID.ExposureAuto.shutterPriority
            settings.exposureMode = manual ? "manual" : "continuous"
        } else if settings.exposureTime != nil {
            settings.exposureMode = "manual"
        }
        if let automatic = value(ID.focusAuto) {
            settings.focusMode = automatic != 0 ? "continuous" : "manual"
        } else if settings.focusDistance != nil {
            settings.focusMode = "manual"
        }
        if all[ID.flashLEDMode]?.menu[ID.FlashLEDMode.torch] != nil {
            settings.torch = cache.value(of: ID.flashLEDMode) == ID.FlashLEDMode.torch
        }
        return settings
    }

    func apply(_ changes: MediaTrackSettings) async throws(ControlFailure) {
        let all = controls()
        var writes: [(member: String, id: UInt32, value: Int64)] = []
        func add(_ member: String, _ id: UInt32, _ value: Double?, scale: Double = 1) {
            guard let value, let control = all[id], let raw = Int64(saturating: value * scale) else { return }
            // Within the control's range: the engine checked the member's, which is this range too.
            writes.append((member, id, min(max(raw, control.minimum), control.maximum)))
        }
        // Automatic modes first: a value they gate can then be written in the same call.
        if let mode = changes.whiteBalanceMode, all[ID.autoWhiteBalance] != nil {
            writes.append(("whiteBalanceMode", ID.autoWhiteBalance, mode == "manual" ? 0 : 1))
        }
        if let mode = changes.exposureMode, let exposure = all[ID.exposureAuto] {
            let automatic =
                exposure.menu[ID.ExposureAuto.aperturePriority] != nil
                ? ID.ExposureAuto.aperturePriority : ID.ExposureAuto.auto
            writes.append(("exposureMode", ID.exposureAuto, mode == "manual" ? ID.ExposureAuto.manual : automatic))
        }
        if let mode = changes.focusMode, all[ID.focusAuto] != nil {
            writes.append(("focusMode", ID.focusAuto, mode == "manual" ? 0 : 1))
        }
        add("colorTemperature", ID.whiteBalanceTemperature, changes.colorTemperature)
        add("exposureTime", ID.exposureAbsolute, changes.exposureTime)
        add("exposureCompensation", ID.autoExposureBias, changes.exposureCompensation, scale: 1000)
        add("iso", ID.isoSensitivity, changes.iso)
        add("brightness", ID.brightness, changes.brightness)
        add("contrast", ID.contrast, changes.contrast)
        add("saturation", ID.saturation, changes.saturation)
        add("sharpness", ID.sharpness, changes.sharpness)
        add("focusDistance", ID.focusAbsolute, changes.focusDistance)
        add("pan", ID.panAbsolute, changes.pan)
        add("tilt", ID.tiltAbsolute, changes.tilt)
        add("zoom", ID.zoomAbsolute, changes.zoom)
        if let torch = changes.torch, all[ID.flashLEDMode] != nil {
            writes.append(("torch", ID.flashLEDMode, torch ? ID.FlashLEDMode.torch : ID.FlashLEDMode.none))
        }
        guard !writes.isEmpty else { return }
        let cache = self.cache, planned = writes
        let outcome = await deviceCall { () -> ControlFailure? in
            var written: [(id: UInt32, previous: Int64)] = []
            for write in planned {
                let previous = cache.value(of: write.id)
                do throws(V4L2Refusal) {
                    try cache.write(write.value, to: write.id)
                    if let previous { written.append((write.id, previous)) }
                } catch {
                    // Nothing changes on failure: undo this call's writes, newest first.
                    for undo in written.reversed() { try? cache.write(undo.previous, to: undo.id) }
                    return ControlFailure(member: write.member, message: Self.explain(write.member, error))
                }
            }
            return nil
        }
        guard let outcome else {
            throw ControlFailure(
                member: writes[0].member, message: "The camera did not answer within \(V4L2Session.callTimeout); nothing may have been written.")
        }
        if let failure = outcome { throw failure }
    }

    // MARK: - Flash for photos

    /// `[off, flash]` when the device has an LED flash it can strobe, else `[]`.
    var fillLightModes: [FillLightMode] {
        let all = controls()
        guard all[ID.flashLEDMode]?.menu[ID.FlashLEDMode.flash] != nil, all[ID.flashStrobe] != nil else { return [] }
        return [.off, .flash]
    }

    /// For a photo with `flash`: switches the LED to flash mode and strobes it, just before the shutter
    /// opens (on the device's thread). Returns the LED mode to restore afterwards (nil when
    /// nothing changed).
    /// - Throws: `.incomplete` when the device refuses or does not answer (the LED is put back).
    func fireFlash() async throws(CaptureFailure) -> LightRestore? {
        let cache = self.cache
        let outcome = await deviceCall { () -> Result<LightRestore?, V4L2Refusal> in
            let previous = cache.value(of: ID.flashLEDMode)
            do throws(V4L2Refusal) {
                try cache.write(ID.FlashLEDMode.flash, to: ID.flashLEDMode)
                try cache.write(1, to: ID.flashStrobe)
            } catch {
                if let previous { try? cache.write(previous, to: ID.flashLEDMode) }
                return .failure(error)
            }
            return .success(previous == ID.FlashLEDMode.flash ? nil : previous.map(LightRestore.init))
        }
        switch outcome {
        case .success(let restore)?: return restore
        case .failure(let refusal)?:
            throw CaptureFailure.incomplete(
                "The camera refused its flash: \(refusal.message). Take the photo without fillLightMode, or check the flash.")
        case nil: throw CaptureFailure.incomplete("The camera did not answer its flash within \(V4L2Session.callTimeout).")
        }
    }

    /// Puts the LED back (e.g. the torch that was on before a flash photo).
    func restoreLED(_ restore: LightRestore) async {
        let cache = self.cache
        _ = await deviceCall { try? cache.write(restore.value, to: ID.flashLEDMode) }
    }

    private static func explain(_ member: String, _ refusal: V4L2Refusal) -> String {
        let companion: String? =
            switch member {
            case "exposureTime": "exposureMode"
            case "colorTemperature": "whiteBalanceMode"
            case "focusDistance": "focusMode"
            default: nil
            }
        var text = "The camera refused '\(member)': \(refusal.message)."
        if case .notWritable = refusal, let companion {
            text += " Set \(companion) to \"manual\" in the same applyConstraints call."
        }
        return text
    }
}

extension Int64 {
    /// The nearest value for a number, rounded: the bounds for numbers beyond them, nil for NaN.
    /// (`Int64(Double(Int64.max))` traps: the double rounds up to 2^63.)
    init?(saturating value: Double) {
        guard !value.isNaN else { return nil }
        let rounded = value.rounded()
        if rounded >= 9_223_372_036_854_775_807.0 {
            self = .max
        } else if rounded <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int64(rounded)
        }
    }
}
