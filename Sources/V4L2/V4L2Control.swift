// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CV4L2

/// One V4L2 control as `VIDIOC_QUERY_EXT_CTRL` and `VIDIOC_QUERYMENU` (or a `v4l2-ctl` listing) describe it.
package struct V4L2Control: Sendable, Hashable {
    /// `V4L2_CTRL_TYPE_*`, named as `v4l2-ctl` prints them.
    package enum Kind: String, Sendable, Hashable {
        case integer = "int", boolean = "bool", menu, integerMenu = "intmenu", button, integer64 = "int64",
            bitmask, string = "str"

        /// The kind of a `V4L2_CTRL_TYPE_*` code; nil for the compound types the mapping never uses.
        init?(type: UInt32) {
            switch type {
            case V4L2_CTRL_TYPE_INTEGER.rawValue: self = .integer
            case V4L2_CTRL_TYPE_BOOLEAN.rawValue: self = .boolean
            case V4L2_CTRL_TYPE_MENU.rawValue: self = .menu
            case V4L2_CTRL_TYPE_BUTTON.rawValue: self = .button
            case V4L2_CTRL_TYPE_INTEGER64.rawValue: self = .integer64
            case V4L2_CTRL_TYPE_STRING.rawValue: self = .string
            case V4L2_CTRL_TYPE_BITMASK.rawValue: self = .bitmask
            case V4L2_CTRL_TYPE_INTEGER_MENU.rawValue: self = .integerMenu
            default: return nil
            }
        }
    }

    package var id: UInt32
    /// The driver's name (`exposure_time_absolute` on new kernels, `exposure_absolute` on old ones).
    package var name: String
    package var kind: Kind
    package var minimum: Int64
    package var maximum: Int64
    package var step: Int64
    package var defaultValue: Int64
    /// Menu index → label, for menu controls.
    package var menu: [Int64: String]
    package var isReadOnly: Bool
    /// Inactive: the driver ignores or refuses writes now (an automatic companion is on).
    package var isInactive: Bool

    package init(
        id: UInt32, name: String, kind: Kind, minimum: Int64, maximum: Int64, step: Int64, defaultValue: Int64,
        menu: [Int64: String] = [:], isReadOnly: Bool = false, isInactive: Bool = false
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.minimum = minimum
        self.maximum = maximum
        self.step = step
        self.defaultValue = defaultValue
        self.menu = menu
        self.isReadOnly = isReadOnly
        self.isInactive = isInactive
    }
}

/// The control ids the mapping uses, from `linux/v4l2-controls.h`: ids are stable across kernels, names are not.
package enum V4L2ControlID {
    package static let brightness = CV4L2_CID_BRIGHTNESS
    package static let contrast = CV4L2_CID_CONTRAST
    package static let saturation = CV4L2_CID_SATURATION
    package static let autoWhiteBalance = CV4L2_CID_AUTO_WHITE_BALANCE
    package static let whiteBalanceTemperature = CV4L2_CID_WHITE_BALANCE_TEMPERATURE
    package static let sharpness = CV4L2_CID_SHARPNESS
    package static let exposureAuto = CV4L2_CID_EXPOSURE_AUTO
    package static let exposureAbsolute = CV4L2_CID_EXPOSURE_ABSOLUTE
    package static let panAbsolute = CV4L2_CID_PAN_ABSOLUTE
    package static let tiltAbsolute = CV4L2_CID_TILT_ABSOLUTE
    package static let focusAbsolute = CV4L2_CID_FOCUS_ABSOLUTE
    package static let focusAuto = CV4L2_CID_FOCUS_AUTO
    package static let zoomAbsolute = CV4L2_CID_ZOOM_ABSOLUTE
    package static let autoExposureBias = CV4L2_CID_AUTO_EXPOSURE_BIAS
    package static let isoSensitivity = CV4L2_CID_ISO_SENSITIVITY
    package static let isoSensitivityAuto = CV4L2_CID_ISO_SENSITIVITY_AUTO
    package static let flashLEDMode = CV4L2_CID_FLASH_LED_MODE
    package static let flashStrobe = CV4L2_CID_FLASH_STROBE

    /// `enum v4l2_exposure_auto_type`.
    package enum ExposureAuto {
        package static let auto = Int64(V4L2_EXPOSURE_AUTO.rawValue)
        package static let manual = Int64(V4L2_EXPOSURE_MANUAL.rawValue)
        package static let shutterPriority = Int64(V4L2_EXPOSURE_SHUTTER_PRIORITY.rawValue)
        package static let aperturePriority = Int64(V4L2_EXPOSURE_APERTURE_PRIORITY.rawValue)
    }

    /// `enum v4l2_flash_led_mode`.
    package enum FlashLEDMode {
        package static let none = Int64(V4L2_FLASH_LED_MODE_NONE.rawValue)
        package static let flash = Int64(V4L2_FLASH_LED_MODE_FLASH.rawValue)
        package static let torch = Int64(V4L2_FLASH_LED_MODE_TORCH.rawValue)
    }
}

/// Why a driver refused a write, as its errno would say.
package enum V4L2Refusal: Error, Sendable, Equatable {
    /// EACCES, EPERM, EBUSY: read-only, or inactive because an automatic companion is on.
    case notWritable(String)
    /// EINVAL or ERANGE.
    case invalidValue(String)

    package var message: String {
        switch self {
        case .notWritable(let text), .invalidValue(let text): text
        }
    }
}
