// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking
import Synchronization

/// The recording branch: one recording of a track, on its source's tee while it runs:
/// `queue [→ jpegdec] → videocrop → videoscale → videoconvert → I420 caps → encoder [→ parser] → muxer → appsink`
/// (jpegdec for an MJPEG camera's JPEGs)
/// (→ filesink for one file; → splitmuxsink, with its own muxer and filesink, for segments).
///
/// Nothing encodes while no recording runs: the branch is attached at start and removed when it ends.
/// Its queue never drops (a frame lost here is a frame missing from the file), and holds up to
/// ``queueTime`` of frames so a slow encoder second does not stall the camera. Frames keep their
/// capture times (the source's timestamps), moved to the recording's own timeline at the branch's
/// entry: the first recorded frame is at 0, and a paused span is cut out. A frame without a timestamp
/// cannot be placed, and is not recorded.
///
/// With a pre-roll (``RecordingProfile/preroll``) the branch is attached with its head alone (queue
/// to encoder) before the recording starts, and keeps the last `preroll` of what it encodes in a ring
/// that begins at a key frame (at most the pre-roll and one key-frame interval: memory about the bit
/// rate times that). ``begin(files:)`` adds the tail (muxer and sink) and the ring goes first, so the
/// recording begins before it was asked for; its timeline starts at the ring's first frame.
///
/// The muxer writes a stream that plays from any cut: WebM/Matroska as it goes (`streamable`), MP4 in
/// fragments of ``fragmentMilliseconds`` (a `moov` first, then `moof`s), so a process killed
/// mid-recording leaves a file that plays up to its last fragment.
final class RecordingBranch: Sendable {
    /// The prefix of every element's name: the source routes its elements' errors to the recording
    /// (see ``Capturer/routeRecordingError(_:)``) instead of ending the camera.
    let name: String
    let profile: RecordingProfile
    /// The head: queue to encoder (and parser).
    private let elements: [Element]
    /// The muxer and what it writes to: made with the branch, or by ``begin(files:)`` when pre-rolling.
    private let tail = Locked<Tail?>(nil)
    /// With audio: appsrc → audioconvert → audioresample → opusenc, into the muxer beside the video.
    private let audioElements: [Element]
    /// Open from the branch's attach until its end of stream: the microphone's buffers go in meanwhile.
    private let audioOpen = Atomic<Bool>(false)
    /// The video pipeline's base time, to put a microphone buffer's clock time on the video's timeline.
    private let videoBaseTime = Atomic<UInt64>(0)
    /// While pre-rolling, what the head is linked to until the tail comes: the muxer's caps and a
    /// fakesink (an encoder negotiates with a peer; unlinked, vp8enc fails). No frame reaches it.
    private let placeholder: [Element]
    private let entry: Pad
    private let crop: AspectCrop
    private let pipeline: Pipeline
    /// Whether a frame must be recorded black (its track is disabled or muted): asked per frame.
    private let blank: @Sendable () -> Bool

    /// Where the bytes go, and how the branch ended. `ended` is called exactly once, after the last `data`.
    struct Output: Sendable {
        var data: @Sendable ([UInt8]) -> Void
        /// nil: the branch finished (its muxer wrote its end); otherwise what failed, for the error event.
        var ended: @Sendable (_ failure: String?) -> Void
    }

    private let output: Output

    /// The muxer and what it writes to.
    private struct Tail: Sendable {
        /// The chain after the head: muxer and appsink or filesink, or splitmuxsink.
        var elements: [Element]
        /// The appsink the bytes come out of (nil when writing files).
        var sink: AppSink?
        /// The muxer: the chain's, or the one splitmuxsink writes files with.
        var muxer: Element
        /// What splitmuxsink writes with (muxer, filesink): owned by it once set, kept here to configure.
        var fileWriters: [Element]
        /// The filesink, when writing files (the chain's last element, or splitmuxsink's).
        var fileSink: Element?
        /// The profile with the files written (the branch's own, but for a pre-roll's files).
        var profile: RecordingProfile
    }

    /// The encoded frames kept while pre-rolling, and where the recording's timeline begins.
    private struct Preroll {
        var ring: [Sample] = []
        /// The tail is linked: the next frame flushes the ring.
        var recording = false
        /// The first recorded frame's time on the head's timeline (every later one is moved back by it).
        var offset: UInt64?
    }

