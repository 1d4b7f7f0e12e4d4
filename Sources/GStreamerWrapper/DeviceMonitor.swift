internal import CGStreamer
import Glibc
import Locking
import Synchronization

/// A device that GStreamer's device providers found (V4L2, PipeWire, ALSA...).
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
}

/// Lists the machine's capture devices once (no monitoring threads are started).
/// The corresponding C function is `gst_device_provider_get_devices`, for each provider of the classes.
package enum DeviceMonitor {
    /// Blocking (providers probe hardware): call it off the cooperative pool. Every provider of the
    /// classes is probed, PipeWire's on a connection of its own (see ``DeviceWatcher``).
    package static func devices(classes: [String]) -> [DeviceDescription] {
        GStreamer.initialize()
        let providers = DeviceWatcher.Providers(classes: classes, starting: false)
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
/// ``stop()`` takes effect within it): the device providers that can be started safely are started
/// and their lists read each tick; PipeWire's is probed every ``probeInterval``. Each tick's list is
/// compared with the last one by ``DeviceDescription/identity``.
///
/// PipeWire's provider is never started. Its 0.3.65 GStreamer plugin (Debian 12) destroys its
/// registry proxy in `stop` without the PipeWire loop's lock (fixed in 0.3.73): a change in the
/// PipeWire graph while it stopped (a stream going away, as when the last PipeWire track stops)
/// corrupted the heap. Its probe leaves its listener and node proxies on its connection (fixed in
/// 1.5.85 and later), harmless only when the connection goes with the probe: each probe gets a
/// connection of its own (``PipeWireConnection``), one probe at a time in the process. The
/// corresponding C functions are `gst_device_provider_start` and `gst_device_provider_get_devices`.
package final class DeviceWatcher: Sendable {
    package enum Change: Sendable {
        case added(DeviceDescription)
        case removed(DeviceDescription)
    }

    /// Providers listed by probing, never started (see the type's documentation).
    package static let probedProviders: Set<String> = ["pipewiredeviceprovider"]
    /// How often a probed provider is listed again: one probe costs about 3 ms of CPU (PipeWire).
    package static let probeInterval: Duration = .milliseconds(500)
    private static let tick: Duration = .milliseconds(100)

    private final class Flags: Sendable {
        let stopped = Atomic<Bool>(false)
    }

    private let flags = Flags()
    private let list = DeviceList()

    /// The devices now, as this watch sees them (nil until it has listed them).
    package var devices: [DeviceDescription]? { list.value.withLock { $0 } }

    /// Nil when no thread can be had. `onChange` runs on the watcher's thread.
    /// - Parameter seed: a listing made just before, whose probed providers' devices the watch
    ///   starts from, probing them first one ``probeInterval`` later. A watch usually starts as a
    ///   PipeWire track opens, right after such a listing, while its own stream's node is new: 0.3.65's
    ///   probe dereferences a cleared core (a crash) when a node it bound gets its formats during the
    ///   probe's last round trip, as a node just created does.
    package init?(classes: [String], seed: [DeviceDescription]? = nil, onChange: @escaping @Sendable (Change) -> Void) {
        let flags = self.flags
        let list = self.list
        Self.running.add(1, ordering: .acquiringAndReleasing)
        let started = DetachedThread.start {
            defer { Self.running.subtract(1, ordering: .acquiringAndReleasing) }
            GStreamer.initialize()
            let providers = Providers(classes: classes, starting: true)
            defer { providers.stop() }
            if let seed { providers.seed(seed) }
            var known = providers.devices(probing: seed == nil)
            list.update { $0 = known }
            let ticksPerProbe = max(1, Int(Self.probeInterval / Self.tick))
            var ticks = 0
            while !flags.stopped.load(ordering: .acquiring) {
                usleep(UInt32(Self.tick / .microseconds(1)))
                if flags.stopped.load(ordering: .acquiring) { break }
                ticks += 1
                let now = providers.devices(probing: ticks % ticksPerProbe == 0)
                let before = Set(known.map(\.identity)), after = Set(now.map(\.identity))
                let removed = known.filter { !after.contains($0.identity) }
                let added = now.filter { !before.contains($0.identity) }
                known = now
                list.update { $0 = now }  // a device's caps may have been filled in meanwhile
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

    /// Ends the watch within one tick.
    package func stop() { flags.stopped.store(true, ordering: .releasing) }

    /// The device list, shared with the watch's thread.
    private final class DeviceList: Sendable {
        let value = Locked<[DeviceDescription]?>(nil)
        func update(_ body: (inout [DeviceDescription]?) -> Void) { value.withLock { body(&$0) } }
    }

    /// The device providers of some classes, used on one thread (a watch's, or a one-off listing's).
    final class Providers {
        private struct Provider {
            let name: String
            let pointer: UnsafeMutablePointer<GstDeviceProvider>
            let bus: UnsafeMutablePointer<GstBus>?
            /// Its last list: read each tick when started, probed every `probeInterval` otherwise.
            var listed: [DeviceDescription] = []
        }

        /// One PipeWire probe at a time in the process: the provider is a singleton, and its `fd` is
        /// set for the probe alone.
        private static let probing = Locked(())

        private let classes: [String]
        private var providers: [Provider] = []

        /// - Parameter starting: start the providers that can be started safely (a watch); a one-off
        ///   listing probes them all.
        init(classes: [String], starting: Bool) {
            self.classes = classes
            let factories = gst_device_provider_factory_list_get_device_providers(GST_RANK_MARGINAL)
            defer { gst_plugin_feature_list_free(factories) }
            var node = factories
            while let current = node {
                node = current.pointee.next
                guard let data = current.pointee.data, case let factory = OpaquePointer(data),
                    classes.contains(where: { gst_device_provider_factory_has_classes(factory, $0) != 0 }),
                    let provider = gst_device_provider_factory_get(factory)
                else { continue }
                let name = gst_object_get_name(data.assumingMemoryBound(to: GstObject.self)).map { text in
                    defer { g_free(text) }
                    return String(cString: text)
                } ?? ""
                let start = starting && !DeviceWatcher.probedProviders.contains(name) && gst_device_provider_start(provider) != 0
                providers.append(Provider(name: name, pointer: provider, bus: start ? gst_device_provider_get_bus(provider) : nil))
            }
        }

        /// The devices now: started providers' current lists, probed ones' last probe (made again
        /// when `probing`), less the devices of providers another one hides (PipeWire hides V4L2's
        /// when it serves those cameras itself).
        func devices(probing: Bool) -> [DeviceDescription] {
            var hidden: Set<String> = []
            for index in providers.indices {
                let provider = providers[index]
                if let bus = provider.bus {
                    // Its add/remove messages are not read (its list is): drop them, or they pile up.
                    while let message = gst_bus_pop(bus) { gst_message_unref(message) }
                    providers[index].listed = Self.list(provider.pointer, classes: classes)
                } else if probing {
                    var found = probe(provider)
                    // A probe that failed looks like one that found nothing: make sure before every
                    // camera of the provider counts as gone.
                    if found.isEmpty && !provider.listed.isEmpty { found = probe(provider) }
                    providers[index].listed = found
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
            return providers.filter { !hidden.contains($0.name) }.flatMap(\.listed)
        }

        /// Takes the probed providers' lists from `devices`, a listing made just before (PipeWire's
        /// devices are those with an `object.serial`).
        func seed(_ devices: [DeviceDescription]) {
            for index in providers.indices where providers[index].bus == nil && DeviceWatcher.probedProviders.contains(providers[index].name) {
                providers[index].listed = devices.filter { $0.properties["object.serial"] != nil }
            }
        }

        /// A provider's devices by probing; PipeWire's on a connection of its own, none when no
        /// daemon answers.
        private func probe(_ provider: Provider) -> [DeviceDescription] {
            guard DeviceWatcher.probedProviders.contains(provider.name) else { return Self.list(provider.pointer, classes: classes) }
            return Self.probing.withLock { _ in
                // Started by someone else in the process (an application's own monitor): its list,
                // and its connection left alone.
                if gst_device_provider_is_started(provider.pointer) != 0 { return Self.list(provider.pointer, classes: classes) }
                guard let connection = PipeWireConnection.open() else { return [] }
                CGStreamer_g_object_set_int(provider.pointer, "fd", connection)
                defer {
                    CGStreamer_g_object_set_int(provider.pointer, "fd", -1)
                    close(connection)  // the probe's connection used a duplicate, released with it
                }
                return Self.list(provider.pointer, classes: classes)
            }
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
