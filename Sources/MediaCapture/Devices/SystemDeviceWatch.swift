// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// The machine's cameras coming and going, for everyone in the process who listens: one device
/// watcher, running while anyone subscribes (a `devicechange` stream, a PipeWire track).
final class SystemDeviceWatch: Sendable {
    static let shared = SystemDeviceWatch()

    /// A camera that appeared (`added`) or went away, as a device provider or PipeWire describes it.
    struct Change: Sendable {
        var added: Bool
        var device: DeviceDescription
    }

    private final class Subscriber: Sendable {
        let body: @Sendable (Change) -> Void
        init(_ body: @escaping @Sendable (Change) -> Void) { self.body = body }
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var next: UInt64 = 0
        var watcher: DeviceWatcher?
    }

    private let state = Locked(State())

    /// Calls `body` on the watcher's thread for each change until ``unsubscribe(_:)``.
    func subscribe(_ body: @escaping @Sendable (Change) -> Void) -> UInt64 {
        state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = Subscriber(body)
            if state.watcher == nil {
                // A PipeWire listing that hangs holds the watch's thread (and a stop) at most 1 s.
                state.watcher = DeviceWatcher(classes: ["Video/Source"], probes: [PipeWireCameras.probe(timeout: .seconds(1))]) {
                    [weak self] change in self?.deliver(change)
                }
            }
            return state.next
        }
    }

    func unsubscribe(_ id: UInt64) {
        let stopped = state.withLock { state -> DeviceWatcher? in
            state.subscribers.removeValue(forKey: id)
            guard state.subscribers.isEmpty else { return nil }
            defer { state.watcher = nil }
            return state.watcher
        }
        stopped?.stop()
    }

    /// Ends the watch, whoever subscribed, and waits (at most 2 s) until every watch thread, this one
    /// and those still stopping, has stopped its device providers: for ``MediaDevices/shutdown()``,
    /// before GStreamer's state is freed.
    func shutdown() async {
        let watcher = state.withLock { state -> DeviceWatcher? in
            state.subscribers = [:]
            defer { state.watcher = nil }
            return state.watcher
        }
        watcher?.stop()
        for _ in 0..<200 where DeviceWatcher.runningCount > 0 { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// The cameras now, from the running watch (nil when none runs, or it has not listed them yet).
    /// While a watch runs, callers list devices here instead of probing beside it: its list is at
    /// most one probe interval old, and a probe costs a PipeWire connection.
    var currentDevices: [DeviceDescription]? { state.withLock { $0.watcher?.devices } }

    /// The machine's cameras: the running watch's list, or a probe of their own (blocking, so on a
    /// thread of its own; bounded, as a provider that hangs must not hang the caller).
    func cameras() async -> [DeviceDescription] {
        // While a watch runs, do not probe beside it (see currentDevices): wait for its first list.
        for _ in 0..<250 where state.withLock({ $0.watcher != nil }) {
            if let current = currentDevices { return current }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // No watch, or one that has not listed in 5 s (or stopped and another began meanwhile): a
        // listing of its own, never an empty answer in place of one. Tried twice: a one-off listing
        // that fails has no earlier one to fall back on.
        let probes = [PipeWireCameras.probe(timeout: CaptureTiming.pipeWireListingAttempt, attempts: 2)]
        guard
            let listed = await BlockingCall.run(
                timeout: CaptureTiming.listingTimeout, { DeviceMonitor.devices(classes: ["Video/Source"], probes: probes) })
        else {
            // A provider that hangs: the last listing that answered, rather than no camera at all.
            Log.logger.warning("Listing the cameras took over \(CaptureTiming.listingTimeout); the last listing stands")
            return lastListing.withLock { $0 } ?? []
        }
        lastListing.withLock { $0 = listed }
        return listed
    }

    /// The last one-off listing that answered.
    private let lastListing = Locked<[DeviceDescription]?>(nil)

    /// The machine's cameras from GStreamer's device providers and PipeWire's graph (blocking, on a thread of its own):
    /// PipeWire's camera nodes, and V4L2 nodes that PipeWire does not already serve (a camera PipeWire
    /// owns is opened through PipeWire, where opening its node directly would find it busy).
    func resolvedCameras() async -> [ResolvedDevice] {
        // Providers probe hardware; one that hangs must not hang enumerateDevices or getUserMedia.
        let found = await cameras()
        let pipeWire = found.filter { $0.pipeWireNode != nil }
        let servedByPipeWire = Set(pipeWire.compactMap { $0.properties["api.v4l2.path"] })
        let cameras: [ResolvedDevice] = pipeWire.compactMap { description in
            guard let node = description.pipeWireNode else { return nil }
            let path = description.properties["api.v4l2.path"]
            var device = CaptureDevice.pipeWire(node: node)  // a property value later, never parsed
            device.label = description.properties["node.description"] ?? description.displayName
            device.vendor = description.vendorName
            return ResolvedDevice(device, modes: description.pipeWireModes, groupKey: path ?? "pipewire:" + node)
        }
        return cameras
            + found.compactMap { description in
                guard description.pipeWireNode == nil,
                    let path = description.properties["api.v4l2.path"] ?? description.properties["device.path"],
                    !servedByPipeWire.contains(path)
                else {
                    return nil  // PipeWire's own, or not a V4L2 node (libcamera): CaptureDevice.pipeline for those
                }
                let bus = description.properties["api.v4l2.cap.bus_info"] ?? description.properties["v4l2.device.bus_info"]
                var device = CaptureDevice.v4l2(path: path)  // a property value later, never parsed
                device.label = description.displayName
                device.vendor = description.vendorName
                device.stableKey = "v4l2:" + (bus.map { $0 + ":" + description.displayName } ?? path)
                let modes = description.caps.map(SourceMode.modes(from:)) ?? []
                return ResolvedDevice(device, modes: modes, groupKey: bus ?? path)
            }
    }

    private func deliver(_ change: DeviceWatcher.Change) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        let converted: Change =
            switch change {
            case .added(let device): Change(added: true, device: device)
            case .removed(let device): Change(added: false, device: device)
            }
        for subscriber in subscribers { subscriber.body(converted) }
    }
}

extension DeviceDescription {
    /// A PipeWire node's stable name (`node.name`), nil for other providers' devices.
    var pipeWireNode: String? {
        guard properties["object.serial"] != nil || properties["object.id"] != nil else { return nil }
        return properties["node.name"]
    }

    /// The maker's name as udev knows it (`device.vendor.name`: the USB ID database's, else the
    /// device's own string, whose `\x20`-style escapes are decoded); nil when not given.
    var vendorName: String? {
        guard let raw = properties["device.vendor.name"] else { return nil }
        var bytes: [UInt8] = []
        var rest = Substring(raw).utf8[...]
        while let byte = rest.first {
            if byte == UInt8(ascii: "\\"), rest.dropFirst().first == UInt8(ascii: "x"),
                case let digits = String(decoding: rest.dropFirst(2).prefix(2), as: UTF8.self),
                digits.count == 2, digits.allSatisfy(\.isHexDigit), let value = UInt8(digits, radix: 16)
            {
                bytes.append(value)
                rest = rest.dropFirst(4)
            } else {
                bytes.append(byte)
                rest = rest.dropFirst()
            }
        }
        let name = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " ")
        return name.isEmpty ? nil : name
    }

    /// A PipeWire node's modes: raw video only (its source has no JPEG decoder).
    var pipeWireModes: [SourceMode] { (caps.map(SourceMode.modes(from:)) ?? []).filter { $0.encoding != .mjpeg } }
}
