// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
@testable import GStreamerWrapper
import Locking
import TestSupport
import Testing

/// The one wait primitive: every wait in the library ends through it, exactly once.
@Suite("Waiter", .timeLimit(.minutes(1)))
struct WaiterTests {
    @Test("A value handed over before the wait is returned at once; one during the wait ends it")
    func value() async throws {
        let early = Waiter<Int>()
        #expect(early.resume(1))
        #expect(!early.resume(2))  // only the first counts
        #expect(try await within(5) { await early.wait(timeout: .seconds(30)) } == 1)

        let late = Waiter<Int>()
        Task {
            try? await Task.sleep(for: .milliseconds(50))
            late.resume(3)
        }
        #expect(try await within(5) { await late.wait(timeout: .seconds(30)) } == 3)
    }

    @Test("The deadline, counted from the wait, gives nil after onExpiry ran once; a later value is refused")
    func deadline() async throws {
        let waiter = Waiter<Int>()
        try await Task.sleep(for: .milliseconds(150))  // not counted: the wait has not started
        let expired = Locked(0)
        let clock = ContinuousClock(), started = clock.now
        let result = try await within(5) { await waiter.wait(timeout: .milliseconds(100), onExpiry: { expired.withLock { $0 += 1 } }) }
        #expect(result == nil && clock.now - started >= .milliseconds(100))
        #expect(expired.withLock { $0 } == 1)  // before the wait returned
        #expect(!waiter.resume(4) && waiter.isSettled)
    }

    @Test("A value or a cancellation that ends the wait cancels its deadline, and onExpiry never runs")
    func noTimerLeft() async throws {
        let before = Deadlines.shared.pendingCount
        let expired = Locked(0)
        let onExpiry: @Sendable () -> Void = { expired.withLock { $0 += 1 } }
        for round in 0..<50 {
            let waiter = Waiter<Int>()
            let task = Task { await waiter.wait(timeout: .seconds(3600), cancelled: -1, onExpiry: onExpiry) }
            if round % 2 == 0 { waiter.resume(round) } else { task.cancel() }
            #expect(try await within(5) { await task.value } == (round % 2 == 0 ? round : -1))
        }
        #expect(Deadlines.shared.pendingCount <= before)
        #expect(expired.withLock { $0 } == 0)
    }

    @Test("Cancellation settles with the given value; without one it is ignored until a value comes")
    func cancellation() async throws {
        let cancellable = Waiter<Int>()
        let task = Task { await cancellable.wait(cancelled: -1) }
        try await Task.sleep(for: .milliseconds(20))
        task.cancel()
        #expect(try await within(5) { await task.value } == -1)
        #expect(!cancellable.resume(5))

        let stubborn = Waiter<Int>()
        let other = Task { await stubborn.wait() }
        other.cancel()
        try await Task.sleep(for: .milliseconds(50))
        #expect(!stubborn.isSettled)
        stubborn.resume(6)
        #expect(try await within(5) { await other.value } == 6)

        let before = Waiter<Int>()  // cancelled before it waits
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await before.wait(timeout: .seconds(30), cancelled: -2)
        }
        #expect(try await within(5) { await early.value } == -2)
    }

    @Test("Values, deadlines and cancellations racing from many threads: each wait ends exactly once, with one of them")
    func races() async throws {
        let violations = Locked<[String]>([])
        for round in 0..<2000 {
            let waiter = Waiter<Int>()
            let winners = Locked<[Int]>([]), tries = Locked(0)
            let task = Task { await waiter.wait(timeout: .microseconds(200), cancelled: -1) }
            for value in 0..<3 {
                _ = DetachedThread.start {
                    if waiter.resume(value) { winners.withLock { $0.append(value) } }
                    tries.withLock { $0 += 1 }
                }
            }
            if round % 2 == 0 { task.cancel() }
            let outcome = try await within(5) { await task.value }
            // The resumers may still be running: wait until every one has tried.
            try await within(5) { while tries.withLock({ $0 }) < 3 { try await Task.sleep(for: .microseconds(100)) } }
            let won = winners.withLock { $0 }
            // One value won and it is what the wait returned, or none did and the wait got nil or -1.
            let consistent = won.count == 1 ? outcome == won[0] : (won.isEmpty && (outcome == nil || outcome == -1))
            if !consistent { violations.withLock { $0.append("round \(round): \(won) winners, outcome \(String(describing: outcome))") } }
        }
        #expect(violations.withLock { $0 }.isEmpty, "\(violations.withLock { $0.prefix(5) })")
    }
}