    private let preroll = Locked(Preroll())
    /// Set while the ring is pushed from the head's last pad (its probe lets those frames through).
    private let flushingRing = Atomic<Bool>(false)

    /// How much the queue holds before it holds up the tee (it never drops).
    static let queueTime: UInt64 = 2_000_000_000
    static let fragmentMilliseconds: UInt32 = 1000

    private struct Timeline {
        var paused = false
        var resumed = false
        /// The capture time of the first frame recorded.
        var base: UInt64?
        /// Capture time cut out by pauses.
        var cut: UInt64 = 0
        /// The capture time where the last recorded frame ends.
        var lastEnd: UInt64?
        /// The last recorded frame's time on the recording's timeline.
        var recorded: UInt64 = 0
        var frames: UInt64 = 0
        /// With a maximum frame rate: the capture time the next frame is due at.
        var due: UInt64?
    }

    private let timeline = Locked(Timeline())
    /// The time between two recorded frames at the profile's maximum rate.
    private let frameInterval: UInt64?

    private enum Phase { case idle, attached, finishing, ended }
    private struct Placement {
        var phase = Phase.idle
        var added: [Element] = []
        var teePad: Pad?
        var linked = false
    }

    private let placement = Locked(Placement())
    /// Settled by the appsink's end of stream: the muxer wrote its last bytes.
    private let drained = Waiter<Void>()
    private let endReported = Atomic<Bool>(false)
    /// Set before the branch's end of stream is sent: splitmuxsink's sink sees one at every cut too.
    private let finishing = Atomic<Bool>(false)
    /// File ends seen since then: with segments, the end of stream may first cut one more file.
    private let fileEnds = Atomic<Int>(0)
    /// The first failure its elements reported (one failure often brings more, less telling ones).
    private let firstFailure = Locked<String?>(nil)
    /// Set by the first failure, on the failing element's thread before its error unwinds: from then
    /// on the entry drops every frame, so the queue's error never reaches the tee, which would pass
    /// it up and end the camera.
    private let failed = Atomic<Bool>(false)
    /// Completed when the branch has ended: a second ``finish(failure:tee:drainTimeout:)`` waits for it.
    private let completion = SharedResult<Void, CaptureFailure>(cancelled: .cancelled())
    private static let counter = Atomic<UInt64>(0)
    /// What every recording element's name begins with: the library's own, so that no element of a
    /// caller's source description is taken for one (its errors would then not end the camera).
    static let namePrefix = "swift-media-capture-recorder-"

    /// Builds the branch (not yet in the pipeline): with its tail, or its head alone when it pre-rolls.
    /// Nil when an element is missing.
    init?(profile: RecordingProfile, pipeline: Pipeline, blank: @escaping @Sendable () -> Bool, output: Output) {
        let name = Self.namePrefix + "\(Self.counter.add(1, ordering: .relaxed).newValue)"
        var made: [Element] = []
        for factory in profile.headFactories {
            guard let element = Element(factory: factory, name: "\(name)-\(factory)") else { return nil }
            made.append(element)
        }
        guard let entry = made[0].staticPad("sink") else { return nil }
        var placeholder: [Element] = []
        if profile.preroll > 0 {
            guard let caps = Element(factory: "capsfilter", name: "\(name)-placeholder-capsfilter"),
                let sink = Element(factory: "fakesink", name: "\(name)-placeholder-fakesink")
            else { return nil }
            caps.set("caps", Caps(profile.codec.muxedCaps))
            sink.set("sync", false)
            sink.set("async", false)  // added to a playing pipeline
            sink.set("enable-last-sample", false)
            placeholder = [caps, sink]
        }
        self.placeholder = placeholder
        var audio: [Element] = []
        for factory in profile.audioFactories {
            guard let element = Element(factory: factory, name: "\(name)-audio-\(factory)") else { return nil }
            audio.append(element)
        }
        if let bits = profile.audioBitsPerSecond, let source = audio.first, let encoder = audio.last {
            source.set("format", parsing: "time")
            // Raw audio of some kind: linking the encoder to the muxer asks what comes (an appsrc
            // without caps answers nothing); each sample then brings its own.
            source.set("caps", Caps("audio/x-raw"))
            source.set("is-live", true)
            // Ten seconds of the microphone's 48 kHz mono; a muxer that stalls longer loses the oldest
            // rather than hold up the microphone (its other tracks) or grow without bound.
            source.set("max-bytes", UInt64(1 << 20))
            source.set("leaky-type", parsing: "downstream")
            encoder.set("bitrate", Int32(clamping: min(max(bits, 6000), 510_000)))
        }
        self.audioElements = audio
        self.name = name
        self.profile = profile
        self.elements = made
        self.frameInterval = profile.maximumFrameRate.flatMap { $0.isFinite && $0 > 0 ? UInt64(min(1e9 / $0, 1e18)) : nil }
        self.entry = entry
        self.crop = AspectCrop(made[Self.index(of: "videocrop", in: profile)])
        self.pipeline = pipeline
        self.blank = blank
        self.output = output
        configure()
        installProbes()
        if profile.preroll == 0 {
            guard let tail = Self.makeTail(profile, name: name) else { return nil }
            installTail(tail)
        }
    }

