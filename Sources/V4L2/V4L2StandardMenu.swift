// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CV4L2

/// The kernel's own menus for the standard menu controls (`v4l2_ctrl_get_menu` in
/// `v4l2-ctrls-core.c`), by control id: what a `v4l2-ctl --list-ctrls` listing, which prints no menu
/// items, leaves out. Only the indices within a control's min...max apply.
package enum V4L2StandardMenu {
    static let menus: [UInt32: [Int64: String]] = [
        CV4L2_CID_EXPOSURE_AUTO: [0: "Auto Mode", 1: "Manual Mode", 2: "Shutter Priority Mode", 3: "Aperture Priority Mode"],
        CV4L2_CID_POWER_LINE_FREQUENCY: [0: "Disabled", 1: "50 Hz", 2: "60 Hz", 3: "Auto"],
        CV4L2_CID_AUTO_N_PRESET_WHITE_BALANCE: [
            0: "Manual", 1: "Auto", 2: "Incandescent", 3: "Fluorescent", 4: "Fluorescent H", 5: "Horizon",
            6: "Daylight", 7: "Flash", 8: "Cloudy", 9: "Shade",
        ],
        CV4L2_CID_EXPOSURE_METERING: [0: "Average", 1: "Center Weighted", 2: "Spot", 3: "Matrix"],
        CV4L2_CID_ISO_SENSITIVITY_AUTO: [0: "Manual", 1: "Auto"],
        CV4L2_CID_FLASH_LED_MODE: [0: "Off", 1: "Flash", 2: "Torch"],
    ]

    /// The standard items of control `id` within `minimum...maximum`; empty for a control that is not
    /// a standard menu (or a range that holds none of its items).
    package static func items(for id: UInt32, minimum: Int64, maximum: Int64) -> [Int64: String] {
        guard let menu = menus[id] else { return [:] }
        return menu.filter { $0.key >= minimum && $0.key <= maximum }
    }
}
