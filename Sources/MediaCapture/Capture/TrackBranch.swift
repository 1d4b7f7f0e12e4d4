// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking

/// The frames branch: one track's branch on the source's tee, built from
/// ``PipelineDescription/framesBranch`` (`valve ! queue ! videocrop ! videoscale ! videoconvert !
/// appsink`, RGBA). Every track, clones included, has its own, so each can stop and scale on its own.
///
/// The valve (the gate) is open only while someone wants the track's frames (a waiting grab, a frame
/// stream) and for a linger after: an idle track converts nothing. Closing it drops the held frame, so
/// a later grab waits for a fresh one instead of returning a stale one. The hub decides it (see
/// ``SampleHub``).
final class TrackBranch: Sendable {
    let hub: SampleHub
    let elements: [Element]
    let sink: AppSink
    private let crop: AspectCrop
    /// Whose clock dates the frames.
    private let pipeline: Pipeline

    private struct Placement {
        /// Elements added to the pipeline (to be removed on detach, even when linking failed).
        var added: [Element] = []
        var teePad: Pad?
        var linked = false
    }

    private let placement = Locked(Placement())

    private struct Sizing {
        var size: AspectCrop.Size?
        /// After a size change, frames still of the old size are skipped until the new size arrives.
        var awaited: AspectCrop.Size?
    }

    private let sizing = Locked(Sizing())

    /// Which frames the branch takes, decided at its entry (the gate's input, before its queue) for
    /// every frame the source sends, whether or not anyone waits: a crop-and-scale track's lower
    /// frame rate keeps frames on a grid of `interval` (by their timestamps), so dropped ones are
    /// never queued or converted, and the source and the other tracks keep their rate. The decisions
    /// are the track's stats, counted while it is enabled.
    private struct Admission {
        var rate: Double?
        var interval: UInt64?
        var next: UInt64?
        var counting = true
        var stats = MediaStreamTrackVideoStats()
    }

    private let admission = Locked(Admission())

    private init(elements: [Element], sink: AppSink, gateOpen: Bool, linger: Duration, pipeline: Pipeline) {
        self.elements = elements
        self.sink = sink
        self.pipeline = pipeline
        guard let crop = elements.first(where: { $0.factoryName == "videocrop" }) else {
            preconditionFailure("the frames branch has no videocrop")  // PipelineFileTests
        }
        self.crop = AspectCrop(crop)
        let gate = elements[0]
        if let decoder = elements.first(where: { $0.factoryName == "jpegdec" }) {
            FrameNumbers.carry(across: decoder)
            // An MJPEG camera's frame is copied past the open gate, before the queue holds it (30 µs
            // for a 1080p JPEG): the V4L2 buffer is back in the driver's pool at once, so a mode switch
            // never finds one held by a queue (the driver would refuse the new format as busy). A
            // closed gate copies nothing.
            gate.staticPad("src")?.addBufferProbe { context in
                context.replaceWithCopy()
                return .pass
            }
        }
        hub = SampleHub(gate: SampleHub.Gate(set: { gate.set("drop", !$0) }, linger: linger), gateOpen: gateOpen)
        gate.staticPad("sink")?.addBufferProbe { [weak self] context in
            self?.admits(context.presentationTime) ?? true ? .pass : .drop
        }
    }

    /// At most `rate` frames a second from now on (nil: every frame).
    func setMaximumFrameRate(_ rate: Double?) {
        let usable = rate.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        admission.withLock { admission in
            admission.rate = usable
            admission.interval = usable.map { UInt64(min(1e9 / $0, 1e18)) }  // a rate of 1e-300 is one frame, ever
            admission.next = nil
        }
    }

    var maximumFrameRate: Double? { admission.withLock { $0.rate } }

    /// The track's frame counters (see ``MediaStreamTrackVideoStats``).
    var stats: MediaStreamTrackVideoStats { admission.withLock { $0.stats } }

    /// Counts frames only while the track is enabled (its stats are frozen while disabled).
    func setCounting(_ counting: Bool) { admission.withLock { $0.counting = counting } }

