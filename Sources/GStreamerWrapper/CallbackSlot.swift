// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking
import Synchronization

/// A replaceable callback that GStreamer threads read, possibly on every frame.
///
/// The closure lives in a class box set once per replacement. A bare function type in a `Mutex`, read
/// with `withLock { $0 }`, is written back re-abstracted through the generic `inout` and gains a pair of
/// thunks on every read, so each call gets slower and the process bigger (swiftlang/swift#91348).
package final class CallbackSlot<Argument: Sendable>: Sendable {
    private final class Box: Sendable {
        let body: @Sendable (Argument) -> Void
        init(_ body: @escaping @Sendable (Argument) -> Void) { self.body = body }
    }

    private let box = Locked<Box?>(nil)

    package init(_ body: (@Sendable (Argument) -> Void)? = nil) {
        box.withLock { $0 = body.map(Box.init) }
    }

    /// Replaces the callback (nil: none).
    package func set(_ body: (@Sendable (Argument) -> Void)?) {
        let previous = box.withLock { box in
            defer { box = body.map(Box.init) }
            return box
        }
        _ = previous  // released outside the lock
    }

    /// Calls the current callback, outside the lock; does nothing when there is none.
    package func callAsFunction(_ argument: Argument) {
        box.withLock { $0 }?.body(argument)
    }
}
