// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CPipeWire
import Glibc

/// The PipeWire graph's nodes of one media class, listed by the library's own client (`CPipeWire.h`):
/// one connection per listing, on the calling thread, every proxy and listener gone when it returns.
/// GStreamer's PipeWire device provider is never used: 0.3.65's (Debian 12) corrupted the heap when
/// stopped as the graph changed, and crashed (a cleared core) when a node it bound changed as its
/// probe ended.
package enum PipeWireRegistry {
    /// What one listing found.
    package struct Listing: Sendable {
        package var nodes: [Node]
        /// Some node's `object.path` starts with `v4l2:`: PipeWire serves the V4L2 cameras itself.
        package var servesV4L2: Bool
        /// Some node's `object.path` starts with `libcamera:`: PipeWire serves the libcamera cameras itself.
        package var servesLibcamera: Bool
    }

    package struct Node: Sendable {
        package var id: UInt32
        /// The node's properties (`node.name`, `node.description`, `object.serial`, `api.v4l2.path`...).
        package var properties: [String: String]
        /// Output ports and no input port.
        package var isSource: Bool
        /// Its EnumFormat parameters, the node's and its output ports'.
        package var formats: [VideoFormat]

        package init(id: UInt32, properties: [String: String], isSource: Bool, formats: [VideoFormat]) {
            self.id = id
            self.properties = properties
            self.isSource = isSource
            self.formats = formats
        }
    }

    /// One EnumFormat of video.
    package struct VideoFormat: Sendable, Equatable {
        /// SPA's short name for the media subtype: `raw`, `mjpg`, `h264`...
        package var subtype: String
        /// SPA's short names of the pixel formats (`YUY2`, `I420`...), GStreamer's for the common ones.
        package var pixelFormats: Values<String>
        package var sizes: Values<Size>
        package var rates: Values<Rate>

        package init(subtype: String, pixelFormats: Values<String>, sizes: Values<Size>, rates: Values<Rate>) {
            self.subtype = subtype
            self.pixelFormats = pixelFormats
            self.sizes = sizes
            self.rates = rates
        }
    }

    package struct Size: Sendable, Equatable {
        package var width: Int, height: Int
        package init(width: Int, height: Int) { (self.width, self.height) = (width, height) }
    }

    package struct Rate: Sendable, Equatable {
        package var numerator: Int, denominator: Int
        package init(numerator: Int, denominator: Int) { (self.numerator, self.denominator) = (numerator, denominator) }
    }

    /// A parameter's values, as a SPA choice gives them.
    package enum Values<Value: Sendable & Equatable>: Sendable, Equatable {
        case none
        case list([Value])
        case range(min: Value, max: Value)
        case steps(min: Value, max: Value, step: Value)
    }

    /// Why a listing has no answer.
    package enum Failure: Error, Equatable {
        /// No daemon answers in this session (see ``PipeWireConnection/connect()``).
        case noDaemon
        /// The daemon refused, failed or did not answer in time (a negative errno).
        case failed(Int32)
    }

    /// Blocking (a round trip with the daemon, bounded by `timeout`): call it off the cooperative pool.
    package static func list(mediaClass: String, timeout: Duration) -> Result<Listing, Failure> {
        let connection: Int32
        switch PipeWireConnection.connect() {
        case .connected(let fd): connection = fd
        case .noDaemon: return .failure(.noDaemon)
        case .failed(let error): return .failure(.failed(-error))
        }
        let milliseconds = Int32(clamping: max(1, Int(timeout / .milliseconds(1))))
        var error: Int32 = 0
        guard let listing = CPipeWire_list(connection, mediaClass, milliseconds, &error) else {  // takes the descriptor
            return .failure(.failed(error))
        }
        defer { CPipeWire_listing_free(listing) }
        let nodes = UnsafeBufferPointer(start: listing.pointee.nodes, count: Int(listing.pointee.n_nodes))
            .filter { !$0.removed }  // went during the listing
            .map(Node.init)
        return .success(Listing(nodes: nodes, servesV4L2: listing.pointee.serves_v4l2, servesLibcamera: listing.pointee.serves_libcamera))
    }
}

extension PipeWireRegistry.Node {
    fileprivate init(_ node: CPipeWire_node) {
        var properties: [String: String] = [:]
        if let props = node.props {
            for item in UnsafeBufferPointer(start: props.pointee.dict.items, count: Int(props.pointee.dict.n_items)) {
                guard let key = item.key, let value = item.value else { continue }
                properties[String(cString: key)] = String(cString: value)
            }
        }
        self.init(
            id: node.id, properties: properties, isSource: node.is_source,
            formats: UnsafeBufferPointer(start: node.formats, count: Int(node.n_formats)).map(PipeWireRegistry.VideoFormat.init))
    }
}

extension PipeWireRegistry.VideoFormat {
    fileprivate init(_ format: CPipeWire_format) {
        let subtype = CPipeWire_media_subtype_name(format.subtype).map { String(cString: $0) } ?? ""
        self.init(
            subtype: subtype,
            pixelFormats: .init(format.formats, format.n_formats, format.format_choice) { id in
                CPipeWire_video_format_name(id).map { String(cString: $0) } ?? "unknown"
            },
            sizes: .init(format.sizes, format.n_sizes, format.size_choice) { .init(width: Int($0.width), height: Int($0.height)) },
            rates: .init(format.rates, format.n_rates, format.rate_choice) { .init(numerator: Int($0.num), denominator: Int($0.denom)) })
    }
}

extension PipeWireRegistry.Values {
    /// SPA's layout: one value without a choice; for an enum the default, then the alternatives; for a
    /// range the default, min and max; for steps the default, min, max and step.
    fileprivate init<Raw>(_ start: UnsafeMutablePointer<Raw>?, _ count: UInt32, _ choice: UInt32, _ convert: (Raw) -> Value) {
        let values = UnsafeBufferPointer(start: start, count: Int(count)).map(convert)
        switch choice {
        case _ where values.isEmpty: self = .none
        case SPA_CHOICE_None.rawValue: self = .list([values[0]])
        case SPA_CHOICE_Enum.rawValue: self = .list(values.count > 1 ? Array(values.dropFirst()) : values)
        case SPA_CHOICE_Range.rawValue where values.count >= 3: self = .range(min: values[1], max: values[2])
        case SPA_CHOICE_Step.rawValue where values.count >= 4: self = .steps(min: values[1], max: values[2], step: values[3])
        default: self = .list([values[0]])  // flags, or a malformed choice: its default
        }
    }
}