    /// Whether the frame at `time` is kept, counted as delivered or discarded. A frame due on the grid
    /// (5% early counts, for timestamp jitter) is kept and moves the grid on; after a gap the grid
    /// restarts at that frame.
    private func admits(_ time: UInt64?) -> Bool {
        admission.withLock { admission in
            let kept: Bool
            if let interval = admission.interval, let time {
                if let next = admission.next, time &+ interval / 20 < next {
                    kept = false
                } else {
                    let base = admission.next.map { time > $0 &+ interval ? time : $0 } ?? time
                    admission.next = base &+ interval
                    kept = true
                }
            } else {
                kept = true
            }
            if admission.counting {
                if kept { admission.stats.deliveredFrames &+= 1 } else { admission.stats.discardedFrames &+= 1 }
            }
            return kept
        }
    }

    /// Fixes the track's frame size: whatever mode the source switches to, the branch centre-crops
    /// to this aspect and scales, so consumers never see a size change.
    func setSize(_ size: AspectCrop.Size?) {
        let changed = sizing.withLock { sizing in
            let changed = sizing.size != nil && sizing.size != size
            sizing.size = size
            if changed { sizing.awaited = size }
            return changed
        }
        if changed { hub.forgetLatest() }
        crop.setTarget(size)
        let caps = size.map { "video/x-raw,format=RGBA,width=\($0.width),height=\($0.height),pixel-aspect-ratio=1/1" }
        sink.element.set("caps", Caps(caps ?? "video/x-raw,format=RGBA"))
    }

    var frameSize: AspectCrop.Size? { sizing.withLock { $0.size } }

    /// The source is about to switch modes (see ``AspectCrop/prepareForNewInput()``).
    func prepareForNewInput() { crop.prepareForNewInput() }

    // MARK: - Frames

    /// The frame the branch holds when it is newer than `sequence`, else the next one, at most `timeout`.
    /// - Throws: `.incomplete` when the branch ends or no frame comes in time; `.cancelled` when the
    ///   task is cancelled.
    func frame(after sequence: UInt64, timeout: Duration) async throws(CaptureFailure) -> Frame {
        let delivery: SampleHub.Delivery
        do {
            delivery = try await hub.sample(after: sequence, timeout: timeout)
        } catch {
            switch error {
            case .ended: throw .incomplete("The track ended before a frame arrived.")
            case .timedOut, .stalled: throw .incomplete("The camera delivered no frame within \(timeout); it may have stalled.")
            case .cancelled: throw .cancelled()
            }
        }
        guard let frame = Frame(delivery) else {
            throw .incomplete("The frame is not RGBA; this is a bug in the track's pipeline.")
        }
        return frame
    }

    /// Every frame from now on (each made a ``Frame`` by ``frame(from:)``); a slow consumer gets the
    /// newest. Finishes when the branch ends.
    func deliveries() -> AsyncStream<SampleHub.Delivery> { hub.samples() }

    /// A delivery as a frame (nil when it is not RGBA, a bug of the branch).
    func frame(from delivery: SampleHub.Delivery) -> Frame? { Frame(delivery) }

    /// The size and rate of the frame the branch holds (right after opening: the first one).
    var heldFrameFormat: (width: Int, height: Int, frameRate: Double)? {
        hub.latest?.sample.videoLayout.map { ($0.width, $0.height, $0.frameRate) }
    }

    /// ``PipelineDescription/framesBranch(decoding:)``, read once each (PipelineFileTests keep them
    /// valid): for a tee of raw video, and for a tee of JPEG (a decoder after the queue).
    private static let descriptions = [false, true].map { try? GraphDescription(PipelineDescription.framesBranch(decoding: $0)) }

    /// The branch's elements' names, in order, as the description gives them.
    static func elementNames(decoding: Bool) -> [String] { descriptions[decoding ? 1 : 0]?.nodes.compactMap(\.name) ?? [] }

    /// Whether the branch decodes JPEG (its source's tee carries an MJPEG camera's frames).
    var decodes: Bool { elements.contains { $0.factoryName == "jpegdec" } }

