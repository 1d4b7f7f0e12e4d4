// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
internal import PipeWire

/// PipeWire's cameras (its `Video/Source` nodes), for the device listings and the device watch: listed
/// by the library's own client (`PipeWireRegistry`) in place of GStreamer's PipeWire device provider.
enum PipeWireCameras {
    /// Listed only where `pipewiresrc` can open what it lists; where it cannot, cameras that PipeWire
    /// serves are not hidden from their own providers either. Blocking: on the lister's thread.
    /// - Parameter attempts: listings tried before one counts as failed (a daemon that errs or is slow).
    static func probe(timeout: Duration, attempts: Int = 1) -> DeviceProbe {
        DeviceProbe(replaces: ["pipewiredeviceprovider"]) {
            guard GStreamer.hasElement("pipewiresrc") else { return DeviceProbe.Listing(devices: [], hides: []) }
            for _ in 0..<max(1, attempts) {
                switch PipeWireRegistry.list(mediaClass: "Video/Source", timeout: timeout) {
                case .failure(.noDaemon): return DeviceProbe.Listing(devices: [], hides: [])  // no daemon: no PipeWire camera
                case .failure(.failed(let error)):
                    Log.logger.debug("A listing of PipeWire's cameras failed (errno \(-error))")
                    continue
                case .success(let listing):
                    var hides: Set<String> = []
                    if listing.servesV4L2 { hides.insert("v4l2deviceprovider") }
                    if listing.servesLibcamera { hides.insert("libcameraprovider") }
                    return DeviceProbe.Listing(devices: listing.nodes.filter(\.isSource).map(DeviceDescription.init(pipeWire:)), hides: hides)
                }
            }
            return nil
        }
    }
}

extension DeviceDescription {
    /// A node as GStreamer's provider described it: its properties, its description as its name, and
    /// its formats as caps.
    init(pipeWire node: PipeWireRegistry.Node) {
        var properties = node.properties
        properties["object.id"] = properties["object.id"] ?? String(node.id)
        let structures = node.formats.flatMap(\.capsStructures)
        self.init(
            displayName: properties["node.description"] ?? properties["node.name"] ?? "unknown",
            deviceClass: properties["media.class"] ?? "Video/Source",
            properties: properties,
            caps: structures.isEmpty ? nil : Caps(structures.joined(separator: "; ")))
    }
}

extension PipeWireRegistry.VideoFormat {
    /// GStreamer caps structures, as text: one per size when the sizes are a list (a caps structure
    /// lists widths and heights apart, which would pair every width with every height).
    var capsStructures: [String] {
        let name: String
        switch subtype {
        case "raw": name = "video/x-raw"
        case "mjpg": name = "image/jpeg"
        default: return []
        }
        var fields: [String] = []
        // GStreamer's caps parser rejects (with a critical) what SPA allows: a zero denominator, a range
        // whose ends are equal, a step that does not divide its ends (PipeWire's V4L2 plugin writes the
        // largest size as the step).
        func rate(_ rate: PipeWireRegistry.Rate) -> String? {
            rate.denominator > 0 && rate.numerator >= 0 ? "\(rate.numerator)/\(rate.denominator)" : nil
        }
        func range(_ low: Int, _ high: Int, _ step: Int = 1) -> String? {
            guard low > 0, high >= low else { return nil }
            if low == high { return "\(low)" }
            return step > 1 && low % step == 0 && high % step == 0 ? "[ \(low), \(high), \(step) ]" : "[ \(low), \(high) ]"
        }
        if name == "video/x-raw" {
            let names = pixelFormats.listed.filter { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
            guard !names.isEmpty else { return [] }
            fields.append("format=(string)" + (names.count == 1 ? names[0] : "{ " + names.joined(separator: ", ") + " }"))
        }
        switch rates {
        case .list(let rates):
            let listed = rates.compactMap(rate)
            guard !listed.isEmpty else { return [] }
            fields.append("framerate=(fraction){ " + listed.joined(separator: ", ") + " }")
        case .range(let low, let high), .steps(let low, let high, _):
            guard let low = rate(low), let high = rate(high) else { return [] }
            fields.append(low == high ? "framerate=(fraction)\(low)" : "framerate=(fraction)[ \(low), \(high) ]")
        case .none: break
        }
        let rest = fields.map { "," + $0 }.joined()
        switch sizes {
        case .list(let sizes):
            return sizes.filter { $0.width > 0 && $0.height > 0 }.map { "\(name),width=(int)\($0.width),height=(int)\($0.height)" + rest }
        case .range(let low, let high), .steps(let low, let high, _):
            var step = (width: 1, height: 1)
            if case .steps(_, _, let given) = sizes { step = (given.width, given.height) }
            guard let width = range(low.width, high.width, step.width), let height = range(low.height, high.height, step.height) else { return [] }
            return ["\(name),width=(int)\(width),height=(int)\(height)" + rest]
        case .none: return []
        }
    }
}

extension PipeWireRegistry.Values {
    /// The values a list or a single value names; none for a range.
    fileprivate var listed: [Value] {
        if case .list(let values) = self { return values }
        return []
    }
}
