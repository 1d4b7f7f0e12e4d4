// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer
import Glibc
import Locking
import Synchronization

/// A device that GStreamer's device providers (V4L2, ALSA...) or a ``DeviceProbe`` (PipeWire) found.
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

    package init(displayName: String, deviceClass: String, properties: [String: String], caps: Caps?) {
        self.displayName = displayName
        self.deviceClass = deviceClass
        self.properties = properties
        self.caps = caps
    }
}

/// Devices that a listing of the library's own finds beside GStreamer's device providers (PipeWire's
/// graph, whose GStreamer provider is never used: see `PipeWireRegistry`).
package struct DeviceProbe: Sendable {
    package struct Listing: Sendable {
        package var devices: [DeviceDescription]
        /// GStreamer providers whose devices these stand for (PipeWire serves V4L2 cameras itself).
        package var hides: Set<String>

        package init(devices: [DeviceDescription], hides: Set<String>) {
            self.devices = devices
            self.hides = hides
        }
    }

    /// The GStreamer providers it replaces: never created, started or probed.
    package var replaces: Set<String>
    /// Blocking and bounded; nil when the listing failed (as opposed to finding nothing).
    package var list: @Sendable () -> Listing?

    package init(replaces: Set<String>, list: @escaping @Sendable () -> Listing?) {
        self.replaces = replaces
        self.list = list
    }
}

