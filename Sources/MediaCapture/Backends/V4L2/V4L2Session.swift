// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking
internal import V4L2

/// One opening of a V4L2 camera, live or recorded: its controls are attached once the pipeline streams
/// and detached before the pipeline lets the device go. Every device call runs on the opening's own
/// thread (a `BlockingQueue`), one at a time; settings are served from the control cache.
final class V4L2Session: DeviceSession {
    private let label: String
    private let makeDevice: @Sendable () -> (any V4L2ControlDevice)?
    private let attached = Locked<V4L2ControlBackend?>(nil)
    /// The device's thread, from `start` to `stop`.
    private let calls = Locked<BlockingQueue?>(nil)

    /// How long one device call may take before the device counts as not answering.
    static let callTimeout = CaptureTiming.deviceCallTimeout

    /// - Parameter makeDevice: the device's ioctl surface, called once the pipeline streams (nil: none);
    ///   it must not do I/O itself.
    init(label: String, makeDevice: @escaping @Sendable () -> (any V4L2ControlDevice)?) {
        self.label = label
        self.makeDevice = makeDevice
    }

    var controls: (any ControlBackend)? { attached.withLock { $0 } }

    /// The control backend, for tests and the recorded device's hooks.
    var v4l2Controls: V4L2ControlBackend? { attached.withLock { $0 } }

    func start(onControlsChanged: @escaping @Sendable () -> Void, onLost: @escaping @Sendable (String) -> Void) async {
        guard let device = makeDevice() else { return }  // no I/O: it only takes the descriptor
        let label = self.label
        let queue = BlockingQueue(name: "v4l2")
        calls.withLock { $0 = queue }
        // Describing and reading every control, and subscribing to its events, is device I/O: on the
        // device's thread, bounded.
        let made = await queue.perform(timeout: Self.callTimeout) { () -> V4L2ControlCache in
            let cache = V4L2ControlCache(device: device)
            cache.watch(
                onChange: onControlsChanged,
                onLost: {
                    onLost("\(label) was disconnected. Reconnect it and open a new track with getUserMedia.")
                })
            return cache
        }
        guard let made else {
            // The driver did not answer: the camera streams without controls, and the device object
            // lets the descriptor go once its stuck call returns (queued behind it, never beside it).
            if !queue.async({ device.close() }) { device.close() }  // a finished queue ran nothing
            queue.finish()
            calls.withLock { $0 = nil }
            return
        }
        attached.withLock { $0 = V4L2ControlBackend(made, calls: queue) }
    }

    func stop() async {
        // Before the pipeline closes the descriptor: no ioctl may reach a closed or reused one. The
        // close runs after the calls queued before it; the wait for it is bounded (a stuck call makes
        // the queue wedged, and the close then runs when that call returns).
        guard let queue = calls.withLock({ $0 }) else { return }
        if let controls = attached.withLock({ $0 }) {
            queue.async { controls.cache.device.close() }
            _ = await queue.perform(timeout: Self.callTimeout) {}
        }
        queue.finish()
    }

    var photoExtras: PhotoExtras { PhotoExtras(fillLightModes: v4l2Controls?.fillLightModes ?? []) }

    func prepareLight(_ mode: FillLightMode?) async throws(CaptureFailure) -> LightRestore? {
        guard mode == .flash, let controls = v4l2Controls else { return nil }
        return try await controls.fireFlash()
    }

    func restoreLight(_ restore: LightRestore) async {
        await v4l2Controls?.restoreLED(restore)
    }
}
