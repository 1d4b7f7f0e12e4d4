// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import Synchronization
import TestSupport
import Testing
@testable import V4L2

@Suite("V4L2 control ioctls")
struct V4L2ControlsTests {
    @Test("A descriptor that is not a V4L2 device has no controls, and writes fail with its errno")
    func notAVideoDevice() throws {
        let fd = open("/dev/null", O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(V4L2Ioctl.queryControls(fd: fd).isEmpty)
        let brightness = V4L2Control(
            id: V4L2ControlID.brightness, name: "brightness", kind: .integer, minimum: 0, maximum: 255, step: 1,
            defaultValue: 128)
        #expect(V4L2Ioctl.read(fd: fd, brightness) == nil)
        #expect(V4L2Ioctl.write(fd: fd, brightness, 1) == ENOTTY)
    }

    @Test("Control ids and types come from the kernel header")
    func kernelConstants() {
        #expect(V4L2ControlID.brightness == 0x0098_0900)
        #expect(V4L2ControlID.exposureAbsolute == 0x009a_0902)
        #expect(V4L2ControlID.flashStrobe == 0x009c_0903)
        #expect(V4L2ControlID.ExposureAuto.manual == 1 && V4L2ControlID.FlashLEDMode.torch == 2)
        #expect(V4L2Control.Kind(type: 1) == .integer && V4L2Control.Kind(type: 9) == .integerMenu)
        #expect(V4L2Control.Kind(type: 6) == nil)  // a control class heading
    }

    @Test(
        "A real camera lists its controls and reads them (nothing is written)",
        .enabled(if: access("/dev/video0", R_OK) == 0, "no camera at /dev/video0"))
    func realCamera() throws {
        let fd = open("/dev/video0", O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        let controls = V4L2Ioctl.queryControls(fd: fd)
        #expect(!controls.isEmpty)
        for control in controls where [.integer, .boolean, .menu].contains(control.kind) {
            if let value = V4L2Ioctl.read(fd: fd, control) {
                #expect(value >= control.minimum && value <= control.maximum, "\(control.name)")
            }
        }
    }
}

@Suite("V4L2 control events", .timeLimit(.minutes(1)))
struct V4L2EventWatcherTests {
    @Test("A node without control events is not watched (no thread left behind)")
    func notAVideoDevice() {
        #expect(V4L2EventWatcher(path: "/dev/null", controls: [V4L2ControlID.brightness], onChange: { _ in }) == nil)
        #expect(V4L2EventWatcher(path: "/dev/video99", controls: [V4L2ControlID.brightness], onChange: { _ in }) == nil)
    }

    @Test("A hang-up (what V4L2 reports at once after an unplug) is reported once and ends the watch")
    func hangUp() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let lost = Atomic<Int>(0)
        let changes = Atomic<Int>(0)
        let made = V4L2EventWatcher(
            descriptor: ends[0], onChange: { _ in changes.add(1, ordering: .relaxed) },
            onLost: { lost.add(1, ordering: .relaxed) })
        let watcher = try #require(made)
        close(ends[1])  // the other end goes away: POLLHUP from now on, for good
        let finished = try await within(5, "the watch to end") { () async -> Bool in
            while !watcher.hasFinished { try? await Task.sleep(for: .milliseconds(10)) }
            return true
        }
        #expect(finished)
        #expect(lost.load(ordering: .relaxed) == 1)
        #expect(changes.load(ordering: .relaxed) == 0)
    }

    @Test("stop() ends the watch within one tick, without reporting a loss")
    func stopEndsTheWatch() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[1]) }
        let lost = Atomic<Int>(0)
        let made = V4L2EventWatcher(descriptor: ends[0], onChange: { _ in }, onLost: { lost.add(1, ordering: .relaxed) })
        let watcher = try #require(made)
        watcher.stop()
        _ = try await within(5, "the watch to end") { () async -> Bool in
            while !watcher.hasFinished { try? await Task.sleep(for: .milliseconds(10)) }
            return true
        }
        #expect(lost.load(ordering: .relaxed) == 0)
    }
}

@Suite("The control cache")
struct V4L2ControlCacheTests {
    static let listing = """
        brightness 0x00980900 (int)    : min=0 max=255 step=1 default=128 value=100
        auto_exposure 0x009a0901 (menu)   : min=0 max=3 default=3 value=3 (Aperture Priority Mode)
        \t\t\t\t1: Manual Mode
        \t\t\t\t3: Aperture Priority Mode
        exposure_time_absolute 0x009a0902 (int)    : min=3 max=2047 step=1 default=250 value=250 flags=inactive
        """

    @Test("Values are read once; reading them again never reaches the device; writes are read back")
    func readsOnce() throws {
        let device = RecordedV4L2Device(listing: Self.listing)
        let cache = V4L2ControlCache(device: device)
        let reads = device.readCount
        #expect(reads == 3)
        for _ in 0..<100 { _ = cache.value(of: V4L2ControlID.brightness) }
        #expect(device.readCount == reads)
        #expect(cache.value(of: V4L2ControlID.brightness) == 100)
        try cache.write(300, to: V4L2ControlID.brightness)  // the driver clamps
        #expect(cache.value(of: V4L2ControlID.brightness) == 255)
        #expect(throws: V4L2Refusal.self) { try cache.write(100, to: V4L2ControlID.exposureAbsolute) }  // inactive
    }

    @Test("A change elsewhere refreshes the cache and is reported; an unplug is reported once")
    func changesAndUnplug() throws {
        let device = RecordedV4L2Device(listing: Self.listing)
        let cache = V4L2ControlCache(device: device)
        let changed = Atomic<Int>(0), lost = Atomic<Int>(0)
        cache.watch(onChange: { changed.add(1, ordering: .relaxed) }, onLost: { lost.add(1, ordering: .relaxed) })
        try device.externalWrite(42, of: V4L2ControlID.brightness)
        #expect(cache.value(of: V4L2ControlID.brightness) == 42 && changed.load(ordering: .relaxed) == 1)
        try device.externalWrite(42, of: V4L2ControlID.brightness)  // the same value: nothing to report
        #expect(changed.load(ordering: .relaxed) == 1)
        device.unplug()
        device.unplug()
        #expect(lost.load(ordering: .relaxed) == 1)
        #expect(throws: V4L2Refusal.self) { try cache.write(1, to: V4L2ControlID.brightness) }
    }

    @Test("Listings with hostile numbers parse without trapping")
    func hostileListing() {
        let modes = V4L2Listing.modes(
            """
            [0]: 'YUYV' (YUYV 4:2:2)
            \tSize: Discrete 640x480
            \t\tInterval: Discrete 0.033s (nan fps)
            \t\tInterval: Discrete 0.033s (inf fps)
            \t\tInterval: Discrete 0.033s (-30.000 fps)
            \t\tInterval: Discrete 0.033s (30.000 fps)
            """)
        #expect(modes == [V4L2Listing.Mode(fourcc: "YUYV", width: 640, height: 480, frameRate: 30)])
    }
}
