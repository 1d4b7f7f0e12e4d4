import GStreamerWrapper
import Synchronization

/// One track's branch on the source's tee: `valve ! queue ! videocrop ! videoscale ! videoconvert !
/// appsink` (RGBA). Every track, clones included, has its own, so each can stop and scale on its own.
///
/// The valve (the gate) is open only while someone wants the track's frames (a waiting grab, a frame
/// stream) and for ``linger`` after: an idle track converts nothing. Closing it drops the held frame, so
/// a later grab waits for a fresh one instead of returning a stale one.
final class TrackBranch: Sendable {
    /// How long the gate stays open after the last demand (a grab loop keeps frames coming).
    static let linger = Duration.seconds(2)
    let hub = FrameHub()
    let elements: [Element]
    let sink: AppSink
    private let crop: AspectCrop
    private let gate: Element
    /// Whether the gate is open, and a generation that lets a later demand cancel a pending close.
    private let gateState = Mutex<(open: Bool, generation: UInt64)>((true, 0))
    private let attached = Mutex(false)
    private let size = Mutex<AspectCrop.Size?>(nil)
    /// After a size change, frames still of the old size are skipped until the new size arrives.
    private let awaitedSize = Mutex<AspectCrop.Size?>(nil)

    private init(elements: [Element], sink: AppSink, gateOpen: Bool) {
        self.elements = elements
        self.sink = sink
        self.gate = elements[0]
        self.crop = AspectCrop(elements[2])
        gateState.withLock { $0.open = gateOpen }
        gate.set("drop", !gateOpen)
        hub.observeDemand { [weak self] wanted in self?.demandChanged(wanted) }
    }

    private func demandChanged(_ wanted: Bool) {
        let (open, generation) = gateState.withLock { state -> (Bool, UInt64) in
            state.generation += 1
            defer { if wanted { state.open = true } }
            return (wanted && !state.open, state.generation)
        }
        if open { gate.set("drop", false) }
        guard !wanted else { return }
        Task { [weak self] in
            try? await Task.sleep(for: Self.linger)
            self?.closeGate(ifStill: generation)
        }
    }

    private func closeGate(ifStill generation: UInt64) {
        let close = gateState.withLock { state -> Bool in
            guard state.generation == generation, state.open else { return false }
            state.open = false
            return true
        }
        guard close else { return }
        gate.set("drop", true)
        hub.forgetLatest()  // it will be stale by the time anyone asks
    }

    /// Fixes the track's frame size: whatever mode the source switches to, the branch centre-crops
    /// to this aspect and scales, so consumers never see a size change.
    func setSize(_ size: AspectCrop.Size?) {
        let changed = self.size.withLock { current in
            defer { current = size }
            return current != nil && current != size
        }
        if changed, let size {
            awaitedSize.withLock { $0 = size }
            hub.forgetLatest()
        }
        crop.setTarget(size)
        let caps = size.map { "video/x-raw,format=RGBA,width=\($0.width),height=\($0.height),pixel-aspect-ratio=1/1" }
        sink.element.set("caps", Caps(caps ?? "video/x-raw,format=RGBA"))
    }

    var frameSize: AspectCrop.Size? { size.withLock { $0 } }

    /// The branch the canonical pipeline already contains (`frames-queue` ... `frames`).
    static func canonical(in pipeline: Pipeline) -> TrackBranch {
        typealias N = PipelineDescription.Name
        let names = [N.framesGate, N.framesQueue, N.framesCrop, N.framesScale, N.framesConvert, N.frames]
        let elements = names.map { name in
            guard let element = pipeline.element(named: name) else {
                preconditionFailure("the canonical pipeline has no element named \(name)")  // PipelineFileTests
            }
            return element
        }
        guard let sink = AppSink(elements[5]) else { preconditionFailure("`frames` is not an appsink") }
        let branch = TrackBranch(elements: elements, sink: sink, gateOpen: true)
        branch.attached.withLock { $0 = true }
        branch.installCallbacks()
        return branch
    }

    /// A new branch like the canonical one, not yet in the pipeline. Nil when a plugin is missing.
    static func make(index: UInt64, like template: TrackBranch) -> TrackBranch? {
        let factories = ["valve", "queue", "videocrop", "videoscale", "videoconvert", "appsink"]
        let names = ["frames-gate", "frames-queue", "frames-crop", "frames-scale", "frames-convert", "frames"]
            .map { "\($0)-\(index)" }
        var elements: [Element] = []
        for (factory, name) in zip(factories, names) {
            guard let element = Element(factory: factory, name: name) else { return nil }
            elements.append(element)
        }
        elements[0].set("drop-mode", parsing: "forward-sticky-events")
        let queue = elements[1]
        queue.set("max-size-buffers", UInt32(2))
        queue.set("max-size-bytes", UInt32(0))
        queue.set("max-size-time", UInt64(0))
        queue.set("leaky", parsing: "downstream")
        elements[3].set("add-borders", false)
        guard let sink = AppSink(elements[5]) else { return nil }
        sink.element.set("sync", template.sink.element.bool("sync"))
        sink.element.set("max-buffers", UInt32(1))
        sink.element.set("drop", true)
        let branch = TrackBranch(elements: elements, sink: sink, gateOpen: false)  // opens on demand
        branch.setSize(template.frameSize)
        branch.installCallbacks()
        return branch
    }

    private func installCallbacks() {
        sink.setCallbacks(onSample: { [weak self] sample in
            guard let self else { return }
            if let awaited = self.awaitedSize.withLock({ $0 }) {
                guard let layout = sample.videoLayout, layout.width == awaited.width, layout.height == awaited.height
                else { return }  // a frame from before the size change
                self.awaitedSize.withLock { $0 = nil }
            }
            self.hub.deliver(sample)
        })
    }

    /// Adds the branch to a running pipeline behind `tee`. Blocking: call on the pipeline's queue.
    func attach(to pipeline: Pipeline, tee: Element) -> Bool {
        for element in elements { pipeline.add(element) }
        for (upstream, downstream) in zip(elements, elements.dropFirst()) where !upstream.link(to: downstream) {
            return false
        }
        // Downstream first, so the queue never pushes into an element that is not running yet.
        for element in elements.reversed() where !element.syncStateWithParent() { return false }
        guard let teePad = tee.requestPad("src_%u"), let queueSink = elements[0].staticPad("sink"),
            teePad.link(to: queueSink)
        else { return false }
        attached.withLock { $0 = true }
        return true
    }

    /// Unlinks the branch from the tee while no buffer crosses, stops and removes its elements.
    /// Blocking: call on the pipeline's queue. Safe to call on a branch that never attached.
    func detach(from pipeline: Pipeline, tee: Element?) {
        sink.clearCallbacks()
        hub.end()
        guard attached.withLock({ attached in defer { attached = false }; return attached }) else { return }
        if let queueSink = elements[0].staticPad("sink"), let teePad = queueSink.peer {
            // If the pad never idles (a wedged stream) unlink anyway: the elements are stopped next.
            if !teePad.whenIdle(timeoutMilliseconds: 1000, { teePad.unlink(from: queueSink) }) {
                teePad.unlink(from: queueSink)
            }
            tee?.releaseRequestPad(teePad)
        }
        for element in elements {
            element.setLockedState(true)
            element.setNullState()
            pipeline.remove(element)
        }
    }
}
