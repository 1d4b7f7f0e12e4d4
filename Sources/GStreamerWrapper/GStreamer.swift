// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer
import Locking

/// Process-wide GStreamer initialisation: idempotent and thread-safe, because Swift Testing runs
/// tests in parallel and every entry point calls it.
package enum GStreamer {
    private static let state = Locked(State.uninitialised)
    private enum State { case uninitialised, initialised, deinitialised }

    /// Initialises GStreamer once. The corresponding C function is `gst_init`.
    package static func initialize() {
        state.withLock { state in
            guard state == .uninitialised else { return }
            gst_init(nil, nil)
            state = .initialised
        }
    }

    /// Frees GStreamer's global state; afterwards no GStreamer call may be made. Only for leak checks
    /// at process exit (the leaks tracer reports what is still alive here).
    /// The corresponding C function is `gst_deinit`.
    package static func deinitialize() {
        state.withLock { state in
            guard state == .initialised else { return }
            gst_deinit()
            state = .deinitialised
        }
    }

    /// Whether an element factory is installed (a plugin may be missing on a given machine).
    package static func hasElement(_ factory: String) -> Bool {
        initialize()
        guard let found = gst_element_factory_find(factory) else { return false }
        gst_object_unref(UnsafeMutableRawPointer(found))
        return true
    }
}
