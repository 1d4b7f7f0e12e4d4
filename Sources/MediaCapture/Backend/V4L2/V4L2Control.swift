/// One V4L2 control as `VIDIOC_QUERYCTRL`/`VIDIOC_QUERYMENU` describe it.
struct V4L2Control: Sendable, Hashable {
    enum Kind: String, Sendable, Hashable {
        case integer = "int", boolean = "bool", menu, integerMenu = "intmenu", button, integer64 = "int64",
            bitmask, string = "str"
    }

    var id: UInt32
    /// The driver's name (`exposure_time_absolute` on new kernels, `exposure_absolute` on old ones).
    var name: String
    var kind: Kind
    var minimum: Int64
    var maximum: Int64
    var step: Int64
    var defaultValue: Int64
    /// Menu index → label, for `menu` controls.
    var menu: [Int64: String]
    var isReadOnly: Bool
    /// Inactive: the driver ignores or refuses writes now (an automatic companion is on).
    var isInactive: Bool
}

/// The control IDs the mapping uses (`linux/v4l2-controls.h`); IDs are stable across kernels, names are not.
enum V4L2ControlID {
    static let brightness: UInt32 = 0x0098_0900
    static let contrast: UInt32 = 0x0098_0901
    static let saturation: UInt32 = 0x0098_0902
    static let autoWhiteBalance: UInt32 = 0x0098_090c
    static let whiteBalanceTemperature: UInt32 = 0x0098_091a
    static let sharpness: UInt32 = 0x0098_091b
    static let exposureAuto: UInt32 = 0x009a_0901
    static let exposureAbsolute: UInt32 = 0x009a_0902
    static let panAbsolute: UInt32 = 0x009a_0908
    static let tiltAbsolute: UInt32 = 0x009a_0909
    static let focusAbsolute: UInt32 = 0x009a_090a
    static let focusAuto: UInt32 = 0x009a_090c
    static let zoomAbsolute: UInt32 = 0x009a_090d
    static let autoExposureBias: UInt32 = 0x009a_0913
    static let isoSensitivity: UInt32 = 0x009a_0917
    static let isoSensitivityAuto: UInt32 = 0x009a_0918
    static let flashLEDMode: UInt32 = 0x009c_0901
    static let flashStrobe: UInt32 = 0x009c_0903

    /// `V4L2_CID_EXPOSURE_AUTO` menu values.
    enum ExposureAuto {
        static let auto: Int64 = 0, manual: Int64 = 1, shutterPriority: Int64 = 2, aperturePriority: Int64 = 3
    }

    /// `V4L2_CID_FLASH_LED_MODE` menu values.
    enum FlashLEDMode {
        static let none: Int64 = 0, flash: Int64 = 1, torch: Int64 = 2
    }
}

/// The ioctl surface the mapping needs, small enough to be replaced by a recorded webcam in tests:
/// `VIDIOC_QUERYCTRL`/`QUERYMENU` (``controls()``), `G_EXT_CTRLS` (``value(of:)``) and
/// `S_EXT_CTRLS` (``setValue(_:of:)``).
protocol V4L2ControlDevice: Sendable {
    func controls() -> [V4L2Control]
    func value(of id: UInt32) -> Int64?
    /// Writes one control; the driver may round it to its step.
    /// - Throws: the refusal (read-only, inactive, invalid menu index, out of range).
    func setValue(_ value: Int64, of id: UInt32) throws(V4L2Refusal)
    /// Calls `handler` when a control changes outside this device object (another program, the
    /// driver itself): V4L2 control events. Replaces an earlier handler.
    func watchChanges(_ handler: @escaping @Sendable () -> Void)
}

/// Why a driver refused a write, as its errno would say.
enum V4L2Refusal: Error, Sendable, Equatable {
    /// EACCES: read-only, or inactive because an automatic companion is on.
    case notWritable(String)
    /// EINVAL or ERANGE.
    case invalidValue(String)

    var message: String {
        switch self {
        case .notWritable(let text), .invalidValue(let text): text
        }
    }
}