/// Lists the machine's capture devices once (no monitoring threads are started).
/// The corresponding C function is `gst_device_provider_get_devices`, for each provider of the classes.
package enum DeviceMonitor {
    /// Blocking (providers probe hardware): call it off the cooperative pool. Every provider of the
    /// classes is probed, but those the probes replace; then the probes list theirs.
    package static func devices(classes: [String], probes: [DeviceProbe]) -> [DeviceDescription] {
        GStreamer.initialize()
        let providers = DeviceWatcher.Providers(classes: classes, probes: probes, starting: false)
        defer { providers.stop() }
        return providers.devices(probing: true)
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

/// Watches devices of some classes come and go, on a thread of its own (a 100 ms tick, so
/// ``stop()`` takes effect within it): the device providers are started and their lists read each
/// tick; the probes list theirs every ``probeInterval``. Each tick's list is compared with the last
/// one by ``DeviceDescription/identity``. The corresponding C function is `gst_device_provider_start`.
package final class DeviceWatcher: Sendable {
    package enum Change: Sendable {
        case added(DeviceDescription)
        case removed(DeviceDescription)
    }

    /// How often the probes list again: one PipeWire listing costs about 2 ms.
    package static let probeInterval: Duration = .milliseconds(500)
    private static let tick: Duration = .milliseconds(100)
    /// Listings tried again at once, at the start, while a probe has not answered (each is bounded);
    /// then once a tick until it answers.
    private static let firstListingRetries = 2

    private final class Flags: Sendable {
        let stopped = Atomic<Bool>(false)
    }

    private let flags = Flags()
    private let list = DeviceList()

    /// The devices now, as this watch sees them (nil until every probe has answered once).
    package var devices: [DeviceDescription]? { list.value.withLock { $0 } }

    /// Nil when no thread can be had. `onChange` runs on the watcher's thread.
    package init?(classes: [String], probes: [DeviceProbe], onChange: @escaping @Sendable (Change) -> Void) {
        let flags = self.flags
        let list = self.list
        Self.running.add(1, ordering: .acquiringAndReleasing)
        let started = DetachedThread.start {
            defer { Self.running.subtract(1, ordering: .acquiringAndReleasing) }
            GStreamer.initialize()
            let providers = Providers(classes: classes, probes: probes, starting: true)
            defer { providers.stop() }
            var first = providers.devices(probing: true)
            // A probe that failed its first listing has no earlier one to keep: tried again at once,
            // and the list is published only once every probe has answered, or a watch begun on a
            // hiccup would list none of that probe's cameras (CI saw a PipeWire camera missing so),
            // then announce them all as added. Until then the list stays nil (see `devices`).
            for _ in 0..<Self.firstListingRetries where !providers.everyProbeAnswered && !flags.stopped.load(ordering: .acquiring) {
                first = providers.devices(probing: true)
            }
            var known: [DeviceDescription]? = providers.everyProbeAnswered ? first : nil
            if let known { list.update { $0 = known } }
            let ticksPerProbe = max(1, Int(Self.probeInterval / Self.tick))
            var ticks = 0
            while !flags.stopped.load(ordering: .acquiring) {
                usleep(UInt32(Self.tick / .microseconds(1)))
                if flags.stopped.load(ordering: .acquiring) { break }
                ticks += 1
                // Until every probe answered, each tick probes again.
                let now = providers.devices(probing: known == nil || ticks % ticksPerProbe == 0)
                guard providers.everyProbeAnswered else { continue }
                list.update { $0 = now }  // a device's caps may have been filled in meanwhile
                guard let before = known else {
                    known = now  // the first list: nothing came or went
                    continue
                }
                let had = Set(before.map(\.identity)), has = Set(now.map(\.identity))
                let removed = before.filter { !has.contains($0.identity) }
                let added = now.filter { !had.contains($0.identity) }
                known = now
                for device in removed { onChange(.removed(device)) }
                for device in added { onChange(.added(device)) }
            }
        }
        guard started else {
            Self.running.subtract(1, ordering: .acquiringAndReleasing)
            return nil
        }
    }

    /// Watch threads still running, stopped or not: GStreamer's state must outlive them (their last
    /// act stops their providers), so a shutdown waits for none to be left.
    private static let running = Atomic<Int>(0)
    package static var runningCount: Int { running.load(ordering: .acquiring) }

    /// Ends the watch within one tick (or one probe, which is bounded, when one runs then).
    package func stop() { flags.stopped.store(true, ordering: .releasing) }

    /// The device list, shared with the watch's thread.
    private final class DeviceList: Sendable {
        let value = Locked<[DeviceDescription]?>(nil)
        func update(_ body: (inout [DeviceDescription]?) -> Void) { value.withLock { body(&$0) } }
    }

    /// The device providers of some classes and the probes beside them, used on one thread (a
    /// watch's, or a one-off listing's).
    final class Providers {
        private struct Provider {
            let name: String
            let pointer: UnsafeMutablePointer<GstDeviceProvider>
            let bus: UnsafeMutablePointer<GstBus>?
            /// Its last list: read each tick when started, listed once otherwise.
            var listed: [DeviceDescription] = []
        }

        /// Providers never created, whatever the probes: PipeWire 0.3.65's corrupts the heap when stopped
        /// as the graph changes and crashes when a node changes as its probe ends (see `PipeWireRegistry`).
        static let neverUsed: Set<String> = ["pipewiredeviceprovider"]

        private let classes: [String]
        private var providers: [Provider] = []
        private let probes: [DeviceProbe]
        /// Each probe's last listing that answered.
        private var probed: [DeviceProbe.Listing?]

        /// Every probe has answered once: the devices list them all.
        var everyProbeAnswered: Bool { probed.allSatisfy { $0 != nil } }

        /// - Parameter starting: start the providers (a watch); a one-off listing probes them.
        init(classes: [String], probes: [DeviceProbe], starting: Bool) {
            self.classes = classes
            self.probes = probes
            self.probed = Array(repeating: nil, count: probes.count)
            let replaced = probes.reduce(into: Self.neverUsed) { $0.formUnion($1.replaces) }
            let factories = gst_device_provider_factory_list_get_device_providers(GST_RANK_MARGINAL)
            defer { gst_plugin_feature_list_free(factories) }
            var node = factories
            while let current = node {
                node = current.pointee.next
                guard let data = current.pointee.data, case let factory = OpaquePointer(data),
                    case let name = gst_object_get_name(data.assumingMemoryBound(to: GstObject.self)).map({ text in
                        defer { g_free(text) }
                        return String(cString: text)
                    }) ?? "",
                    !replaced.contains(name),
                    classes.contains(where: { gst_device_provider_factory_has_classes(factory, $0) != 0 }),
                    let provider = gst_device_provider_factory_get(factory)
                else { continue }
                let start = starting && gst_device_provider_start(provider) != 0
                providers.append(Provider(name: name, pointer: provider, bus: start ? gst_device_provider_get_bus(provider) : nil))
            }
        }

        /// The devices now: started providers' current lists, the others' and the probes' last
        /// listings (made again when `probing`), less the devices of providers that another provider
        /// or a probe hides.
        func devices(probing: Bool) -> [DeviceDescription] {
            var hidden: Set<String> = []
            for index in providers.indices {
                let provider = providers[index]
                if let bus = provider.bus {
                    // Its add/remove messages are not read (its list is): drop them, or they pile up.
                    while let message = gst_bus_pop(bus) { gst_message_unref(message) }
                    providers[index].listed = Self.list(provider.pointer, classes: classes)
                } else if probing {
                    providers[index].listed = Self.list(provider.pointer, classes: classes)
                }
                if let names = gst_device_provider_get_hidden_providers(provider.pointer) {
                    var entry = names
                    while let name = entry.pointee {
                        hidden.insert(String(cString: name))
                        entry += 1
                    }
                    g_strfreev(names)
                }
            }
            if probing {
                // A listing that failed keeps the last one: a hiccup is not every camera gone.
                for index in probes.indices { probed[index] = probes[index].list() ?? probed[index] }
            }
            for listing in probed { hidden.formUnion(listing?.hides ?? []) }
            return providers.filter { !hidden.contains($0.name) }.flatMap(\.listed) + probed.flatMap { $0?.devices ?? [] }
        }

        private static func list(_ provider: UnsafeMutablePointer<GstDeviceProvider>, classes: [String]) -> [DeviceDescription] {
            var result: [DeviceDescription] = []
            let devices = gst_device_provider_get_devices(provider)
            var node = devices
            while let current = node {
                if let device = CGStreamer_GST_DEVICE(current.pointee.data),
                    classes.contains(where: { gst_device_has_classes(device, $0) != 0 })
                {
                    result.append(DeviceMonitor.describe(device))
                }
                node = current.pointee.next
            }
            g_list_free_full(devices) { gst_object_unref($0) }
            return result
        }

        func stop() {
            for provider in providers {
                if let bus = provider.bus {
                    gst_device_provider_stop(provider.pointer)
                    gst_object_unref(bus)
                }
                gst_object_unref(provider.pointer)
            }
            providers = []
        }
    }

    deinit { stop() }
}