    /// The tail's elements for `profile` (nil when one is missing), configured.
    private static func makeTail(_ profile: RecordingProfile, name: String) -> Tail? {
        var made: [Element] = []
        for factory in profile.tailFactories {
            guard let element = Element(factory: factory, name: "\(name)-\(factory)") else { return nil }
            made.append(element)
        }
        var writers: [Element] = []
        for factory in profile.fileFactories {
            guard let element = Element(factory: factory, name: "\(name)-file-\(factory)") else { return nil }
            writers.append(element)
        }
        let sink = profile.files == nil ? made.last.flatMap(AppSink.init) : nil
        guard profile.files != nil || sink != nil, let muxer = writers.first ?? made.first else { return nil }
        let tail = Tail(
            elements: made, sink: sink, muxer: muxer, fileWriters: writers,
            fileSink: profile.files == nil ? nil : writers.last ?? made.last, profile: profile)
        configure(tail)
        return tail
    }

    /// Where the element of `factory` is in the branch (the profile's factories, in order).
    private static func index(of factory: String, in profile: RecordingProfile) -> Int {
        guard let index = profile.factories.firstIndex(of: factory) else {
            preconditionFailure("a recording profile without \(factory)")  // RecordingProfile.factories lists it
        }
        return index
    }

    /// Sets every element's properties (after creation: nothing the caller gave is ever parsed).
    private func configure() {
        let queue = elements[0]
        queue.set("max-size-buffers", UInt32(0))
        queue.set("max-size-bytes", UInt32(0))
        queue.set("max-size-time", Self.queueTime)
        elements[Self.index(of: "videoscale", in: profile)].set("add-borders", false)
        crop.setTarget(profile.size)
        let size = profile.size.map { ",width=\($0.width),height=\($0.height),pixel-aspect-ratio=1/1" } ?? ""
        let caps = elements[Self.index(of: "capsfilter", in: profile)]
        caps.set("caps", Caps("video/x-raw,format=I420" + size))
        let encoder = elements[Self.index(of: "capsfilter", in: profile) + 1]
        let bits = Int32(clamping: profile.bitsPerSecond)
        switch profile.codec {
        case .vp8, .vp9:
            // Real time: one pass, no look-ahead (a frame is encoded as it comes, and end of stream
            // drains at once). One thread: on a busy 2-core machine libvpx's worker threads spin
            // against each other (640x480 VP8 took 12x longer with threads=2 than with 1, measured),
            // and one keeps up with 720p30 at a fraction of a core.
            encoder.set("deadline", parsing: "1")
            encoder.set("cpu-used", Int32(8))
            encoder.set("threads", Int32(1))
            encoder.set("lag-in-frames", Int32(0))
            encoder.set("end-usage", parsing: "cbr")
            encoder.set("target-bitrate", bits)
            encoder.set("keyframe-max-dist", Int32(clamping: profile.keyFrameInterval))
            if profile.codec == .vp9 { encoder.set("row-mt", true) }
        case .h264:
            encoder.set("bitrate", UInt32(clamping: bits))
            encoder.set("gop-size", profile.keyFrameInterval)
            encoder.set("complexity", parsing: "low")
            elements[Self.index(of: "h264parse", in: profile)].set("config-interval", Int32(-1))  // parameter sets before every key frame
        }
    }

