internal import GStreamerWrapper
internal import PipeWire

/// PipeWire's cameras (its `Video/Source` nodes), for the device listings and the device watch: listed
/// by the library's own client (`PipeWireRegistry`) in place of GStreamer's PipeWire device provider.
enum PipeWireCameras {
    /// Listed only where `pipewiresrc` can open what it lists; where it cannot, V4L2 cameras that
    /// PipeWire serves are not hidden either.
    static func probe(timeout: Duration) -> [DeviceProbe] {
        guard GStreamer.hasElement("pipewiresrc") else { return [] }
        return [
            DeviceProbe(replaces: ["pipewiredeviceprovider"]) {
                switch PipeWireRegistry.list(mediaClass: "Video/Source", timeout: timeout) {
                case .failure(.noDaemon): return DeviceProbe.Listing(devices: [], hides: [])  // no daemon: no PipeWire camera
                case .failure(.failed): return nil
                case .success(let listing):
                    return DeviceProbe.Listing(
                        devices: listing.nodes.filter(\.isSource).map(DeviceDescription.init(pipeWire:)),
                        hides: listing.servesV4L2 ? ["v4l2deviceprovider"] : [])
                }
            }
        ]
    }
}

extension DeviceDescription {
    /// A node as GStreamer's provider described it: its properties, its description as its name, and
    /// its formats as caps.
    fileprivate init(pipeWire node: PipeWireRegistry.Node) {
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
        if name == "video/x-raw" {
            let names = pixelFormats.listed.filter { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
            guard !names.isEmpty else { return [] }
            fields.append("format=(string)" + (names.count == 1 ? names[0] : "{ " + names.joined(separator: ", ") + " }"))
        }
        switch rates {
        case .list(let rates): fields.append("framerate=(fraction){ " + rates.map { "\($0.numerator)/\($0.denominator)" }.joined(separator: ", ") + " }")
        case .range(let low, let high), .steps(let low, let high, _):
            fields.append("framerate=(fraction)[ \(low.numerator)/\(low.denominator), \(high.numerator)/\(high.denominator) ]")
        case .none: break
        }
        let rest = fields.map { "," + $0 }.joined()
        switch sizes {
        case .list(let sizes): return sizes.map { "\(name),width=(int)\($0.width),height=(int)\($0.height)" + rest }
        case .range(let low, let high):
            return ["\(name),width=(int)[ \(low.width), \(high.width) ],height=(int)[ \(low.height), \(high.height) ]" + rest]
        case .steps(let low, let high, let step):
            return ["\(name),width=(int)[ \(low.width), \(high.width), \(max(1, step.width)) ],height=(int)[ \(low.height), \(high.height), \(max(1, step.height)) ]" + rest]
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
