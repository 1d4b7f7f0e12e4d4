// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking
import Synchronization

/// Runs changes on a source's streaming thread, between two of its frames.
///
/// An element property that a caps query reads (a crop's margins, a capsfilter's caps), set from
/// another thread while the source renegotiates from its own, can change between the two halves of
/// one query: the query then finds no size at all, and the source ends with not-negotiated. Changes
/// made here cannot overlap the source's own negotiation. Waits are bounded (a stalled source
/// negotiates nothing meanwhile, so the change then runs where it was asked), and end at once when
/// the source ends.
final class FrameBoundary: Sendable {
    /// Dropped when the source ends: a probe still pending holds what its change captured, and this
    /// reference would keep the pad, and through it those objects, alive past the pipeline.
    private let output: Locked<Pad?>
    private let timeout: Duration
    private let waits = Locked<(next: UInt64, races: [UInt64: Waiter<Bool>], ended: Bool)>((0, [:], false))

    /// - Parameter output: the source's output pad (nil: changes run at once).
    init(output: Pad?, timeout: Duration) {
        self.output = Locked(output)
        self.timeout = timeout
    }

    /// Runs `body` before the source's next frame goes downstream, and waits for it.
    func run(_ body: @escaping @Sendable () -> Void) async {
        guard let output = output.withLock({ $0 }), !waits.withLock({ $0.ended }) else { return body() }
        let once = RunOnce(body)
        let applied = await Waiter<Bool>.run(timeout: timeout) { race in
            let id: UInt64? = waits.withLock { waits in
                guard !waits.ended else { return nil }
                waits.next += 1
                waits.races[waits.next] = race
                return waits.next
            }
            guard let id else {
                race.resume(false)
                return
            }
            output.addBufferProbe { [weak self] _ in
                once.run()
                race.resume(true)
                _ = self?.waits.withLock { $0.races.removeValue(forKey: id) }
                return .passAndRemove
            }
        }
        if applied != true { once.run() }
    }

    /// Runs `body` before the source's next frame, without waiting (a mode switch's caps).
    func schedule(_ body: @escaping @Sendable () -> Void) {
        guard let output = output.withLock({ $0 }) else { return body() }
        output.addBufferProbe { _ in
            body()
            return .passAndRemove
        }
    }

    /// The source ended: nothing waits for its next frame any more. Idempotent.
    func end() {
        let pad = output.withLock { output in
            defer { output = nil }
            return output
        }
        _ = pad  // released outside the lock
        let races = waits.withLock { waits in
            waits.ended = true
            defer { waits.races.removeAll() }
            return Array(waits.races.values)
        }
        for race in races { race.resume(false) }
    }
}

/// Runs a body the first time it is asked to, from whichever thread asks first.
final class RunOnce: Sendable {
    private let body: @Sendable () -> Void
    private let done = Atomic<Bool>(false)
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    func run() {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        body()
    }
}