    /// Sets the tail's properties (after creation: nothing the caller gave is ever parsed).
    private static func configure(_ tail: Tail) {
        let (profile, muxer, fileSink) = (tail.profile, tail.muxer, tail.fileSink)
        muxer.set("streamable", true)
        if profile.container == .mp4 { muxer.set("fragment-duration", Self.fragmentMilliseconds) }
        if let files = profile.files, let fileSink {
            fileSink.set("sync", false)
            fileSink.set("async", false)  // added to a playing pipeline (see TrackBranch.make)
            // Each write reaches the file at once: a killed process loses no buffered tail (64 KB,
            // half a second of 640x480 VP8, with the default buffering).
            fileSink.set("buffer-mode", parsing: "unbuffered")
            fileSink.set("enable-last-sample", false)  // it would hold the last buffer for nobody
            guard profile.isSegmented, let splitter = tail.elements.last else {
                fileSink.set("location", files.path)  // a property: never parsed
                return
            }
            splitter.set("muxer", muxer)
            splitter.set("sink", fileSink)
            splitter.set("location", files.pattern)  // a property: formatted by splitmuxsink, never parsed
            splitter.set("max-size-time", files.segment)
            splitter.set("max-files", files.maxFiles)
            splitter.set("async-handling", false)
        }
        guard let appsink = tail.sink?.element else { return }
        appsink.set("sync", false)
        appsink.set("async", false)  // added to a playing pipeline (see TrackBranch.make)
        appsink.set("max-buffers", UInt32(0))
        appsink.set("drop", false)
    }

    private func installProbes() {
        // On the tee's thread, before the queue: a paused recording queues nothing.
        let decodesJPEG = profile.decodesJPEG
        entry.addBufferProbe { [weak self] context in
            guard let self, !self.failed.load(ordering: .acquiring), let time = context.presentationTime else { return .drop }
            guard let stamp = self.place(time, duration: context.duration) else { return .drop }
            // A camera's JPEG is copied before the queue holds it: see TrackBranch.
            if decodesJPEG { context.replaceWithCopy() }
            context.setPresentationTime(stamp)
            return .pass
        }
        let blank = self.blank
        elements[Self.index(of: "capsfilter", in: profile)].staticPad("src")?.addBufferProbe { context in
            guard blank() else { return .pass }
            context.makeWritable()
            context.withWritableVideoFrame { layout, planes in
                // I420 black: luma 16, chroma 128 (the caps before this pad pin I420).
                for (index, plane) in planes.enumerated() {
                    let rows = index == 0 ? layout.height : (layout.height + 1) / 2
                    plane.0.initializeMemory(as: UInt8.self, repeating: index == 0 ? 16 : 128, count: plane.1 * rows)
                }
            }
            return .pass
        }
        if profile.preroll > 0, let last = elements.last?.staticPad("src") {
            // The head's last pad: kept in the ring while pre-rolling, moved to the recording's
            // timeline once it records.
            last.addBufferProbe { [weak self] context in
                guard let self else { return .drop }
                if self.flushingRing.load(ordering: .acquiring) { return .pass }  // the ring, already moved
                return self.prerolled(context)
            }
            // A recording that ends before a frame came after its start (stopped at once, a stalled
            // camera) still gets its ring, before the end of stream: pushed from the end of stream's
            // arrival after the queue (the thread every element after it runs on), not from the
            // encoder's pad, which is at its end (and refuses data) once the event is on it.
            elements[1].staticPad("sink")?.addEndOfStreamProbe(passing: true) { [weak self] in
                guard let self, let pad = self.elements.last?.staticPad("src") else { return }
                let (ring, offset) = self.takeRing(first: nil)
                if let offset { self.pushRing(ring, earlier: offset) { pad.push($0, earlier: $1) } }
            }
        }
    }

    /// Once the tail is linked, the ring (and the offset that moves every frame to the recording's
    /// timeline), taken once: the ring's first frame starts the timeline, or `first` (the time of a
    /// key frame passing) when the ring is empty. Nil offset: not recording yet, or nothing to start at.
    private func takeRing(first: UInt64?) -> ([Sample], UInt64?) {
        preroll.withLock { state -> ([Sample], UInt64?) in
            guard state.recording else { return ([], nil) }
            if state.offset != nil { return ([], state.offset) }
            guard let start = state.ring.first?.presentationTime ?? first else { return ([], nil) }
            state.offset = start
            defer { state.ring = [] }
            return (state.ring, start)
        }
    }

