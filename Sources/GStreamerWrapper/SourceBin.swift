// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer

extension Element {
    /// Parses a caller's source description into a bin of its own whose unlinked output becomes its
    /// `src` ghost pad. The text is only ever parsed on its own; it is never joined to another description.
    /// Only the output is ghosted: an element whose input is linked later (after `decodebin`) must
    /// keep its sink pad. The corresponding C functions are `gst_parse_bin_from_description` and
    /// `gst_ghost_pad_new`.
    package convenience init(binFromDescription description: String, name: String) throws(GStreamerError) {
        GStreamer.initialize()
        var error: UnsafeMutablePointer<GError>?
        let bin = gst_parse_bin_from_description(description, 0, &error)
        if let error {
            if let bin { gst_object_unref(bin) }
            throw GStreamerError(adopting: error, debug: nil, source: nil)
        }
        guard let bin, let element = CGStreamer_GST_ELEMENT(bin) else {
            throw .wrapper("the description made no element")
        }
        self.init(adopting: element)
        gst_object_set_name(UnsafeMutablePointer<GstObject>(OpaquePointer(element)), name)
        guard let asBin = CGStreamer_GST_BIN(element), let output = gst_bin_find_unlinked_pad(asBin, GST_PAD_SRC) else {
            throw .wrapper("the source description has no unlinked output; end it with an element such as videoconvert")
        }
        defer { gst_object_unref(output) }
        guard let ghost = gst_ghost_pad_new("src", output), gst_element_add_pad(element, ghost) != 0 else {
            throw .wrapper("the source's output could not be exposed")
        }
    }
}

extension Element {
    /// A child of this bin with this name, searched recursively; nil when this is no bin or none has
    /// it. The corresponding C function is `gst_bin_get_by_name`.
    package func child(named name: String) -> Element? {
        guard let bin = CGStreamer_GST_BIN(pointer), let found = gst_bin_get_by_name(bin, name) else { return nil }
        return Element(adopting: found)
    }
}

/// Checks a description without running it.
package enum PipelineSyntax {
    /// Parses `description` and reports the element factories it names that are not installed.
    /// - Returns: the missing factories (empty when everything is installed).
    /// - Throws: a syntax error (anything but missing elements).
    package static func missingElements(in description: String) throws(GStreamerError) -> [String] {
        GStreamer.initialize()
        guard let context = gst_parse_context_new() else { throw .wrapper("no parse context") }
        defer { gst_parse_context_free(context) }
        var error: UnsafeMutablePointer<GError>?
        let parsed = gst_parse_launch_full(description, context, GST_PARSE_FLAG_NONE, &error)
        if let parsed { gst_object_unref(parsed) }
        var missing: [String] = []
        if let names = gst_parse_context_get_missing_elements(context) {
            var index = 0
            while let name = names[index] {
                missing.append(String(cString: name))
                index += 1
            }
            g_strfreev(names)
        }
        if let error {
            let parsedError = GStreamerError(adopting: error, debug: nil, source: nil)
            // GST_PARSE_ERROR_NO_SUCH_ELEMENT is 1: expected when a plugin is absent.
            if !(parsedError.domain == .parse && parsedError.code == 1 && !missing.isEmpty) { throw parsedError }
        }
        return missing
    }
}

extension PipelineSyntax {
    /// The description in an example file: lines starting with `#` are comments.
    package static func sourceDescription(fromFile text: String) -> String {
        text.split(separator: "\n").filter { !$0.trimmingPrefix(" ").hasPrefix("#") }.joined(separator: "\n")
    }
}
