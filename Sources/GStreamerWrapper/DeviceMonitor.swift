internal import CGStreamer
import Locking
import Synchronization

/// A device that GStreamer's device providers found (V4L2, PipeWire, ALSA...).
package struct DeviceDescription: Sendable {
    /// What tells two reports of one device apart from another device's: PipeWire's serial, a node path.
    package var identity: String {
        properties["object.serial"] ?? properties["api.v4l2.path"] ?? properties["device.path"] ?? displayName
    }

    package var displayName: String
    /// e.g. "Video/Source", "Audio/Source".
    package var deviceClass: String
    /// The provider's properties as text, e.g. `device.path` = `/dev/video0`, `api.v4l2.cap.bus_info`.
    package var properties: [String: String]
    package var caps: Caps?
}

/// Lists the machine's capture devices once (no monitoring threads are started).
/// The corresponding C functions are `gst_device_monitor_add_filter` and `gst_device_monitor_get_devices`.
package enum DeviceMonitor {
    /// Blocking (providers probe hardware): call it off the cooperative pool.
    package static func devices(classes: [String]) -> [DeviceDescription] {
        GStreamer.initialize()
        guard let monitor = gst_device_monitor_new() else { return [] }
        defer { gst_object_unref(monitor) }
        for deviceClass in classes { _ = gst_device_monitor_add_filter(monitor, deviceClass, nil) }
        var result: [DeviceDescription] = []
        var node = gst_device_monitor_get_devices(monitor)
        let list = node
        while let current = node {
            if let device = CGStreamer_GST_DEVICE(current.pointee.data) {
                result.append(describe(device))
            }
            node = current.pointee.next
        }
        g_list_free_full(list) { gst_object_unref($0) }
        return result
    }

    static func describe(_ device: UnsafeMutablePointer<GstDevice>) -> DeviceDescription {
        func take(_ text: UnsafeMutablePointer<gchar>?) -> String {
            defer { g_free(text) }
            return text.map { String(cString: $0) } ?? ""
        }
        var properties: [String: String] = [:]
        if let structure = gst_device_get_properties(device) {
            for index in 0..<gst_structure_n_fields(structure) {
                guard let name = gst_structure_nth_field_name(structure, guint(index)),
                    let value = gst_structure_get_value(structure, name)
                else { continue }
                properties[String(cString: name)] =
                    value.pointee.g_type == CGStreamer_G_TYPE_STRING()
                    ? (g_value_get_string(value).map { String(cString: $0) } ?? "")
                    : take(g_strdup_value_contents(value))
            }
            gst_structure_free(structure)
        }
        return DeviceDescription(
            displayName: take(gst_device_get_display_name(device)),
            deviceClass: take(gst_device_get_device_class(device)),
            properties: properties,
            caps: gst_device_get_caps(device).map { Caps(adopting: $0) })
    }
}

/// Watches devices of some classes come and go: a started device monitor, its bus read on a thread
/// of its own (a 100 ms tick, so ``stop()`` takes effect within it). Starting probes hardware, on
/// that thread too. The corresponding C functions are `gst_device_monitor_start` and
/// `gst_bus_timed_pop_filtered` for `GST_MESSAGE_DEVICE_ADDED` and `GST_MESSAGE_DEVICE_REMOVED`.
package final class DeviceWatcher: Sendable {
    package enum Change: Sendable {
        case added(DeviceDescription)
        case removed(DeviceDescription)
    }

    private final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    private let stopped = Flag()
    private let list = DeviceList()

    /// The devices now, as this watch's own started monitor sees them (nil until it has listed them).
    package var devices: [DeviceDescription]? { list.value.withLock { $0 } }

    /// Nil when no thread can be had. `onChange` runs on the watcher's thread.
    package init?(classes: [String], onChange: @escaping @Sendable (Change) -> Void) {
        let stopped = self.stopped
        let list = self.list
        let started = DetachedThread.start {
            GStreamer.initialize()
            guard let monitor = gst_device_monitor_new() else { return }
            defer { gst_object_unref(monitor) }
            for deviceClass in classes { _ = gst_device_monitor_add_filter(monitor, deviceClass, nil) }
            guard let bus = gst_device_monitor_get_bus(monitor) else { return }
            defer { gst_object_unref(bus) }
            guard gst_device_monitor_start(monitor) != 0 else { return }
            defer { gst_device_monitor_stop(monitor) }
            var initial: [DeviceDescription] = []
            var node = gst_device_monitor_get_devices(monitor)
            let devices = node
            while let current = node {
                if let device = CGStreamer_GST_DEVICE(current.pointee.data) { initial.append(DeviceMonitor.describe(device)) }
                node = current.pointee.next
            }
            g_list_free_full(devices) { gst_object_unref($0) }
            list.update { $0 = initial }
            let types = GstMessageType(GST_MESSAGE_DEVICE_ADDED.rawValue | GST_MESSAGE_DEVICE_REMOVED.rawValue)
            while !stopped.raised.load(ordering: .acquiring) {
                guard let message = gst_bus_timed_pop_filtered(bus, 100 * 1_000_000, types) else { continue }
                defer { gst_message_unref(message) }
                var device: UnsafeMutablePointer<GstDevice>?
                let added = CGStreamer_GST_MESSAGE_TYPE(message) == GST_MESSAGE_DEVICE_ADDED
                if added { gst_message_parse_device_added(message, &device) } else { gst_message_parse_device_removed(message, &device) }
                guard let device else { continue }
                let description = DeviceMonitor.describe(device)
                gst_object_unref(device)
                list.update { known in
                    known = (known ?? []).filter { $0.identity != description.identity } + (added ? [description] : [])
                }
                onChange(added ? .added(description) : .removed(description))
            }
        }
        guard started else { return nil }
    }

    /// Ends the watch within one tick.
    package func stop() { stopped.raised.store(true, ordering: .releasing) }

    /// The device list, shared with the watch's thread.
    private final class DeviceList: Sendable {
        let value = Locked<[DeviceDescription]?>(nil)
        func update(_ body: (inout [DeviceDescription]?) -> Void) { value.withLock { body(&$0) } }
    }

    deinit { stop() }
}