    /// Pushes the ring downstream of the head (its probe lets them through), each moved `earlier`.
    private func pushRing(_ ring: [Sample], earlier: UInt64, _ push: (Sample, UInt64) -> Bool) {
        guard !ring.isEmpty else { return }
        flushingRing.store(true, ordering: .releasing)
        for sample in ring where !push(sample, earlier) { break }
        flushingRing.store(false, ordering: .releasing)
    }

    /// What the head's last pad does with an encoded frame (on its streaming thread).
    private func prerolled(_ context: borrowing ProbeContext) -> Pad.ProbeDecision {
        let (recording, moved) = preroll.withLock { ($0.recording, $0.offset) }
        if let moved {  // recording, the ring pushed: every frame from now on
            context.moveTimes(earlier: moved)
            return .pass
        }
        let (delta, time) = (context.isDeltaUnit, context.presentationTime)
        if !recording {
            guard let sample = context.sample() else { return .drop }
            let span = profile.preroll
            preroll.withLock { state in
                // A ring begins at a key frame; the oldest group goes once the next one is old enough.
                guard !(state.ring.isEmpty && delta) else { return }
                state.ring.append(sample)
                let newest = time ?? 0
                while let next = state.ring.indices.dropFirst().first(where: { !state.ring[$0].isDeltaUnit }),
                    let start = state.ring[next].presentationTime, newest >= start &+ span
                {
                    state.ring.removeFirst(next)
                }
            }
            return .drop
        }
        // The first frame recorded: the ring's first, or this one when it is a key frame.
        let (ring, offset) = takeRing(first: delta ? nil : time)
        guard let offset else { return .drop }  // a key frame first
        pushRing(ring, earlier: offset) { context.push($0, earlier: $1) }
        context.moveTimes(earlier: offset)
        return .pass
    }

    /// Sets the tail's callbacks and keeps it.
    private func installTail(_ tail: Tail) {
        if let sink = tail.sink {
            sink.setCallbacks(
                onSample: { [output] sample in
                    if let bytes = try? sample.copyBytes(), !bytes.isEmpty { output.data(bytes) }
                },
                onEndOfStream: { [drained] in drained.resume(()) })
        } else if let fileSink = tail.fileSink?.staticPad("sink") {
            // The muxer wrote everything before its end of stream reaches the file: the last file is
            // whole once the one sent by finish() gets here (the cuts send their own before).
            fileSink.addEndOfStreamProbe(passing: true) { [weak self] in
                guard let self, self.finishing.load(ordering: .acquiring) else { return }
                self.fileEnds.add(1, ordering: .releasing)
                self.drained.resume(())
            }
        }
        self.tail.withLock { $0 = tail }
    }

    /// The frame at capture time `time` on the recording's timeline; nil when it is not recorded
    /// (paused, or older than the recording).
    private func place(_ time: UInt64, duration: UInt64?) -> UInt64? {
        timeline.withLock { timeline in
            guard !timeline.paused else { return nil }
            // A lower rate keeps frames on a grid by their capture times, as the track's own branch does
            // (5% early counts, for jitter; after a gap the grid restarts at the frame).
            if let interval = frameInterval {
                if let due = timeline.due, time &+ interval / 20 < due { return nil }
                timeline.due = (timeline.due.map { time > $0 &+ interval ? time : $0 } ?? time) &+ interval
            }
            let base = timeline.base ?? time
            timeline.base = base
            if timeline.resumed, let lastEnd = timeline.lastEnd {
                // The first frame after a pause follows the last one before it.
                if time > lastEnd { timeline.cut += time - lastEnd }
                timeline.resumed = false
            }
            guard time >= base &+ timeline.cut else { return nil }
            let stamp = time - base - timeline.cut
            timeline.lastEnd = time &+ (duration ?? 0)
            timeline.recorded = stamp
            timeline.frames += 1
            return stamp
        }
    }

    /// Stops or restarts taking frames (the spec's pause and resume): the paused span is cut out.
    func setPaused(_ paused: Bool) {
        timeline.withLock { timeline in
            if timeline.paused && !paused { timeline.resumed = true }
            timeline.paused = paused
        }
    }

    /// The latest recorded frame's time on the recording's timeline, and how many were recorded.
    var progress: (time: Duration, frames: UInt64) {
        // A pre-rolled recording's timeline begins with its ring, pushed with the next frame.
        let offset = preroll.withLock { $0.offset } ?? (profile.preroll > 0 ? UInt64.max : 0)
        return timeline.withLock { (.nanoseconds(Int64(clamping: $0.recorded > offset ? $0.recorded - offset : 0)), $0.frames) }
    }

