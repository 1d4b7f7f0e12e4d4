internal import GStreamerWrapper
import Locking

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

    let shutter: Element
    private let caps: Element
    private let encoder: Element
    private let crop: AspectCrop
    let sinkPad: Pad?
    /// Where the branch's own thread (its queue's) takes each frame over; for ``installTiming()``.
    let branchStart: Pad?
    /// The encoded photos. A capture takes the JPEG of its own shutter opening (see ``Shot``), never
    /// "the next one": a pass that made no JPEG, or one that came after its capture gave up, would
    /// otherwise give every later photo an older frame.
    let jpegs = SampleHub()

    private struct State {
        /// The size of the frames reaching the shutter.
        var input: Size?
        /// Open the shutter for the next frame of this size (any size when `size` is nil).
        var armed: Armed?
        /// The capture the shutter is open for, between its input probe and its output probe.
        var opening: UInt64?
        /// The last capture's frame, once it passed the shutter.
        var shot: Shot?
        var captures: UInt64 = 0
        /// Frames that reached the branch, photo or not (the stall rule's measure of progress).
        var arrived: UInt64 = 0
        /// The size and quality the branch is set to.
        var configured: (size: Size, quality: Int)?
        var inputWatchers: [(size: Size, result: SharedResult<Void, CaptureFailure>)] = []
    }

    private struct Armed {
        var size: Size?
        var capture: UInt64
    }

    /// The frame a capture let through: its JPEG is the first delivered after `jpegsBefore` with its
    /// presentation time (jpegenc keeps it); for a source without timestamps, the first after.
    private struct Shot {
        var capture: UInt64
        var presentationTime: UInt64?
        /// The frame's number (its offset), read before encoding.
        var frameNumber: UInt64?
        var jpegsBefore: UInt64

        func madeJPEG(_ delivery: SampleHub.Delivery) -> Bool {
            delivery.sequence > jpegsBefore
                && (presentationTime == nil || delivery.sample.presentationTime == presentationTime)
        }
    }

    private let state = Locked(State())

    init(in pipeline: Pipeline) {
        typealias N = PipelineDescription.Name
        // Named apart from `shutter`: a probe below that said `shutter` would capture this local, a
        // reference cycle through the valve's own pad (it leaked every photo branch's valve once).
        let valve = pipeline.canonicalElement(N.shutter), sinkElement = pipeline.canonicalElement(N.photo)
        guard let sink = AppSink(sinkElement), let input = valve.staticPad("sink"), let output = valve.staticPad("src")
        else { preconditionFailure("the canonical pipeline lacks the photo branch") }  // PipelineFileTests
        self.shutter = valve
        self.caps = pipeline.canonicalElement(N.photoCaps)
        self.encoder = pipeline.canonicalElement(N.encoder)
        self.crop = AspectCrop(pipeline.canonicalElement(N.photoCrop))
        self.sinkPad = sinkElement.staticPad("sink")
        self.branchStart = pipeline.canonicalElement(N.photoCrop).staticPad("sink")
        sink.setCallbacks(onSample: { [weak self] sample in self?.jpegs.deliver(sample) })
        input.addVideoCapsProbe { [weak self] width, height in
            self?.state.withLock { $0.input = Size(width: width, height: height) }
        }
        input.addBufferProbe { [weak self] _ in
            self?.frameArriving()
            return .pass
        }
        output.addBufferProbe { [weak self] context in
            // Runs before the valve's next chain call: exactly one frame gets through.
            guard let self else { return .pass }
            shutter.set("drop", true)
            let time = context.presentationTime, number = context.offset, before = jpegs.deliveredCount
            state.withLock { state in
                guard let capture = state.opening else { return }
                state.opening = nil
                state.shot = Shot(capture: capture, presentationTime: time, frameNumber: number, jpegsBefore: before)
            }
            return .pass
        }
    }

    /// On the streaming thread, before the valve sees the frame.
    private func frameArriving() {
        let ready = state.withLock { state -> [SharedResult<Void, CaptureFailure>] in
            state.arrived &+= 1
            if let armed = state.armed, armed.size == nil || armed.size == state.input {
                state.armed = nil
                state.opening = armed.capture
                shutter.set("drop", false)  // under the lock that decided it
            }
            var ready: [SharedResult<Void, CaptureFailure>] = []
            state.inputWatchers.removeAll { watcher in
                guard watcher.size == state.input else { return false }
                ready.append(watcher.result)
                return true
            }
            return ready
        }
        for result in ready { result.complete(.success(())) }
    }

    /// Whether ``configure(size:quality:)`` would change anything.
    func isConfigured(size: Size, quality: Int) -> Bool {
        state.withLock { $0.configured?.size == size && $0.configured?.quality == quality }
    }

    /// Sets the photo's size (centre-cropped to its aspect, then scaled) and JPEG quality.
    /// Only between captures.
    func configure(size: Size, quality: Int) {
        // Unchanged settings touch nothing: new caps would renegotiate the branch for every photo.
        let changed = state.withLock { state in
            defer { state.configured = (size, quality) }
            return state.configured?.size != size || state.configured?.quality != quality
        }
        guard changed else { return }
        crop.setTarget(size)
        caps.set("caps", Caps("video/x-raw,format=I420,width=\(size.width),height=\(size.height),pixel-aspect-ratio=1/1"))
        encoder.set("quality", Int32(quality))
    }

    /// Takes the next frame (of size `input`, when given) and waits, bounded, for its JPEG.
    /// - Throws: `.timedOut` after `timeout`; `.stalled` as soon as no frame at all has reached the
    ///   branch for `stallBound` (a camera that stopped, as opposed to slow but progressing work).
    /// - Returns: the JPEG and the number of the frame it was made from.
    func capture(
        requiring input: Size?, timeout: Duration, stallBound: Duration
    ) async throws(SampleHub.Failure) -> (jpeg: Sample, frameNumber: UInt64?) {
        let capture = state.withLock { state -> UInt64 in
            state.captures &+= 1
            state.armed = Armed(size: input, capture: state.captures)
            return state.captures
        }
        let clock = ContinuousClock(), end = clock.now + timeout
        var seen = state.withLock { $0.arrived }
        var after = jpegs.deliveredCount  // JPEGs delivered before the call are not this capture's
        while true {
            do {
                let delivery = try await jpegs.sample(after: after, timeout: max(.zero, min(stallBound, end - clock.now)))
                after = delivery.sequence
                let shot = state.withLock { state in state.shot.flatMap { $0.capture == capture && $0.madeJPEG(delivery) ? $0 : nil } }
                if let shot { return (delivery.sample, shot.frameNumber) }
                continue  // an earlier capture's JPEG, come late
            } catch {
                let arrived = state.withLock { $0.arrived }
                let outcome: SampleHub.Failure? = switch error {
                case .timedOut where clock.now >= end: .timedOut
                case .timedOut where arrived == seen: .stalled
                case .timedOut: nil  // frames come, only not the photo yet: wait on
                default: error
                }
                guard let outcome else {
                    seen = arrived
                    continue
                }
                state.withLock { state in
                    state.armed = nil
                    state.opening = nil
                    shutter.set("drop", true)
                }
                throw outcome
            }
        }
    }

    /// Waits, bounded, until a frame of `size` reaches the photo branch (the source switched modes).
    func waitForInput(_ size: Size, timeout: Duration) async -> Bool {
        let result = SharedResult<Void, CaptureFailure>(cancelled: .cancelled())
        state.withLock { $0.inputWatchers.append((size, result)) }
        let deadline = Deadlines.shared.schedule(after: timeout) {
            result.complete(.failure(.incomplete("No frame of \(size.width)x\(size.height) within \(timeout).")))
        }
        defer { Deadlines.shared.cancel(deadline) }
        do {
            try await result.value()
            return true
        } catch {
            state.withLock { state in state.inputWatchers.removeAll { $0.result === result } }
            return false
        }
    }

    /// The source is about to switch modes (see ``AspectCrop/prepareForNewInput()``).
    func prepareForNewInput() { crop.prepareForNewInput() }

    /// The size of the frames the source delivers now.
    var inputSize: Size? { state.withLock { $0.input } }

    func end() {
        jpegs.end()
        let watchers = state.withLock { state in
            defer { state.inputWatchers.removeAll() }
            return state.inputWatchers
        }
        for watcher in watchers { watcher.result.complete(.failure(.incomplete("The source ended."))) }
    }
}
