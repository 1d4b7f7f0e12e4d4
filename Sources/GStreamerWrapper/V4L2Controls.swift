internal import CGStreamer
import Glibc

/// V4L2 control ioctls on an open device (the fd `v4l2src` streams from: its `device-fd` property).
/// Blocking but brief (a USB control transfer); callers keep them off hot paths.
package enum V4L2Controls {
    /// One control as `VIDIOC_QUERY_EXT_CTRL` and `VIDIOC_QUERYMENU` describe it.
    package struct Description: Sendable, Hashable {
        package var id: UInt32
        /// `V4L2_CTRL_TYPE_*`: 1 integer, 2 boolean, 3 menu, 4 button, 5 int64, 6 class, 7 string,
        /// 8 bitmask, 9 integer menu.
        package var type: UInt32
        package var name: String
        package var minimum: Int64
        package var maximum: Int64
        package var step: Int64
        package var defaultValue: Int64
        package var flags: UInt32
        package var menu: [Int64: String]

        package init(
            id: UInt32, type: UInt32, name: String, minimum: Int64, maximum: Int64, step: Int64, defaultValue: Int64,
            flags: UInt32, menu: [Int64: String]
        ) {
            self.id = id
            self.type = type
            self.name = name
            self.minimum = minimum
            self.maximum = maximum
            self.step = step
            self.defaultValue = defaultValue
            self.flags = flags
            self.menu = menu
        }

        package var isReadOnly: Bool { flags & 0x0004 != 0 }
        package var isInactive: Bool { flags & 0x0010 != 0 }
        package var isDisabled: Bool { flags & 0x0001 != 0 }
        var is64: Int32 { type == 5 ? 1 : 0 }
    }

    /// Every control of the device, in the driver's order (control classes left out).
    /// The corresponding C functions are `ioctl(VIDIOC_QUERY_EXT_CTRL)` and `ioctl(VIDIOC_QUERYMENU)`.
    package static func describe(fd: Int32) -> [Description] {
        var result: [Description] = []
        var after: UInt32 = 0
        var raw = CGStreamer_v4l2_control()
        while CGStreamer_v4l2_next_control(fd, after, &raw) == 0 {
            after = raw.id
            guard raw.type != 6 else { continue }  // a class heading, not a control
            let name = withUnsafeBytes(of: raw.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            var description = Description(
                id: raw.id, type: raw.type, name: name, minimum: raw.minimum, maximum: raw.maximum,
                step: Int64(clamping: UInt64(raw.step)), defaultValue: raw.default_value, flags: raw.flags, menu: [:])
            if raw.type == 3 && raw.minimum >= 0 && raw.maximum < 256 {
                for index in raw.minimum...raw.maximum {
                    var label = [CChar](repeating: 0, count: 32)
                    if CGStreamer_v4l2_menu_name(fd, raw.id, UInt32(index), &label) == 0 {
                        description.menu[index] = String(decoding: label.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
                    }
                }
            }
            if !description.isDisabled { result.append(description) }
        }
        return result
    }

    /// The current value, or nil with the errno. The corresponding C function is `ioctl(VIDIOC_G_EXT_CTRLS)`.
    package static func value(fd: Int32, of control: Description) -> Int64? {
        var value: Int64 = 0
        return CGStreamer_v4l2_get(fd, control.id, control.is64, &value) == 0 ? value : nil
    }

    /// Writes a value; returns 0 or the errno (EACCES: read-only or inactive; EINVAL, ERANGE).
    /// The corresponding C function is `ioctl(VIDIOC_S_EXT_CTRLS)`.
    package static func set(fd: Int32, _ control: Description, to value: Int64) -> Int32 {
        CGStreamer_v4l2_set(fd, control.id, control.is64, value)
    }

    /// A readable text for an errno.
    package static func describe(errno code: Int32) -> String { String(cString: strerror(code)) }
}