    /// The source is about to switch modes (see ``AspectCrop/prepareForNewInput()``).
    func prepareForNewInput() { crop.prepareForNewInput() }

    // MARK: - Placement

    /// Adds the branch to a running pipeline behind `tee`. Blocking: call on the pipeline's queue.
    /// False when it could not be attached (what it added stays recorded, for ``finish(failure:)``).
    func attach(tee: Element) -> Bool {
        return placement.withLock { placement in
            guard placement.phase == .idle else { return false }
            placement.phase = .attached
            var added: [Element] = [], teePad: Pad?
            let tailElements = tail.withLock { $0?.elements }
            let chain = elements + (tailElements ?? placeholder)
            // With audio, its chain into the tail's muxer (a pre-roll, whose tail comes later, has none).
            let muxer = tailElements?.first
            let linked =
                (audioElements.isEmpty || muxer != nil)
                && pipeline.attachBranch(
                    chain, entry: entry, behind: tee, added: &added, teePad: &teePad, beside: audioElements,
                    joining: muxer.map { ($0, "audio_%u") })
            (placement.added, placement.teePad, placement.linked) = (added, teePad, linked)
            if linked, !audioElements.isEmpty {
                videoBaseTime.store(pipeline.baseTime ?? 0, ordering: .releasing)
                audioOpen.store(true, ordering: .releasing)
            }
            return linked
        }
    }

    /// A microphone buffer made at `clockTime`, into the recording at its place on the recording's
    /// timeline (silent when `silence`: a disabled or muted audio track); dropped while paused,
    /// before the first video frame, or before the recording began. On the microphone's thread.
    func pushAudio(_ sample: Sample, clockTime: UInt64, silence: Bool) {
        let videoBase = videoBaseTime.load(ordering: .acquiring)
        guard audioOpen.load(ordering: .acquiring), !failed.load(ordering: .acquiring), let source = audioElements.first,
            clockTime >= videoBase
        else { return }
        let running = clockTime - videoBase
        let stamp = timeline.withLock { timeline -> UInt64? in
            guard !timeline.paused, !timeline.resumed, let base = timeline.base, running >= base &+ timeline.cut else { return nil }
            return running - base - timeline.cut
        }
        guard let stamp else { return }
        _ = source.pushSample(sample, at: stamp, silence: silence)
    }

    /// Starts the recording of a pre-rolling branch: its tail (to `files`, or to the appsink) is
    /// added after the head, and the next frame pushes the ring first. Blocking: call on the
    /// pipeline's queue. False when the branch does not pre-roll, is not attached, or the tail could
    /// not be added (what it added stays recorded, for ``finish(failure:tee:drainTimeout:)``).
    func begin(files: RecordingProfile.Files?) -> Bool {
        var withFiles = profile
        withFiles.files = files
        guard profile.preroll > 0, tail.withLock({ $0 == nil }), let made = Self.makeTail(withFiles, name: name) else { return false }
        return placement.withLock { placement in
            guard placement.phase == .attached, placement.linked, let head = elements.last, let first = placeholder.first else { return false }
            installTail(made)
            // No frame passes the head's probe until `recording`: nothing is lost between the two links.
            head.unlink(from: first)
            for element in placeholder {
                element.setLockedState(true)
                element.setNullState()
                _ = pipeline.remove(element)
            }
            placement.added.removeAll { element in placeholder.contains { $0 === element } }
            guard pipeline.addChain(made.elements, added: &placement.added, start: true), head.link(to: made.elements[0]) else { return false }
            preroll.withLock { $0.recording = true }
            return true
        }
    }

    /// Whether the branch records (not pre-rolling only).
    private var isRecording: Bool { profile.preroll == 0 || preroll.withLock { $0.recording } }

    /// Records what failed, when it is the first failure (call in the order the errors came, on the
    /// bus's synchronous handler: the failing element's thread). Frames stop entering the branch, and
    /// a drain under way ends now (the failed elements will not drain).
    func noteFailure(_ message: String) {
        // GStreamer names the file when it cannot open it, not when a write fails ("No space left on
        // the resource."): the caller learns which path either way.
        var message = message
        if let path = tail.withLock({ $0?.profile.files?.path }), !message.contains(path) {
            let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
            if directory.isEmpty || !message.contains(directory) { message += " (recording to \(path))" }
        }
        failed.store(true, ordering: .releasing)
        firstFailure.withLock { if $0 == nil { $0 = message } }
        _ = drained.resume(())
    }

