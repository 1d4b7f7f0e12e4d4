// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// The fake microphone: a live `audiotestsrc` pipeline shared by a track and its clones. Audio
/// tracks have a lifecycle and settings, nothing more.
final class AudioSource: Sendable {
    let device: ResolvedDevice
    private let pipeline: Pipeline
    private let state = Locked((users: Set<UInt64>([0]), next: UInt64(1), onEnded: [UInt64: @Sendable () -> Void](), ended: false))

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
