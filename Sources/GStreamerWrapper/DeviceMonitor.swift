internal import CGStreamer

/// A device that GStreamer's device providers found (V4L2, PipeWire, ALSA...).
package struct DeviceDescription: Sendable {
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

    private static func describe(_ device: UnsafeMutablePointer<GstDevice>) -> DeviceDescription {
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