    /// Ends the recording, once: unlinks the branch from the tee between two frames, lets the muxer
    /// finish (end of stream through the branch, at most `drainTimeout`; skipped after a failure, whose
    /// elements may not drain), removes the elements, then reports `ended` with `failure`.
    func finish(failure: String? = nil, tee: Element, drainTimeout: Duration = .seconds(5)) async {
        let take = { @Sendable [self] () -> Placement? in
            self.placement.withLock { placement -> Placement? in
                guard placement.phase == .idle || placement.phase == .attached else { return nil }
                defer {
                    placement.phase = .finishing
                    placement.added = []
                    placement.teePad = nil
                }
                return placement
            }
        }
        // On the pipeline's queue, after an attach under way (which holds the placement while it adds
        // and starts the elements): never a wait on Swift's pool. A queue that no longer answers runs
        // nothing more, so the placement is then free to take here.
        let tookOnQueue = Locked<Placement?>(nil)
        let taken: Placement?
        switch await pipeline.perform(
            timeout: .seconds(5),
            { () -> Placement? in
                let taken = take()
                tookOnQueue.withLock { $0 = taken }
                return taken
            })
        {
        case .some(let result): taken = result
        // The queue did not answer in time: take it here, or find what the late queue work took.
        case .none: taken = take() ?? tookOnQueue.withLock { $0 }
        }
        guard let taken else {
            _ = try? await completion.value(timeout: drainTimeout + .seconds(10))
            return
        }
        let entry = self.entry
        let failure = firstFailure.withLock { $0 } ?? failure
        // A branch that only pre-rolled has nothing to drain: its head's end goes nowhere.
        let wantsDrain = failure == nil && taken.linked && isRecording
        let unlinked = await pipeline.perform(timeout: .seconds(5)) {
            if let teePad = taken.teePad {
                // If the pad never idles (a wedged stream) unlink anyway.
                if taken.linked, !teePad.whenIdle(timeoutMilliseconds: 1000, { teePad.unlink(from: entry) }) {
                    teePad.unlink(from: entry)
                }
                tee.releaseRequestPad(teePad)
            }
            self.finishing.store(true, ordering: .releasing)
            // The muxer ends once every stream has: the audio's with the video's.
            if self.audioOpen.exchange(false, ordering: .acquiringAndReleasing) { self.audioElements.first?.endOfStream() }
            return wantsDrain ? entry.sendEndOfStream() : false
        }
        let drain = unlinked ?? false
        var problem = failure
        if drain, await drained.wait(timeout: drainTimeout) == nil {
            problem =
                "The encoder did not finish within \(drainTimeout); the recording's last frames are missing. The machine may be too busy to encode this size and rate: record smaller or with a lower frame rate."
        } else if drain, tail.withLock({ $0?.profile.isSegmented ?? false }) {
            // splitmuxsink may answer the end of stream with a cut (the group of pictures it held
            // back starts a new file), then the new file's end: the last end is the one followed by
            // quiet. Its file's end comes right after the cut's (one held GOP to write), well
            // within the quiet period. At most 10 periods.
            for _ in 0..<10 {
                let seen = fileEnds.load(ordering: .acquiring)
                _ = await Waiter<Void>().wait(timeout: .milliseconds(300))
                if fileEnds.load(ordering: .acquiring) == seen { break }
            }
        }
        let sink = tail.withLock { $0?.sink }
        _ = await pipeline.perform(timeout: .seconds(5)) { [pipeline] in
            sink?.clearCallbacks()
            for element in taken.added {
                element.setLockedState(true)
                element.setNullState()
                _ = pipeline.remove(element)
            }
        }
        placement.withLock { $0.phase = .ended }
        // A failure during the drain (a full disk on the last fragment) is the one to report.
        report(firstFailure.withLock { $0 } ?? problem)
        completion.complete(.success(()))
    }

    /// Reports the end exactly once.
    private func report(_ failure: String?) {
        guard !endReported.exchange(true, ordering: .acquiringAndReleasing) else { return }
        output.ended(failure)
    }

    /// Whether the branch has ended (its `ended` was reported).
    var isEnded: Bool { endReported.load(ordering: .acquiring) }
}
