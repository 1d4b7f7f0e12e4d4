// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import CTestSupport
import Glibc
@testable import GStreamerWrapper
import Locking
import TestSupport
import Testing

@Suite("Blocking calls", .timeLimit(.minutes(1)))
struct BlockingCallTests {
    @Test("A call past its deadline gives nil at the deadline; one in time gives its value")
    func deadline() async throws {
        let late: Int? = try await within(1, "the deadline") {
            await BlockingCall.run(timeout: .milliseconds(200)) {
                usleep(2_000_000)  // a provider that hangs for 2 s
                return 1
            }
        }
        #expect(late == nil)
        #expect(await BlockingCall.run(timeout: .seconds(5)) { 42 } == 42)
    }

    @Test("A call that finishes in time cancels its deadline (none is left pending)")
    func deadlineCancelled() async throws {
        let before = Deadlines.shared.pendingCount
        for _ in 0..<20 { #expect(await BlockingCall.run(timeout: .seconds(3600)) { 7 } == 7) }
        #expect(Deadlines.shared.pendingCount <= before)
    }

    @Test("Deadlines fire in order, once each; a cancelled one never fires")
    func deadlinesFire() async throws {
        let fired = Locked<[Int]>([])
        let cancelled = Deadlines.shared.schedule(after: .milliseconds(30)) { fired.withLock { $0.append(0) } }
        Deadlines.shared.schedule(after: .milliseconds(80)) { fired.withLock { $0.append(2) } }
        Deadlines.shared.schedule(after: .milliseconds(40)) { fired.withLock { $0.append(1) } }
        Deadlines.shared.cancel(cancelled)
        try await within(5, "the deadlines") { () async -> Void in
            while fired.withLock({ $0.count }) < 2 { try? await Task.sleep(for: .milliseconds(5)) }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(fired.withLock { $0 } == [1, 2])
    }
}

@Suite("Callbacks read on hot paths", .timeLimit(.minutes(1)))
struct CallbackSlotTests {
    @Test("Reading a stored handler 100 000 times keeps its call depth and allocates nothing that stays")
    func constantCallDepth() {
        let depths = Locked<(first: Int, last: Int)>((0, 0))
        let slot = CallbackSlot<Int> { index in
            let depth = Int(CTestSupport_stack_depth(512))
            depths.withLock { depths in
                if index == 0 { depths.first = depth }
                depths.last = depth
            }
        }
        let before = CTestSupport_allocated_bytes()
        for index in 0..<100_000 { slot(index) }
        let grown = Int(CTestSupport_allocated_bytes()) - Int(before)
        let (first, last) = depths.withLock { $0 }
        #expect(first > 0 && last == first, "call depth grew from \(first) to \(last) frames")
        // The pattern this replaces grew by hundreds of bytes per read (two thunk contexts each).
        #expect(grown < 64 * 1024, "\(grown) bytes stayed allocated after 100 000 reads")
    }
}