    /// The branch the canonical pipeline already contains (built from the same description).
    static func canonical(in pipeline: Pipeline, linger: Duration) -> TrackBranch {
        let decoding = pipeline.element(named: PipelineDescription.Name.framesDecoder) != nil
        let elements = elementNames(decoding: decoding).map(pipeline.canonicalElement)
        guard let last = elements.last, let sink = AppSink(last) else {
            preconditionFailure("PipelineDescription.framesBranch does not parse, or ends in no appsink")
        }
        let branch = TrackBranch(elements: elements, sink: sink, gateOpen: true, linger: linger, pipeline: pipeline)
        // Part of the parsed graph: detached like any other when its track stops before its clones.
        let teePad = elements[0].staticPad("sink")?.peer
        branch.placement.withLock { $0 = Placement(added: elements, teePad: teePad, linked: true) }
        branch.installCallbacks()
        return branch
    }

    /// A new branch like `template`, built from ``PipelineDescription/framesBranch`` with `-index`
    /// after each name, not yet in the pipeline. Nil when a plugin is missing.
    static func make(index: UInt64, like template: TrackBranch, linger: Duration) -> TrackBranch? {
        let pipeline = template.pipeline
        guard let elements = try? descriptions[template.decodes ? 1 : 0]?.makeChain(nameSuffix: "-\(index)"),
            let last = elements.last, let sink = AppSink(last)
        else { return nil }
        // The one difference from the description: added to a playing pipeline, a sink that waited
        // for preroll would make the pipeline lose its state (and, with several added at once, leave
        // some branches without frames).
        sink.element.set("async", false)
        let branch = TrackBranch(elements: elements, sink: sink, gateOpen: false, linger: linger, pipeline: pipeline)  // opens on demand
        branch.setSize(template.frameSize)
        branch.setMaximumFrameRate(template.maximumFrameRate)  // a clone keeps the track's settings
        branch.installCallbacks()
        return branch
    }

    private func installCallbacks() {
        sink.setCallbacks(onSample: { [weak self] sample in
            guard let self else { return }
            // Checked and cleared in one critical section: a size change in between is never lost.
            let current = self.sizing.withLock { sizing -> Bool in
                guard let awaited = sizing.awaited else { return true }
                guard let layout = sample.videoLayout, layout.width == awaited.width, layout.height == awaited.height
                else { return false }  // a frame from before the size change
                sizing.awaited = nil
                return true
            }
            // Stamped here, on the branch's thread, once per frame: a grab of a held frame pays nothing.
            if current { self.hub.deliver(sample, stamp: FrameStamp(sample, of: self.pipeline)) }
        })
    }

    /// Adds the branch to a running pipeline behind `tee`. Blocking: call on the pipeline's queue.
    /// On failure the branch stays recorded as added, so ``detach(from:tee:)`` removes what it added.
    func attach(to pipeline: Pipeline, tee: Element) -> Bool {
        guard let gateSink = elements[0].staticPad("sink") else { return false }
        return placement.withLock { placement in
            var added: [Element] = [], teePad: Pad?
            let linked = pipeline.attachBranch(elements, entry: gateSink, behind: tee, added: &added, teePad: &teePad)
            placement = Placement(added: added, teePad: teePad, linked: linked)
            return linked
        }
    }

    /// Unlinks the branch from the tee while no buffer crosses, stops and removes whatever
    /// ``attach(to:tee:)`` added (all of it, or what it got to before failing). Blocking: call on the
    /// pipeline's queue. Safe on a branch that never attached.
    func detach(from pipeline: Pipeline, tee: Element?) {
        sink.clearCallbacks()
        hub.end()
        let taken = placement.withLock { placement -> Placement in
            defer { placement = Placement() }
            return placement
        }
        if let teePad = taken.teePad {
            if taken.linked, let gateSink = elements[0].staticPad("sink") {
                // If the pad never idles (a wedged stream) unlink anyway: the elements are stopped next.
                if !teePad.whenIdle(timeoutMilliseconds: 1000, { teePad.unlink(from: gateSink) }) {
                    teePad.unlink(from: gateSink)
                }
            }
            tee?.releaseRequestPad(teePad)
        }
        for element in taken.added {
            element.setLockedState(true)
            element.setNullState()
            pipeline.remove(element)
        }
    }

    /// The elements the branch has in a pipeline now (for tests).
    var addedElements: [Element] { placement.withLock { $0.added } }
}
