// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking
import Synchronization

/// The photo branch of a source: `shutter` (valve) → queue → crop → scale → convert → I420 caps →
/// jpegenc → appsink.
///
/// The shutter is never opened from the caller's thread: ``arm(requiring:)`` asks a probe on the
/// valve's input to open it for the next frame (of the required size), so the photo is always a
/// frame that arrived after the call; a probe on its output closes it again after that one frame.
/// Reconfiguring (size, crop, quality) happens only while the shutter is closed and idle: the
/// source runs one capture at a time.
///
/// An MJPEG camera's frames reach the shutter as the camera's JPEGs (a decoder follows the queue).
/// A photo of exactly such a frame's size needs no crop, scale or encode: the camera's own JPEG is
/// the photo, taken at the shutter's output and never decoded (``takesCameraJPEG``).
///
/// A burst keeps the shutter open for that many consecutive frames. While someone asked for zero
/// shutter lag (``holdFrames()``), the valve's input probe also keeps copies of the newest
/// ``heldFrameLimit`` frames, and a capture may send the newest of them through the closed shutter
/// itself instead of waiting for the next frame.
final class PhotoBranch: Sendable {
    typealias Size = AspectCrop.Size

    let shutter: Element
    private let shutterInput: Pad
    private let shutterOutput: Pad
    private let pipeline: Pipeline
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
        /// Open the shutter for the next frames of this size (any size when `size` is nil).
        var armed: Armed?
        /// The capture the shutter is open for, and for how many more frames.
        var opening: (capture: UInt64, remaining: Int)?
        /// The current capture's frames, once they passed the shutter, with their JPEGs as they come.
        var shots: [Shot] = []
        var captures: UInt64 = 0
        /// The newest frames held (zero shutter lag), oldest first.
        var held: [HeldFrame] = []
        /// Bumped by every caps event: a held frame of an older generation no longer fits the branch.
        var capsGeneration: UInt64 = 0
        /// Frames that reached the branch, photo or not (the stall rule's measure of progress).
        var arrived: UInt64 = 0
        /// The size and quality the branch is set to.
        var configured: (size: Size, quality: Int)?
        var inputWatchers: [(size: Size, result: SharedResult<Void, CaptureFailure>)] = []
    }

    private struct Armed {
        var size: Size?
        var capture: UInt64
        var count: Int
    }

    /// A frame a capture let through: its JPEG is the first delivered after it passed with its
    /// presentation time (jpegenc keeps it); for a source without timestamps, the first after.
    private struct Shot {
        var capture: UInt64
        var presentationTime: UInt64?
        /// The frame's number (its offset), read before encoding.
        var frameNumber: UInt64?
        var jpeg: Sample?
    }

    /// A JPEG and the number of the frame it was made from.
    typealias Taken = (jpeg: Sample, frameNumber: UInt64?)

    /// The most frames held for zero shutter lag.
    static let heldFrameLimit = 3

    /// Whether the shutter sees the camera's JPEGs (an MJPEG camera; the branch decodes after its queue).
    let takesCameraJPEG: Bool

    private let state = Locked(State())
    /// How many want frames held: read per frame before taking the lock, so kept apart from it.
    private let holders = Atomic<Int>(0)

    init(in pipeline: Pipeline) {
        typealias N = PipelineDescription.Name
        // Named apart from `shutter`: a probe below that said `shutter` would capture this local, a
        // reference cycle through the valve's own pad (it leaked every photo branch's valve once).
        let valve = pipeline.canonicalElement(N.shutter), sinkElement = pipeline.canonicalElement(N.photo)
        guard let sink = AppSink(sinkElement), let input = valve.staticPad("sink"), let output = valve.staticPad("src")
        else { preconditionFailure("the canonical pipeline lacks the photo branch") }  // PipelineFileTests
        self.shutter = valve
        self.shutterInput = input
        self.shutterOutput = output
        self.pipeline = pipeline
        self.caps = pipeline.canonicalElement(N.photoCaps)
        self.encoder = pipeline.canonicalElement(N.encoder)
        self.crop = AspectCrop(pipeline.canonicalElement(N.photoCrop))
        self.sinkPad = sinkElement.staticPad("sink")
        // A photo's frame number is read at the shutter, before the decoder: nothing to carry across it.
        let decoder = pipeline.element(named: N.photoDecoder)
        self.takesCameraJPEG = decoder != nil
        self.branchStart = (decoder ?? pipeline.canonicalElement(N.photoCrop)).staticPad("sink")
        sink.setCallbacks(onSample: { [weak self] sample in self?.jpegArrived(sample) })
        input.addVideoCapsProbe { [weak self] width, height in
            self?.state.withLock { state in
                state.input = Size(width: width, height: height)
                state.capsGeneration &+= 1
                state.held.removeAll()  // frames of the old caps cannot follow the new ones
            }
        }
        input.addBufferProbe { [weak self] context in
            guard let self else { return .pass }
            // Copied outside the lock: a large frame's copy must not hold up a capture.
            frameArriving(holders.load(ordering: .relaxed) > 0 ? context.copiedSample() : nil)
            return .pass
        }
        if takesCameraJPEG {
            // Before the output probe below (probes run in the order they were added): the frame the
            // shutter lets through is a copy, so the queue holds no V4L2 buffer (see TrackBranch) and
            // a photo of the camera's own JPEG keeps none either.
            output.addBufferProbe { context in
                context.replaceWithCopy()
                return .pass
            }
        }
        output.addBufferProbe { [weak self] context in
            // Runs before the valve's next chain call: exactly the frames asked for get through.
            guard let self else { return .pass }
            let time = context.presentationTime, number = context.offset
            // The camera's own JPEG, when the photo is of its size: the photo as it is (copied by the
            // probe before this one, so it holds no device buffer), neither decoded nor encoded.
            let cameraJPEG = takesCameraJPEG ? context.sample() : nil
            let taken = state.withLock { state -> Sample? in
                guard let opening = state.opening else { return nil }
                state.opening = opening.remaining > 1 ? (opening.capture, opening.remaining - 1) : nil
                if state.opening == nil { shutter.set("drop", true) }
                let asIs = state.configured.map { $0.size == state.input } == true ? cameraJPEG : nil
                state.shots.append(Shot(capture: opening.capture, presentationTime: time, frameNumber: number, jpeg: asIs))
                return asIs
            }
            guard let taken else { return .pass }
            jpegs.deliver(taken)  // after the shot has it: wakes the capture
            return .drop
        }
    }

    /// On the encoder's thread: a JPEG goes to the first shot still without one that it was made from.
    private func jpegArrived(_ sample: Sample) {
        let time = sample.presentationTime
        state.withLock { state in
            guard let index = state.shots.firstIndex(where: { $0.jpeg == nil && ($0.presentationTime == nil || $0.presentationTime == time) })
            else { return }
            state.shots[index].jpeg = sample
        }
        jpegs.deliver(sample)  // after the shot has it: wakes the capture
    }

    /// On the streaming thread, before the valve sees the frame.
    private func frameArriving(_ copy: Sample?) {
        let ready = state.withLock { state -> [SharedResult<Void, CaptureFailure>] in
            state.arrived &+= 1
            // Checked again under the lock: a hold released meanwhile has cleared the frames.
            if let copy, holders.load(ordering: .relaxed) > 0 {
                if state.held.count == Self.heldFrameLimit { state.held.removeFirst() }
                state.held.append(HeldFrame(sample: copy, capsGeneration: state.capsGeneration))
            }
            if let armed = state.armed, armed.size == nil || armed.size == state.input {
                state.armed = nil
                state.opening = (armed.capture, armed.count)
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

    // MARK: - Zero shutter lag

    /// Keeps the newest frames from now on until the returned hold is released (zero shutter lag):
    /// at most ``heldFrameLimit`` copies in the camera's format.
    func holdFrames() -> FrameHold {
        holders.add(1, ordering: .relaxed)
        return FrameHold { [weak self] in
            guard let self else { return }
            state.withLock { state in
                // Under the lock, so that a frame arriving now sees either the hold or no frames.
                if holders.subtract(1, ordering: .relaxed).newValue == 0 { state.held.removeAll() }
            }
        }
    }

    /// The newest frame held now (zero shutter lag), for a capture queued behind others: taken at
    /// the call, used if the caps have not changed when the capture runs (a mode switch).
    func newestHeld() -> HeldFrame? { state.withLock { $0.held.last } }

    /// Whether frames are being held (for tests).
    var heldFrameCount: Int { state.withLock { $0.held.count } }

    // MARK: - Capturing

    /// Takes `count` consecutive frames (of size `input`, when given) and waits, bounded, for their
    /// JPEGs. With `held`, a single photo is of that frame instead, when it is of the current caps
    /// (`usedHeld` says whether it was).
    /// - Throws: `.timedOut` after `timeout`; `.stalled` as soon as no frame at all has reached the
    ///   branch for `stallBound` (a camera that stopped, as opposed to slow but progressing work).
    /// - Returns: the JPEGs, in frame order, each with the number of its frame.
    func capture(
        requiring input: Size?, count: Int = 1, held: HeldFrame? = nil, timeout: Duration, stallBound: Duration
    ) async throws(SampleHub.Failure) -> (taken: [Taken], usedHeld: Bool) {
        let (capture, held) = state.withLock { state -> (UInt64, Sample?) in
            state.captures &+= 1
            state.shots.removeAll()
            if let held, count == 1, input == nil, held.capsGeneration == state.capsGeneration {
                // The output probe records it as this capture's, as it would a frame let through.
                state.opening = (state.captures, 1)
                return (state.captures, held.sample)
            }
            state.armed = Armed(size: input, capture: state.captures, count: count)
            return (state.captures, nil)
        }
        var pushed = false
        if let held {
            // A blocking push (the stream locks), so on the pipeline's own thread.
            pushed =
                await pipeline.perform(timeout: stallBound) { [shutterOutput, shutterInput] in
                    shutterOutput.push(held, whileHolding: shutterInput)
                } ?? false
            if !pushed {
                // Refused (the caps changed meanwhile, the pipeline stopping): the next frame instead.
                state.withLock { state in
                    state.opening = nil
                    state.shots.removeAll()
                    state.armed = Armed(size: input, capture: capture, count: count)
                }
            }
        }
        return (try await collect(capture, count: count, timeout: timeout, stallBound: stallBound), pushed)
    }

    /// Waits until `capture` has `count` JPEGs.
    private func collect(_ capture: UInt64, count: Int, timeout: Duration, stallBound: Duration) async throws(SampleHub.Failure) -> [Taken] {
        let clock = ContinuousClock(), end = clock.now + timeout
        var seen = state.withLock { $0.arrived }
        while true {
            let after = jpegs.deliveredCount
            let done = state.withLock { state -> [Taken]? in
                let shots = state.shots.filter { $0.capture == capture }
                guard shots.count >= count, shots.allSatisfy({ $0.jpeg != nil }) else { return nil }
                state.shots.removeAll()  // the JPEGs go to the caller, not kept until the next photo
                return shots.prefix(count).compactMap { shot in shot.jpeg.map { ($0, shot.frameNumber) } }
            }
            if let done { return done }
            do {
                _ = try await jpegs.sample(after: after, timeout: max(.zero, min(stallBound, end - clock.now)))
            } catch {
                let arrived = state.withLock { $0.arrived }
                let outcome: SampleHub.Failure? =
                    switch error {
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
                    state.shots.removeAll()
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
            state.held.removeAll()  // the frames' memory goes with the source, not with its last ImageCapture
            defer { state.inputWatchers.removeAll() }
            return state.inputWatchers
        }
        for watcher in watchers { watcher.result.complete(.failure(.incomplete("The source ended."))) }
    }
}
