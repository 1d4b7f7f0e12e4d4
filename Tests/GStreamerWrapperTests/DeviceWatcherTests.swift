// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
@testable import GStreamerWrapper
import Locking
import Synchronization
import TestSupport
import Testing

@Suite("The device watch", .serialized, .timeLimit(.minutes(1)))
struct DeviceWatcherTests {
    static func probed(_ name: String) -> DeviceDescription {
        DeviceDescription(displayName: name, deviceClass: "Video/Source", properties: ["object.id": "7", "node.name": name], caps: nil)
    }

    /// Starts a watch with `probe` beside the machine's providers; returns its first published list
    /// and the names of the devices it announced (added or removed) within `watching`.
    static func watch(_ probe: DeviceProbe, watching: Duration = .milliseconds(800)) async throws -> (first: [String], changed: [String]) {
        let changes = Locked<[String]>([])
        let watcher = try #require(
            DeviceWatcher(classes: ["Video/Source"], probes: [probe]) { change in
                switch change {
                case .added(let device): changes.withLock { $0.append("added " + device.displayName) }
                case .removed(let device): changes.withLock { $0.append("removed " + device.displayName) }
                }
            })
        defer { watcher.stop() }
        let first = try await within(5, "the watch's first list") {
            while true {
                if let devices = watcher.devices { return devices.map(\.displayName) }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await Task.sleep(for: watching)  // past one probe interval (500 ms)
        return (first, changes.withLock { $0 })
    }

    /// The regression test for a PipeWire camera missing from a listing (CI, the listing churn test):
    /// a watch whose first PipeWire listing failed published a list without PipeWire's cameras.
    @Test("A probe that fails its first listing is tried again before the list is published: its camera is listed, not announced as added")
    func firstListingRetried() async throws {
        let calls = Atomic<Int>(0)
        let probe = DeviceProbe(replaces: []) {
            calls.add(1, ordering: .relaxed).newValue == 1 ? nil : DeviceProbe.Listing(devices: [Self.probed("Probed")], hides: [])
        }
        let (first, changed) = try await Self.watch(probe)
        #expect(first.contains("Probed"), "\(first)")
        #expect(!changed.contains { $0.hasSuffix("Probed") }, "\(changed)")
        #expect(calls.load(ordering: .relaxed) >= 2)
    }

    @Test(
        "A probe that keeps failing holds the list back (nil: no list rather than one without its cameras), tried every tick; once it answers, its camera is listed, not announced"
    )
    func probeThatFailsForAWhile() async throws {
        let calls = Atomic<Int>(0)
        let answering = Atomic<Bool>(false)
        let probe = DeviceProbe(replaces: []) {
            calls.add(1, ordering: .relaxed)
            return answering.load(ordering: .relaxed) ? DeviceProbe.Listing(devices: [Self.probed("Late")], hides: []) : nil
        }
        let changes = Locked<[String]>([])
        let watcher = try #require(
            DeviceWatcher(classes: ["Video/Source"], probes: [probe]) { change in
                if case .added(let device) = change { changes.withLock { $0.append(device.displayName) } }
            })
        defer { watcher.stop() }
        try await Task.sleep(for: .seconds(1))
        #expect(watcher.devices == nil)
        #expect(calls.load(ordering: .relaxed) >= 8, "three tries, then one a tick (100 ms)")
        answering.store(true, ordering: .relaxed)
        let listed = try await within(5, "the list once the probe answers") {
            while true {
                if let devices = watcher.devices { return devices.map(\.displayName) }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(listed.contains("Late"))
        try await Task.sleep(for: .milliseconds(700))
        #expect(!changes.withLock { $0 }.contains("Late"))
    }
}
