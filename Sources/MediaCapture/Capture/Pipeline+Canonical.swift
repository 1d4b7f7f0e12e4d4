// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

extension Pipeline {
    typealias Name = PipelineDescription.Name

    /// A named element of a canonical pipeline. Their presence is a programmer's invariant, checked
    /// by PipelineFileTests for every file in `pipelines/`.
    func canonicalElement(_ name: String) -> Element {
        guard let found = element(named: name) else {
            preconditionFailure("the canonical pipeline has no element named \(name)")
        }
        return found
    }

    /// The source element: `src` (the camera), or the caller's bin once it replaced it.
    var sourceElement: Element { element(named: Self.callerSourceName) ?? canonicalElement(Name.source) }

    /// The name of the bin a caller's description becomes (its output is a ghost pad named `src`).
    static let callerSourceName = "user-source"

    /// Puts `bin` (named ``callerSourceName``, its output a `src` ghost pad) in the place of the
    /// source: the current one leaves (stopped first when it ran), `bin` joins and links to the
    /// source capsfilter (through `pace`, when given). The caller starts it (`syncStateWithParent`)
    /// when the pipeline runs.
    /// - Returns: false when `bin` has no output that links to the capsfilter.
    /// A library-built source (`PipelineDescription.networkCameraSource`, `.pipeWireSource`) parsed as
    /// the bin that replaces `src`, and its element named `element`, whose properties the caller sets.
    /// - Throws: `.notReadable` naming `package` when the plugin is missing.
    static func librarySource(
        _ description: String, element: String, plugin: String, package: String
    ) throws(CaptureFailure) -> (bin: Element, source: Element) {
        let missing = "\(plugin) support is missing. Install \(package)."
        let bin: Element
        do {
            bin = try Element(binFromDescription: description, name: callerSourceName)
        } catch {
            throw CaptureFailure.notReadable("\(plugin) support is missing: \(error.message). Install \(package).")
        }
        guard let source = bin.child(named: element) else { throw CaptureFailure.notReadable(missing) }
        return (bin, source)
    }

    func replaceSource(with bin: Element, through pace: Element? = nil) -> Bool {
        let current = sourceElement
        current.setNullState()
        _ = remove(current)
        _ = add(bin)
        guard let pace else { return bin.link(to: canonicalElement(Name.sourceCaps)) }
        _ = add(pace)
        return bin.link(to: pace) && pace.link(to: canonicalElement(Name.sourceCaps))
    }
}

extension Pipeline {
    /// Adds a branch (`elements`, a chain) to the running pipeline behind `tee`: each element added,
    /// the chain linked in order, started downstream first (so that no queue pushes into an element
    /// not running yet), and a new tee pad linked to `entry`. What it added and the tee pad are
    /// recorded as it goes, so that the branch's removal finds them when a step failed. Blocking:
    /// call on the pipeline's queue. Returns whether every step succeeded.
    /// `beside`, a second chain (a recording's audio), is added with it and linked into a request pad
    /// of `joining` (an element of `elements`: a muxer's, or splitmuxsink's, `audio_%u`), and started
    /// with it. (`gst_element_link` finds no pad of splitmuxsink's for audio; asked by name, it gives one.)
    func attachBranch(
        _ elements: [Element], entry: Pad, behind tee: Element, added: inout [Element], teePad: inout Pad?,
        beside: [Element] = [], joining: (element: Element, template: String)? = nil
    ) -> Bool {
        guard addChain(elements, added: &added, start: false), addChain(beside, added: &added, start: false) else { return false }
        if let last = beside.last, let joining {
            guard let pad = joining.element.requestPad(joining.template), last.staticPad("src")?.link(to: pad) == true else { return false }
        }
        for element in (elements + beside).reversed() where !element.syncStateWithParent() { return false }
        guard let pad = tee.requestPad("src_%u") else { return false }
        teePad = pad
        return pad.link(to: entry)
    }
}

extension Pipeline {
    /// Adds `chain`, recording each element in `added` as it goes, and links it in order; with
    /// `start`, starts it downstream first (so that nothing pushes into an element not running yet).
    /// Blocking: call on the pipeline's queue. Returns whether every step succeeded.
    func addChain(_ chain: [Element], added: inout [Element], start: Bool) -> Bool {
        let before = added.count
        for element in chain where add(element) { added.append(element) }
        guard added.count == before + chain.count else { return false }
        for (upstream, downstream) in zip(chain, chain.dropFirst()) where !upstream.link(to: downstream) { return false }
        return !start || chain.reversed().allSatisfy { $0.syncStateWithParent() }
    }
}

extension Element {
    /// A `videocrop`'s four margins, in pixels.
    func setMargins(left: Int, right: Int, top: Int, bottom: Int) {
        set("left", Int32(clamping: left))
        set("right", Int32(clamping: right))
        set("top", Int32(clamping: top))
        set("bottom", Int32(clamping: bottom))
    }
}
