// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Dispatch

/// A semaphore whose waits always have a deadline. Only for the pipeline's serial queue and other
/// non-cooperative threads: never wait on it from async code.
package final class BlockingSemaphore: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    package init() {}

    package func signal() { semaphore.signal() }

    /// Returns false when the deadline passed first.
    package func wait(milliseconds: Int) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
    }
}
