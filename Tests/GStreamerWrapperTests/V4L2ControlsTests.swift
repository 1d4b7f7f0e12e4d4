import Glibc
import GStreamerWrapper
import TestSupport
import Testing

@Suite("V4L2 control ioctls")
struct V4L2ControlsTests {
    @Test("A descriptor that is not a V4L2 device has no controls, and writes fail with its errno")
    func notAVideoDevice() throws {
        let fd = open("/dev/null", O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(V4L2Controls.describe(fd: fd).isEmpty)
        let fake = V4L2Controls.Description(
            id: 0x0098_0900, type: 1, name: "brightness", minimum: 0, maximum: 255, step: 1, defaultValue: 128,
            flags: 0, menu: [:])
        #expect(V4L2Controls.value(fd: fd, of: fake) == nil)
        #expect(V4L2Controls.set(fd: fd, fake, to: 1) == ENOTTY)
    }

    @Test("A real camera lists its controls and reads them (nothing is written)",
          .enabled(if: access("/dev/video0", R_OK) == 0, "no camera at /dev/video0"))
    func realCamera() throws {
        let fd = open("/dev/video0", O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        let controls = V4L2Controls.describe(fd: fd)
        #expect(!controls.isEmpty)
        for control in controls where control.type == 1 || control.type == 2 || control.type == 3 {
            if let value = V4L2Controls.value(fd: fd, of: control) {
                #expect(value >= control.minimum && value <= control.maximum, "\(control.name)")
            }
        }
    }
}

@Suite("V4L2 control events")
struct V4L2EventWatcherTests {
    @Test("A node without control events is not watched (no thread left behind)")
    func notAVideoDevice() {
        #expect(V4L2EventWatcher(path: "/dev/null", controls: [0x0098_0900]) { _ in } == nil)
        #expect(V4L2EventWatcher(path: "/dev/video99", controls: [0x0098_0900]) { _ in } == nil)
    }
}

@Suite("Blocking calls")
struct BlockingCallTests {
    @Test("A call past its deadline gives nil at the deadline; one in time gives its value")
    func deadline() async {
        let clock = ContinuousClock()
        let start = clock.now
        let late: Int? = await BlockingCall.run(timeout: .milliseconds(200)) {
            usleep(2_000_000)  // a provider that hangs for 2 s
            return 1
        }
        #expect(late == nil)
        #expect(clock.now - start < .seconds(1))
        #expect(await BlockingCall.run(timeout: .seconds(5)) { 42 } == 42)
    }
}
