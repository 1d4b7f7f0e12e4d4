// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CV4L2
import Glibc

/// The control ioctls on an open V4L2 descriptor. Each call blocks for as long as the driver takes
/// (a USB control transfer): call them off Swift's cooperative pool (the library's device thread).
enum V4L2Ioctl {
    /// Every control of the device, in the driver's order (control classes and disabled controls left out).
    /// The corresponding C functions are `ioctl(VIDIOC_QUERY_EXT_CTRL)` and `ioctl(VIDIOC_QUERYMENU)`.
    static func queryControls(fd: Int32) -> [V4L2Control] {
        var result: [V4L2Control] = []
        var after: UInt32 = 0
        var raw = CV4L2_control()
        while CV4L2_next_control(fd, after, &raw) == 0 {
            after = raw.id
            guard raw.flags & CV4L2_CTRL_FLAG_DISABLED == 0, let kind = V4L2Control.Kind(type: raw.type) else {
                continue  // a class heading, a disabled or a compound control: nothing the mapping uses
            }
            let name = withUnsafeBytes(of: raw.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            var control = V4L2Control(
                id: raw.id, name: name, kind: kind, minimum: raw.minimum, maximum: raw.maximum,
                step: Int64(clamping: raw.step), defaultValue: raw.default_value,
                isReadOnly: raw.flags & CV4L2_CTRL_FLAG_READ_ONLY != 0,
                isInactive: raw.flags & CV4L2_CTRL_FLAG_INACTIVE != 0)
            if kind == .menu && raw.minimum >= 0 && raw.maximum < 256 && raw.minimum <= raw.maximum {
                for index in raw.minimum...raw.maximum {
                    var label = [CChar](repeating: 0, count: 32)
                    if CV4L2_menu_name(fd, raw.id, UInt32(index), &label) == 0 {
                        control.menu[index] = String(
                            decoding: label.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
                    }
                }
            }
            result.append(control)
        }
        return result
    }

    /// The current value, or nil. The corresponding C function is `ioctl(VIDIOC_G_EXT_CTRLS)`.
    static func read(fd: Int32, _ control: V4L2Control) -> Int64? {
        var value: Int64 = 0
        return CV4L2_get(fd, control.id, control.kind == .integer64 ? 1 : 0, &value) == 0 ? value : nil
    }

    /// Writes a value; 0 or the errno (EACCES: read-only or inactive; EINVAL, ERANGE).
    /// The corresponding C function is `ioctl(VIDIOC_S_EXT_CTRLS)`.
    static func write(fd: Int32, _ control: V4L2Control, _ value: Int64) -> Int32 {
        CV4L2_set(fd, control.id, control.kind == .integer64 ? 1 : 0, value)
    }

    /// `VIDIOC_SUBSCRIBE_EVENT` for each control; the ids that could be subscribed.
    static func subscribe(fd: Int32, controls: [UInt32]) -> [UInt32] {
        controls.filter { CV4L2_subscribe_control(fd, $0) == 0 }
    }

    /// The control ids of the pending events (`VIDIOC_DQEVENT` until none is left).
    static func dequeueControlEvents(fd: Int32) -> [UInt32] {
        var changed: [UInt32] = []
        var control: UInt32 = 0
        while CV4L2_dequeue_event(fd, &control) == 0 {
            if control != 0 && !changed.contains(control) { changed.append(control) }
        }
        return changed
    }

    /// A readable text for an errno.
    static func describe(errno code: Int32) -> String { String(cString: strerror(code)) }
}
