// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import CTestSupport
import Glibc
import Locking
import TestSupport
import Testing

/// Issue 9, point 4: per-frame work stays what the design promises. The grab path allocates the
/// same per call at the ten-thousandth grab as at the first thousand, and keeps nothing per call.
///
/// The count comes from `Tests/AllocationCounter` (a preload library counting malloc, calloc,
/// realloc and the aligned allocators), so the measurement runs in a child process started with it.
/// Under ASan and TSan the sanitizer owns the allocator; the plain run is where this is checked.
@Suite("Allocation guard", .timeLimit(.minutes(2)))
struct AllocationGuardTests {
    static let isChild = isolatedRun == "allocation-guard"

    @Test(
        "grabFrame allocates as much per call at the 10 000th grab as at the first thousand, and keeps nothing",
        .enabled(if: !isChild && !sanitized))
    func allocationsPerGrabStayConstant() async throws {
        let built = try await runProcess("/bin/bash", [repositoryRoot + "/scripts/build-preload.sh", "allocation-counter"], seconds: 120)
        try #require(built.status == 0, "\(built.stderr)")
        // No heap checks here: the debug allocator's own work would be counted.
        let output = try await runTestChild(
            "allocationGuard_child",
            environment: ["MEDIA_CAPTURE_ISOLATED_TEST=allocation-guard", "LD_PRELOAD=\(built.stdoutText.trimmingCharacters(in: " \n"))"],
            seconds: 100)
        #expect(output.status == 0, "\(output.report)")
        let report = try #require(output.stdoutText.split(separator: "\n").first { $0.hasPrefix("allocation guard:") }, "\(output.report)")
        let numbers = report.split(separator: " ").compactMap { Double($0) }
        try #require(numbers.count == 4, "\(report)")
        let (early, late, heapEarly, heapLate) = (numbers[0], numbers[1], numbers[2], numbers[3])
        // Per grab, grabs 1 001-2 000 against 9 001-10 000 (all threads: the streaming threads'
        // allocations vary with how many frames the source makes per grab, hence the margin).
        #expect(early > 0, "the counter counted nothing: \(report)")
        #expect(late <= early * 1.25 + 2, "allocations per grab grew: \(report)")
        // Bytes the allocator has handed out and not had back: no per-call state may stay.
        #expect(heapLate - heapEarly < 512 * 1024, "the heap grew by \(Int(heapLate - heapEarly)) bytes over 8 000 grabs: \(report)")
    }

    /// In the child: 10 000 grabs on a camera that is not live (no waiting on a frame clock).
    @Test("(allocation guard) child", .enabled(if: isChild))
    func allocationGuard_child() async throws {
        typealias Count = @convention(c) () -> UInt64
        let symbol = try #require(dlsym(nil, "allocation_counter_count"), "LD_PRELOAD the allocation counter")
        let count = unsafeBitCast(symbol, to: Count.self)
        let track = try await openVideo(fakeDevices(FakeCamera(isLive: false, modes: [VideoMode(width: 320, height: 240)])))
        defer { track.stop() }
        let capture = try ImageCapture(track)
        @Sendable func grabs(_ number: Int) async throws -> (perGrab: Double, heap: Double) {
            let before = count()
            for _ in 0..<number { _ = try await capture.grabFrame() }
            let perGrab = Double(count() - before) / Double(number)
            return (perGrab, Double(CTestSupport_allocated_bytes()))
        }
        try await within(60, "10 000 grabs") {
            _ = try await grabs(1000)  // warm-up: caches, pools, the first negotiation
            let early = try await grabs(1000)
            for _ in 0..<7 { _ = try await grabs(1000) }
            let late = try await grabs(1000)
            print("allocation guard: \(early.perGrab) \(late.perGrab) \(early.heap) \(late.heap)")
        }
    }

}
