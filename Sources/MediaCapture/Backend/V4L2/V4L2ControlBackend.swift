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
final class V4L2ControlBackend: ControlBackend {
    typealias ID = V4L2ControlID
    let device: any V4L2ControlDevice

    init(_ device: any V4L2ControlDevice) { self.device = device }

    func watchChanges(_ handler: @escaping @Sendable () -> Void) { device.watchChanges(handler) }

    private func controls() -> [UInt32: V4L2Control] {
        Dictionary(device.controls().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

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
            guard all[id] != nil, let raw = device.value(of: id) else { return nil }
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
            settings.torch = device.value(of: ID.flashLEDMode) == ID.FlashLEDMode.torch
        }
        return settings
    }

    func apply(_ changes: MediaTrackSettings) throws(ControlFailure) {
        let all = controls()
        var writes: [(member: String, id: UInt32, value: Int64)] = []
        func add(_ member: String, _ id: UInt32, _ value: Double?, scale: Double = 1) {
            guard let value, all[id] != nil else { return }
            writes.append((member, id, Int64((value * scale).rounded())))
        }
        // Automatic modes first: a value they gate can then be written in the same call.
        if let mode = changes.whiteBalanceMode, all[ID.autoWhiteBalance] != nil {
            writes.append(("whiteBalanceMode", ID.autoWhiteBalance, mode == "manual" ? 0 : 1))
        }
        if let mode = changes.exposureMode, let exposure = all[ID.exposureAuto] {
            let automatic = exposure.menu[ID.ExposureAuto.aperturePriority] != nil
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
        var written: [(id: UInt32, previous: Int64)] = []
        for write in writes {
            let previous = device.value(of: write.id)
            do throws(V4L2Refusal) {
                try device.setValue(write.value, of: write.id)
                if let previous { written.append((write.id, previous)) }
            } catch {
                // Nothing changes on failure: undo this call's writes, newest first.
                for undo in written.reversed() { try? device.setValue(undo.previous, of: undo.id) }
                throw ControlFailure(member: write.member, message: Self.explain(write.member, error))
            }
        }
    }

    // MARK: - Flash for photos

    /// `[off, flash]` when the device has an LED flash it can strobe, else `[]`.
    var fillLightModes: [FillLightMode] {
        let all = controls()
        guard all[ID.flashLEDMode]?.menu[ID.FlashLEDMode.flash] != nil, all[ID.flashStrobe] != nil else { return [] }
        return [.off, .flash]
    }

    /// For a photo with `flash`: switches the LED to flash mode and strobes it, just before the shutter
    /// opens. Returns the LED mode to restore afterwards (nil when nothing changed).
    /// - Throws: the member `fillLightMode` when the device refuses.
    func fireFlash() throws(ControlFailure) -> Int64? {
        let previous = device.value(of: ID.flashLEDMode)
        do throws(V4L2Refusal) {
            try device.setValue(ID.FlashLEDMode.flash, of: ID.flashLEDMode)
            try device.setValue(1, of: ID.flashStrobe)
        } catch {
            if let previous { try? device.setValue(previous, of: ID.flashLEDMode) }
            throw ControlFailure(member: "fillLightMode", message: "The camera refused its flash: \(error.message).")
        }
        return previous == ID.FlashLEDMode.flash ? nil : previous
    }

    /// Puts the LED back (e.g. the torch that was on before a flash photo).
    func restoreLED(_ mode: Int64) { try? device.setValue(mode, of: ID.flashLEDMode) }

    private static func explain(_ member: String, _ refusal: V4L2Refusal) -> String {
        let companion: String? = switch member {
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
