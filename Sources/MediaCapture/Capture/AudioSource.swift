// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// The fake microphone: a live `audiotestsrc` pipeline shared by a track and its clones. Audio
/// tracks have a lifecycle and settings; a recording taps the microphone's buffers (``addTap(_:)``).
final class AudioSource: Sendable {
    let device: ResolvedDevice
    private let pipeline: Pipeline
    private let state = Locked((users: Set<UInt64>([0]), next: UInt64(1), onEnded: [UInt64: @Sendable () -> Void](), ended: false))

    /// Receives each buffer the microphone makes, with the clock time it was made at (nanoseconds on
    /// the system's monotonic clock, as every pipeline's), on the microphone's streaming thread.
    typealias Tap = @Sendable (Sample, _ clockTime: UInt64) -> Void

    private final class Taps: Sendable {
        let entries = Locked((taps: [UInt64: Tap](), next: UInt64(0)))
    }

    private let taps = Taps()

    private init(device: ResolvedDevice, pipeline: Pipeline) {
        self.device = device
        self.pipeline = pipeline
    }

    /// - Throws: `.notReadable` (or `.notFound`, `.notAllowed`) when the pipeline cannot start.
    static func open(_ device: ResolvedDevice) async throws(CaptureFailure) -> AudioSource {
        do throws(GStreamerError) {
            let pipeline = try await Pipeline.building(
                canonical: PipelineDescription.fakeMicrophone, name: "microphone", timeout: CaptureTiming.standard.openTimeout)
            let source = AudioSource(device: device, pipeline: pipeline)
            // Every buffer, to the recordings that tap it (a sample is made only while one does).
            let taps = source.taps
            pipeline.element(named: PipelineDescription.Name.microphoneSink)?.staticPad("sink")?.addBufferProbe { [weak pipeline] context in
                let current = taps.entries.withLock { Array($0.taps.values) }
                guard !current.isEmpty, let pipeline, let sample = context.sample(), let running = sample.runningTime,
                    let base = pipeline.baseTime
                else { return .pass }
                for tap in current { tap(sample, base &+ running) }
                return .pass
            }
            pipeline.onMessage { [weak source] message in
                if case .warning = message { return }
                source?.end()
            }
            try await pipeline.play()
            return source
        } catch {
            throw CaptureFailure(opening: device.label, error)
        }
    }

    /// Starts calling `tap` with every buffer; nil when the microphone has ended.
    func addTap(_ tap: @escaping Tap) -> UInt64? {
        guard !state.withLock({ $0.ended }) else { return nil }
        return taps.entries.withLock { entries in
            entries.next += 1
            entries.taps[entries.next] = tap
            return entries.next
        }
    }

    func removeTap(_ id: UInt64) {
        _ = taps.entries.withLock { $0.taps.removeValue(forKey: id) }
    }

    func addUser() -> UInt64? {
        state.withLock { state in
            guard !state.ended else { return nil }
            defer { state.next += 1 }
            state.users.insert(state.next)
            return state.next
        }
    }

    func onEnded(user: UInt64, _ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.onEnded[user] = handler }
    }

    func removeUser(_ user: UInt64) {
        let last = state.withLock { state in
            state.onEnded.removeValue(forKey: user)
            guard state.users.remove(user) != nil, state.users.isEmpty, !state.ended else { return false }
            state.ended = true
            return true
        }
        if last { release() }
    }

    private func end() {
        let handlers = state.withLock { state -> [@Sendable () -> Void]? in
            guard !state.ended else { return nil }
            state.ended = true
            defer { state.onEnded.removeAll() }
            return Array(state.onEnded.values)
        }
        guard let handlers else { return }
        handlers.forEach { $0() }
        release()
    }

    private func release() {
        let pipeline = self.pipeline
        ReleaseTracker.shared.release(device.backend.exclusiveResource ?? "instance:" + Identifiers.random()) {
            pipeline.onMessage { _ in }
            await pipeline.stop()
        }
    }
}
