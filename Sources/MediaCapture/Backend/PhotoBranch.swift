import GStreamerWrapper
import Synchronization

/// The photo branch of a source: `shutter` (valve) → queue → crop → scale → convert → I420 caps →
/// jpegenc → appsink.
///
/// The shutter is never opened from the caller's thread: ``arm(requiring:)`` asks a probe on the
/// valve's input to open it for the next frame (of the required size), so the photo is always a
/// frame that arrived after the call; a probe on its output closes it again after that one frame.
/// Reconfiguring (size, crop, quality) happens only while the shutter is closed and idle: the
/// source runs one capture at a time.
final class PhotoBranch: Sendable {
    typealias Size = AspectCrop.Size

    private let shutter: Element
    private let caps: Element
    private let encoder: Element
    private let crop: AspectCrop
    /// The encoded photos; a JPEG's sequence number is the number of the shutter pass that made it.
    let hub = FrameHub()

    private struct State {
        /// The size of the frames reaching the shutter.
        var input: Size?
        /// Open the shutter for the next frame of this size (any size when `size` is nil).
        var armed: Armed?
        var passes: UInt64 = 0
        /// When the last frame passed the shutter (for the benchmarks' processing time).
        var lastPass: ContinuousClock.Instant?
        var inputWatchers: [(size: Size, result: SharedResult<Void>)] = []
    }

    private struct Armed {
        var size: Size?
    }

    private let state = Mutex(State())
    /// From the frame passing the shutter to its JPEG reaching Swift, for the last photo.
    let lastProcessingTime = Mutex<(inPipeline: Duration, toSwift: Duration)?>(nil)
    private let arrived = Mutex<ContinuousClock.Instant?>(nil)

    init(in pipeline: Pipeline) {
        typealias N = PipelineDescription.Name
        guard let shutter = pipeline.element(named: N.shutter), let caps = pipeline.element(named: N.photoCaps),
            let encoder = pipeline.element(named: N.encoder), let crop = pipeline.element(named: N.photoCrop),
            let sinkElement = pipeline.element(named: N.photo), let sink = AppSink(sinkElement),
            let input = shutter.staticPad("sink"), let output = shutter.staticPad("src")
        else { preconditionFailure("the canonical pipeline lacks the photo branch") }  // PipelineFileTests
        self.shutter = shutter
        self.caps = caps
        self.encoder = encoder
        self.crop = AspectCrop(crop)
        sink.setCallbacks(onSample: { [weak self] sample in
            self?.arrived.withLock { $0 = .now }
            self?.hub.deliver(sample)
        })
        input.addVideoCapsProbe { [weak self] width, height in
            self?.state.withLock { $0.input = Size(width: width, height: height) }
        }
        input.addBufferProbe { [weak self] _ in
            self?.frameArriving()
            return .pass
        }
        output.addBufferProbe { [weak self] _ in
            // Runs before the valve's next chain call: exactly one frame gets through.
            self?.shutter.set("drop", true)
            self?.state.withLock { state in
                state.passes += 1
                state.lastPass = .now
            }
            return .pass
        }
    }

    /// On the streaming thread, before the valve sees the frame.
    private func frameArriving() {
        let (open, ready) = state.withLock { state -> (Bool, [SharedResult<Void>]) in
            var open = false
            if let armed = state.armed, armed.size == nil || armed.size == state.input {
                open = true
                state.armed = nil
            }
            var ready: [SharedResult<Void>] = []
            state.inputWatchers.removeAll { watcher in
                guard watcher.size == state.input else { return false }
                ready.append(watcher.result)
                return true
            }
            return (open, ready)
        }
        if open { shutter.set("drop", false) }
        for result in ready { result.complete(.success(())) }
    }

    /// Sets the photo's size (centre-cropped to its aspect, then scaled) and JPEG quality.
    /// Only between captures.
    func configure(size: Size, quality: Int) {
        crop.setTarget(size)
        caps.set("caps", Caps("video/x-raw,format=I420,width=\(size.width),height=\(size.height),pixel-aspect-ratio=1/1"))
        encoder.set("quality", Int32(quality))
    }

    /// Takes the next frame (of size `input`, when given) and waits, bounded, for its JPEG.
    func capture(requiring input: Size?, timeout: Duration) async throws(FrameHub.Failure) -> Sample {
        let pass = state.withLock { state -> UInt64 in
            state.armed = Armed(size: input)
            return state.passes + 1
        }
        do {
            let sample = try await hub.frame(after: pass - 1, timeout: timeout).sample
            let now = ContinuousClock.now
            if let passed = state.withLock({ $0.lastPass }), let arrived = arrived.withLock({ $0 }) {
                lastProcessingTime.withLock { $0 = (arrived - passed, now - passed) }
            }
            return sample
        } catch {
            state.withLock { $0.armed = nil }
            shutter.set("drop", true)
            throw error
        }
    }

    /// Waits, bounded, until a frame of `size` reaches the photo branch (the source switched modes).
    func waitForInput(_ size: Size, timeout: Duration) async -> Bool {
        let result = SharedResult<Void>()
        state.withLock { $0.inputWatchers.append((size, result)) }
        let deadline = Task {
            try? await Task.sleep(for: timeout)
            result.complete(.failure(DOMException(.timeoutError)))
        }
        defer { deadline.cancel() }
        do {
            try await result.value()
            return true
        } catch {
            state.withLock { state in state.inputWatchers.removeAll { $0.result === result } }
            return false
        }
    }

    /// The size of the frames the source delivers now.
    var inputSize: Size? { state.withLock { $0.input } }

    func end() {
        hub.end()
        let watchers = state.withLock { state in
            defer { state.inputWatchers.removeAll() }
            return state.inputWatchers
        }
        for watcher in watchers { watcher.result.complete(.failure(DOMException(.unknownError, "The source ended."))) }
    }
}
