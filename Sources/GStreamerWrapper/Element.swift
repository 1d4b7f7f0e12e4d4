// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer
import Glibc

/// An owned reference to a `GstElement`.
///
/// `@unchecked Sendable`: GstObject reference counting, properties and state changes are thread-safe,
/// and this class holds nothing but the immutable pointer.
package final class Element: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<GstElement>

    /// Transfer full: takes over the caller's reference; a floating reference (what factories and
    /// `gst_parse_launch` return) is sunk, so adding the element to a bin later adds only the bin's reference.
    init(adopting pointer: UnsafeMutablePointer<GstElement>) {
        if g_object_is_floating(pointer) != 0 { gst_object_ref_sink(pointer) }
        self.pointer = pointer
    }

    /// Transfer none: takes a reference of its own.
    init(retaining pointer: UnsafeMutablePointer<GstElement>) {
        gst_object_ref(pointer)
        self.pointer = pointer
    }

    deinit { gst_object_unref(pointer) }

    /// The `GstElement`, borrowed (the element keeps its reference), for the publishing layer's own C
    /// module (gst-rtsp-server, webrtcbin), whose headers declare the same type apart.
    package var borrowedPointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(pointer) }

    /// Creates an element from a factory; nil when the plugin is not installed.
    /// The corresponding C function is `gst_element_factory_make`.
    package convenience init?(factory: String, name: String? = nil) {
        GStreamer.initialize()
        guard let made = gst_element_factory_make(factory, name) else { return nil }
        self.init(adopting: made)
    }

    package var name: String {
        CGStreamer_GST_OBJECT_NAME(pointer).map { String(cString: $0) } ?? ""
    }

    package var factoryName: String {
        CGStreamer_GST_ELEMENT_FACTORY_NAME(pointer).map { String(cString: $0) } ?? ""
    }

    package var referenceCount: Int { Int(CGStreamer_GST_OBJECT_REFCOUNT_VALUE(pointer)) }

    // MARK: - Properties

    package func set(_ name: String, _ value: Bool) { CGStreamer_g_object_set_bool(pointer, name, value ? 1 : 0) }
    package func set(_ name: String, _ value: Int32) { CGStreamer_g_object_set_int(pointer, name, value) }
    package func set(_ name: String, _ value: UInt32) { CGStreamer_g_object_set_uint(pointer, name, value) }
    package func set(_ name: String, _ value: UInt64) { CGStreamer_g_object_set_uint64(pointer, name, guint64(value)) }
    package func set(_ name: String, _ value: Double) { CGStreamer_g_object_set_double(pointer, name, value) }
    /// Sets a string-typed property. The value is passed as data, never parsed as a description.
    /// Sets an `int` property to a descriptor this element then owns: it is closed when GLib
    /// finalizes the element (an element that `dup`s what it is given, as `pipewiresrc` does). The
    /// corresponding C function is `g_object_set_data_full`.
    package func set(_ name: String, ownedDescriptor fd: Int32) {
        set(name, fd)
        g_object_set_data_full(
            UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: GObject.self), "swift-media-capture-fd-" + name,
            UnsafeMutableRawPointer(bitPattern: Int(fd) + 1),
            { data in
                _ = close(Int32(Int(bitPattern: data) - 1))
            })
    }

    package func set(_ name: String, _ value: String) { CGStreamer_g_object_set_string(pointer, name, value) }
    package func set(_ name: String, _ value: Caps?) { CGStreamer_g_object_set_caps(pointer, name, value?.pointer) }
    /// Sets an element-typed property to `element` (splitmuxsink's `muxer` and `sink`): the owner takes
    /// a reference of its own. The corresponding C function is `g_object_set_property`.
    package func set(_ name: String, _ element: Element) {
        var value = GValue()
        g_value_init(&value, gst_element_get_type())
        g_value_set_object(&value, element.pointer)
        g_object_set_property(UnsafeMutablePointer<GObject>(OpaquePointer(pointer)), name, &value)
        g_value_unset(&value)
    }

    /// Sets a property of any type from its textual form, the way gst-launch parses it (enum nicks,
    /// flags). Only for values the library itself chooses: numbers and enum names.
    /// The corresponding C function is `gst_util_set_object_arg`.
    package func set(_ name: String, parsing value: String) {
        gst_util_set_object_arg(UnsafeMutablePointer<GObject>(OpaquePointer(pointer)), name, value)
    }

    /// A property's value in gst-launch's text form (nil: no such property, or no text form). For
    /// tests that compare two graphs. The corresponding C function is `gst_value_serialize`.
    package func serializedProperty(_ name: String) -> String? {
        let instanceClass = UnsafeMutablePointer<GTypeInstance>(OpaquePointer(pointer)).pointee.g_class
        guard let spec = g_object_class_find_property(UnsafeMutablePointer<GObjectClass>(OpaquePointer(instanceClass)), name)
        else { return nil }
        var value = GValue()
        g_value_init(&value, spec.pointee.value_type)
        defer { g_value_unset(&value) }
        g_object_get_property(UnsafeMutablePointer<GObject>(OpaquePointer(pointer)), name, &value)
        guard let text = gst_value_serialize(&value) else { return nil }
        defer { g_free(text) }
        return String(cString: text)
    }

    /// The names of the properties that can be both read and written (to compare two elements).
    /// The corresponding C function is `g_object_class_list_properties`.
    package var readWritePropertyNames: [String] {
        let instanceClass = UnsafeMutablePointer<GTypeInstance>(OpaquePointer(pointer)).pointee.g_class
        var count: guint = 0
        guard let specs = g_object_class_list_properties(UnsafeMutablePointer<GObjectClass>(OpaquePointer(instanceClass)), &count)
        else { return [] }
        defer { g_free(specs) }
        let readWrite = G_PARAM_READABLE.rawValue | G_PARAM_WRITABLE.rawValue
        return (0..<Int(count)).compactMap { index in
            guard let spec = specs[index], spec.pointee.flags.rawValue & readWrite == readWrite else { return nil }
            return String(cString: spec.pointee.name)
        }
    }

    package func bool(_ name: String) -> Bool { CGStreamer_g_object_get_bool(pointer, name) != 0 }
    package func int(_ name: String) -> Int32 { CGStreamer_g_object_get_int(pointer, name) }

    // MARK: - Pads

    /// The corresponding C function is `gst_element_get_static_pad`.
    package func staticPad(_ name: String) -> Pad? {
        gst_element_get_static_pad(pointer, name).map { Pad(adopting: $0) }
    }

    /// The corresponding C function is `gst_element_request_pad_simple`.
    package func requestPad(_ template: String) -> Pad? {
        gst_element_request_pad_simple(pointer, template).map { Pad(adopting: $0) }
    }

    /// The corresponding C function is `gst_element_release_request_pad`.
    package func releaseRequestPad(_ pad: Pad) {
        gst_element_release_request_pad(pointer, pad.pointer)
    }

    /// The corresponding C function is `gst_element_link`.
    package func link(to downstream: Element) -> Bool {
        gst_element_link(pointer, downstream.pointer) != 0
    }

    /// For an `appsrc`: pushes `sample`'s buffer at presentation time `time` (nanoseconds), silent
    /// (zeroed) when `silence`, with the sample's caps. True when the appsrc took it.
    /// The corresponding C function is `gst_app_src_push_sample`.
    package func pushSample(_ sample: Sample, at time: UInt64, silence: Bool = false) -> Bool {
        CGStreamer_appsrc_push_stamped(pointer, sample.pointer, guint64(time), silence ? 1 : 0) == GST_FLOW_OK
    }

    /// For an `appsrc`: no more buffers. The corresponding C function is `gst_app_src_end_of_stream`.
    package func endOfStream() {
        _ = CGStreamer_appsrc_end_of_stream(pointer)
    }

    /// The corresponding C function is `gst_element_unlink`.
    package func unlink(from downstream: Element) {
        gst_element_unlink(pointer, downstream.pointer)
    }

    /// Posts an error message from this element, as the element itself would on a failure.
    /// Used by fault injection. The corresponding C function is `gst_element_post_message`.
    package func postError(domain: GStreamerError.Domain, code: Int32, message: String, debug: String) {
        let quark: GQuark
        switch domain {
        case .core: quark = gst_core_error_quark()
        case .library: quark = gst_library_error_quark()
        case .stream: quark = gst_stream_error_quark()
        case .resource, .parse, .other: quark = gst_resource_error_quark()
        }
        let error = g_error_new_literal(quark, code, message)
        let object = UnsafeMutablePointer<GstObject>(OpaquePointer(pointer))
        if let msg = gst_message_new_error(object, error, debug) {
            _ = gst_element_post_message(pointer, msg)  // false only when there is no bus: nothing to report to
        }
        g_error_free(error)
    }

    // MARK: - State (blocking; call from a pipeline's serial queue, never from the cooperative pool)

    /// The corresponding C function is `gst_element_set_locked_state`.
    package func setLockedState(_ locked: Bool) { _ = gst_element_set_locked_state(pointer, locked ? 1 : 0) }

    /// The corresponding C function is `gst_element_sync_state_with_parent`.
    package func syncStateWithParent() -> Bool { gst_element_sync_state_with_parent(pointer) != 0 }

    /// Sets the state to NULL, which joins the element's streaming threads.
    package func setNullState() { _ = gst_element_set_state(pointer, GST_STATE_NULL) }
}
