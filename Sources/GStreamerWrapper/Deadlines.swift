// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// Fires deadlines from one thread of its own. ``schedule(after:_:)`` returns a token and
/// ``cancel(_:)`` forgets the deadline at once, with everything its action holds.
///
/// Every bounded wait of the library has a deadline, and most end long before it (a frame arrives,
/// a photo is taken). A sleeping task per wait would keep its memory until its sleep ran out, even
/// when cancelled: at a few hundred photos per second with a ten-second deadline, megabytes.
package final class Deadlines: Sendable {
    package static let shared = Deadlines()

    package struct Token: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private final class Entry: Sendable {
        let deadline: ContinuousClock.Instant
        let action: @Sendable () -> Void
        init(deadline: ContinuousClock.Instant, action: @escaping @Sendable () -> Void) {
            self.deadline = deadline
            self.action = action
        }
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var next: UInt64 = 0
        var running = false
        /// When the thread wakes up next by itself: only an earlier deadline needs to wake it.
        var sleepingUntil: ContinuousClock.Instant?
    }

    private let state = Locked(State())
    private let wakeUp = BlockingSemaphore()

    private init() {}

    /// Runs `action` once, on the deadline thread, `delay` from now, unless cancelled first.
    /// The action must be quick (resume a continuation, set a flag).
    @discardableResult
    package func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Token {
        // At most a day: a caller's Duration.seconds(.max) must not overflow the clock.
        let entry = Entry(deadline: .now + min(max(delay, .zero), .seconds(86_400)), action: action)
        let (token, start, wake) = state.withLock { state -> (Token, Bool, Bool) in
            state.next += 1
            state.entries[state.next] = entry
            let start = !state.running
            state.running = true
            let wake = state.sleepingUntil.map { entry.deadline < $0 } ?? false
            return (Token(id: state.next), start, wake)
        }
        if start && !startThread() {
            // No thread to be had: this deadline falls back to a task of its own, and the next
            // schedule tries to start the thread again.
            state.withLock { $0.running = false }
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                self?.fire(token)
            }
        }
        if wake { wakeUp.signal() }
        return token
    }

    /// Forgets a deadline that has not fired; does nothing after it fired.
    package func cancel(_ token: Token) {
        let removed = state.withLock { $0.entries.removeValue(forKey: token.id) }
        _ = removed  // released outside the lock
    }

    /// Deadlines scheduled and neither fired nor cancelled (for tests).
    package var pendingCount: Int { state.withLock { $0.entries.count } }

    private func startThread() -> Bool {
        DetachedThread.start { [self] in run() }
    }

    private func fire(_ token: Token) {
        state.withLock { $0.entries.removeValue(forKey: token.id) }?.action()
    }

    private func run() {
        while true {
            let (due, wait) = state.withLock { state -> ([Entry], Duration) in
                let now = ContinuousClock.now
                var due: [Entry] = []
                var earliest: ContinuousClock.Instant?
                for (id, entry) in state.entries {
                    if entry.deadline <= now {
                        due.append(entry)
                        state.entries[id] = nil
                    } else if earliest.map({ entry.deadline < $0 }) ?? true {
                        earliest = entry.deadline
                    }
                }
                let wait = earliest.map { $0 - now } ?? .seconds(1)
                state.sleepingUntil = now + wait
                return (due, wait)
            }
            for entry in due { entry.action() }
            _ = wakeUp.wait(milliseconds: max(1, min(1000, wait.roundedUpMilliseconds)))
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up (a deadline never fires early).
    fileprivate var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(clamping: seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
