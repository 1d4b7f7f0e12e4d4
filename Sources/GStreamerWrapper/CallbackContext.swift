// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// A Swift object given to GStreamer as a C callback's context: retained for C, borrowed in each
/// callback, released by the destroy notify.
///
/// GStreamer hands the context between threads under GLib's locks, which are futexes
/// ThreadSanitizer does not see; each step here tells it of the hand-off, so that the context's
/// fields, set on the thread that installed the callback, are not reported as racing the
/// streaming thread that reads them.
package enum CallbackContext {
    /// One reference for C, published to the threads that will call back.
    package static func retain(_ object: AnyObject) -> UnsafeMutableRawPointer {
        let pointer = Unmanaged.passRetained(object).toOpaque()
        ThreadSanitizer.release(pointer)
        return pointer
    }

    /// The object behind a callback's context, for the duration of `body`.
    package static func borrow<Object: AnyObject, Result>(
        _ pointer: UnsafeMutableRawPointer, as type: Object.Type, _ body: (Object) -> Result
    ) -> Result {
        ThreadSanitizer.acquire(pointer)
        defer { ThreadSanitizer.release(pointer) }
        return body(Unmanaged<Object>.fromOpaque(pointer).takeUnretainedValue())
    }

    /// The destroy notify: gives C's reference back, after every callback that used it.
    package static func release<Object: AnyObject>(_ pointer: UnsafeMutableRawPointer, as type: Object.Type) {
        ThreadSanitizer.acquire(pointer)
        Unmanaged<Object>.fromOpaque(pointer).release()
    }
}
