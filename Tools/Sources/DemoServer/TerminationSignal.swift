// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import Synchronization

/// Set by the first SIGINT or SIGTERM (async-signal-safe: a lock-free store); a second one ends the process.
private let terminationRequested = Atomic<Bool>(false)

/// Waiting for Ctrl-C or SIGTERM where no HTTP server (which handles them itself) runs.
enum TerminationSignal {
    static func wait() async {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { number in
                terminationRequested.store(true, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
        }
        while !terminationRequested.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(50)) }
    }
}
