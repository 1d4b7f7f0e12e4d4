// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer

/// A canonical pipeline (`pipelines/*.pipeline`), read as the plain subset of gst-launch syntax those
/// files use, and built element by element.
///
/// Why not `gst_parse_launch`: it links with caps checks, and each check queries caps through the
/// half-built graph (videoconvert and videoscale answer with every format they know). For the fake
/// camera that was 2.5 ms of a 5 ms open; building and linking without checks takes about 0.2 ms.
/// Negotiation still checks everything when the pipeline starts, and a test keeps the built graph
/// equal to what `gst_parse_launch` makes of the same text (elements, properties, links).
///
/// The subset: chains of `factory key=value ...` joined by `!`; a chain that starts with `name.`
/// continues from that element's request pad (`tee`). No quotes, no caps shorthand, no bins.
package struct GraphDescription: Sendable, Equatable {
    package struct Node: Sendable, Equatable {
        package var factory: String
        /// In the description's order (gst-launch sets them in that order too).
        package var properties: [(key: String, value: String)]

        package static func == (lhs: Node, rhs: Node) -> Bool {
            lhs.factory == rhs.factory && lhs.properties.map(\.key) == rhs.properties.map(\.key)
                && lhs.properties.map(\.value) == rhs.properties.map(\.value)
        }

        package var name: String? { properties.last { $0.key == "name" }?.value }
    }

    /// A link from `nodes[from]` to `nodes[to]`; from a request pad when `fromRequestPad`.
    package struct Link: Sendable, Equatable {
        package var from: Int
        package var to: Int
        package var fromRequestPad: Bool
    }

    package private(set) var nodes: [Node] = []
    package private(set) var links: [Link] = []

    /// - Throws: `.wrapper` naming the first token outside the subset.
    package init(_ text: String) throws(GStreamerError) {
        var current: Int?  // the element the next `!` links from
        var continuesFromBranch = false
        var expectingElement = true
        for token in text.split(whereSeparator: \.isWhitespace).map(String.init) {
            if token == "!" {
                guard current != nil, !expectingElement else { throw .wrapper("'!' without an element before it") }
                expectingElement = true
            } else if token.hasSuffix("."), !token.contains("=") {
                let name = String(token.dropLast())
                guard let index = nodes.firstIndex(where: { $0.name == name }) else {
                    throw .wrapper("branch from '\(name)', which is not named before")
                }
                current = index
                continuesFromBranch = true
                expectingElement = false
            } else if let equals = token.firstIndex(of: "=") {
                guard let current, !expectingElement, !token.contains("\""), !token.contains("'") else {
                    throw .wrapper("property '\(token)' outside the subset")
                }
                nodes[current].properties.append((String(token[..<equals]), String(token[token.index(after: equals)...])))
            } else {
                guard expectingElement || current == nil, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                    throw .wrapper("'\(token)' is not an element factory in the subset")
                }
                if let from = current, expectingElement {
                    links.append(Link(from: from, to: nodes.count, fromRequestPad: continuesFromBranch))
                }
                nodes.append(Node(factory: token, properties: []))
                current = nodes.count - 1
                continuesFromBranch = false
                expectingElement = false
            }
        }
        guard !nodes.isEmpty, !expectingElement else { throw .wrapper("the description ends without an element") }
    }

    /// Whether building the graph would load a plugin (the first element of a kind in the process):
    /// file I/O, to be done off Swift's cooperative pool. Once loaded, building is CPU work only.
    /// The corresponding C function is `gst_plugin_is_loaded`.
    package var loadsPlugins: Bool {
        GStreamer.initialize()
        return Set(nodes.map(\.factory)).contains { name in
            guard let factory = gst_element_factory_find(name) else { return true }  // fails when built
            defer { gst_object_unref(UnsafeMutableRawPointer(factory)) }
            guard let plugin = gst_plugin_feature_get_plugin(factory) else { return false }  // built in
            defer { gst_object_unref(UnsafeMutableRawPointer(plugin)) }
            return gst_plugin_is_loaded(plugin) == 0
        }
    }

    /// A `GstPipeline` holding the graph, floating like `gst_parse_launch`'s result.
    /// - Throws: `.wrapper` naming a factory that is not installed, a property the element lacks, or a
    ///   value it does not take; and when two elements cannot be linked.
    func build() throws(GStreamerError) -> UnsafeMutablePointer<GstElement> {
        GStreamer.initialize()
        let pipeline = gst_pipeline_new(nil)!
        let bin = UnsafeMutablePointer<GstBin>(OpaquePointer(pipeline))
        var elements: [UnsafeMutablePointer<GstElement>] = []
        do throws(GStreamerError) {
            for node in nodes {
                guard let element = gst_element_factory_make(node.factory, nil) else {
                    throw .wrapper("no element \"\(node.factory)\": its plugin is not installed")
                }
                // Before it has a parent: an element in a bin cannot be renamed.
                do throws(GStreamerError) {
                    for (key, value) in node.properties { try Self.set(key, value, on: element, factory: node.factory) }
                } catch {
                    gst_object_unref(gst_object_ref_sink(element))
                    throw error
                }
                _ = gst_bin_add(bin, element)  // takes the floating reference
                elements.append(element)
            }
            for link in links {
                let upstream = elements[link.from], downstream = elements[link.to]
                let noPads = GStreamerError.wrapper("\(nodes[link.from].factory) ! \(nodes[link.to].factory): no pads to link")
                guard
                    let source = link.fromRequestPad
                        ? gst_element_request_pad_simple(upstream, "src_%u") : gst_element_get_static_pad(upstream, "src")
                else { throw noPads }
                // A muxer has no static sink pad: the request pad that takes the upstream's stream,
                // as gst_element_link chooses it.
                guard let sink = gst_element_get_static_pad(downstream, "sink") ?? gst_element_get_compatible_pad(downstream, source, nil)
                else {
                    gst_object_unref(source)  // a tee's request pad stays with the tee, released with the pipeline
                    throw noPads
                }
                // Caps are checked when the pipeline negotiates; a check here is what made parsing slow.
                let result = gst_pad_link_full(source, sink, GST_PAD_LINK_CHECK_NOTHING)
                gst_object_unref(source)
                gst_object_unref(sink)
                guard result == GST_PAD_LINK_OK else {
                    throw .wrapper("\(nodes[link.from].factory) ! \(nodes[link.to].factory) could not be linked")
                }
            }
        } catch {
            gst_object_unref(pipeline)
            throw error
        }
        return pipeline
    }

    /// The elements of a description that is one chain (a branch: `a ! b ! c`), unlinked and
    /// without a parent, each named as in the text plus `suffix` (a pipeline refuses two children of
    /// one name): for a branch added beside others to a running pipeline, which links them.
    /// - Throws: `.wrapper` as ``build()`` does, or when the text is not one chain of named elements.
    package func makeChain(nameSuffix suffix: String) throws(GStreamerError) -> [Element] {
        let isChain = links.enumerated().allSatisfy { index, link in
            link.from == index && link.to == index + 1 && !link.fromRequestPad
        }
        guard isChain, links.count == nodes.count - 1, nodes.allSatisfy({ $0.name != nil }) else {
            throw .wrapper("a branch is one chain of named elements")
        }
        GStreamer.initialize()
        var elements: [Element] = []
        for node in nodes {
            guard let made = gst_element_factory_make(node.factory, nil) else {
                throw .wrapper("no element \"\(node.factory)\": its plugin is not installed")
            }
            let element = Element(adopting: made)  // sunk: released with `elements` if a property fails
            for (key, value) in node.properties {
                try Self.set(key, key == "name" ? value + suffix : value, on: made, factory: node.factory)
            }
            elements.append(element)
        }
        return elements
    }

    /// Sets a property from its text, as gst-launch does (`gst_value_deserialize`), but failing loudly.
    private static func set(
        _ key: String, _ value: String, on element: UnsafeMutablePointer<GstElement>, factory: String
    ) throws(GStreamerError) {
        let object = UnsafeMutablePointer<GObject>(OpaquePointer(element))
        let instanceClass = UnsafeMutablePointer<GTypeInstance>(OpaquePointer(element)).pointee.g_class
        guard let spec = g_object_class_find_property(UnsafeMutablePointer<GObjectClass>(OpaquePointer(instanceClass)), key)
        else { throw .wrapper("\(factory) has no property '\(key)'") }
        var gvalue = GValue()
        g_value_init(&gvalue, spec.pointee.value_type)
        defer { g_value_unset(&gvalue) }
        guard gst_value_deserialize(&gvalue, value) != 0 else { throw .wrapper("\(factory) \(key)=\(value): not a valid value") }
        g_object_set_property(object, key, &gvalue)
    }
}
