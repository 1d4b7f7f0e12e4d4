// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper
import Locking
import Synchronization

/// The encoding branch: the camera's frames encoded once for everyone who watches them live (RTSP
/// clients, WebRTC viewers): `queue [→ jpegdec] → videoconvert → I420 caps → encoder [→ h264parse] →
/// caps → appsink`, on the source's tee while at least one subscriber is there (nothing is encoded
/// while nobody watches). One per codec and camera: every viewer of that codec shares its encode.
///
/// Unlike a recording, a live branch must not hold the camera up: its queue keeps at most
/// ``queueTime`` and drops the oldest beyond it (a viewer gets a late key frame, never a stalled
/// camera). Each encoded frame goes to every subscriber as bytes (``EncodedVideoFrame``).
final class EncodingBranch: Sendable {
    let codec: EncodedVideoCodec
    /// The prefix of every element's name: the camera routes its elements' errors here (see
    /// ``Capturer``), so a failing encoder ends its viewers, not the camera.
    let name: String
    private let elements: [Element]
    private let sink: AppSink

    private struct Subscribers {
        var byID: [UInt64: Subscriber] = [:]
        var next: UInt64 = 1
        var ended = false
    }

    struct Subscriber: Sendable {
        /// The track that subscribed: its stop ends the subscription.
        var track: UInt64
        var frame: @Sendable (EncodedVideoFrame) -> Void
        /// Called once: nil when the camera or the subscription ended, else what failed.
        var ended: @Sendable (_ failure: String?) -> Void
    }

    private let subscribers = Locked(Subscribers())
    private struct Placement {
        var added: [Element] = []
        var teePad: Pad?
        var linked = false
    }

    private let placement = Locked(Placement())
    /// Frames encoded (for tests and the benchmarks: nothing is encoded while nobody watches).
    let encodedFrames = Atomic<UInt64>(0)

    static let namePrefix = "swift-media-capture-encoder-"
    private static let counter = Atomic<UInt64>(0)
    /// How much the queue holds before it drops the oldest (a live viewer wants the newest).
    static let queueTime: UInt64 = 500_000_000

    /// Nil when an element is missing.
    init?(codec: EncodedVideoCodec, decodesJPEG: Bool) {
        let name = Self.namePrefix + "\(Self.counter.add(1, ordering: .relaxed).newValue)"
        let factories = Self.factories(codec, decodesJPEG: decodesJPEG)
        var made: [Element] = []
        for (index, factory) in factories.enumerated() {
            guard let element = Element(factory: factory, name: "\(name)-\(index)-\(factory)") else { return nil }
            made.append(element)
        }
        guard let sink = made.last.flatMap(AppSink.init) else { return nil }
        self.codec = codec
        self.name = name
        self.elements = made
        self.sink = sink
        configure(decodesJPEG: decodesJPEG)
    }

    /// The chain: an MJPEG camera's JPEGs go to JPEG viewers as they are (nothing decoded or encoded);
    /// anything else is decoded if need be and encoded.
    static func factories(_ codec: EncodedVideoCodec, decodesJPEG: Bool) -> [String] {
        if codec == .jpeg, decodesJPEG { return ["queue", "capsfilter", "appsink"] }
        return ["queue"] + (decodesJPEG ? ["jpegdec"] : []) + ["videoconvert", "capsfilter"] + codec.factories + ["capsfilter", "appsink"]
    }

    /// Sets every element's properties (after creation: nothing is parsed).
    private func configure(decodesJPEG: Bool) {
        let queue = elements[0]
        queue.set("max-size-buffers", UInt32(0))
        queue.set("max-size-bytes", UInt32(0))
        queue.set("max-size-time", Self.queueTime)
        queue.set("leaky", parsing: "downstream")
        let capsFilters = elements.filter { $0.factoryName == "capsfilter" }
        if capsFilters.count == 2 { capsFilters[0].set("caps", Caps("video/x-raw,format=I420")) }
        let encoder = elements.first { $0.factoryName == self.codec.factories.first }
        switch codec {
        case .jpeg:
            encoder?.set("quality", Int32(85))
        case .vp8:
            guard let encoder else { break }
            // Real time, as a recording's (see RecordingBranch.configure): one pass, no look-ahead, one thread.
            encoder.set("deadline", parsing: "1")
            encoder.set("cpu-used", Int32(8))
            encoder.set("threads", Int32(1))
            encoder.set("lag-in-frames", Int32(0))
            encoder.set("end-usage", parsing: "cbr")
            encoder.set("target-bitrate", Int32(clamping: codec.bitsPerSecond))
            encoder.set("keyframe-max-dist", Int32(clamping: codec.keyFrameInterval))
            encoder.set("error-resilient", parsing: "default")
        case .h264:
            guard let encoder else { break }
            encoder.set("bitrate", codec.bitsPerSecond)
            encoder.set("gop-size", codec.keyFrameInterval)
            encoder.set("complexity", parsing: "low")
            encoder.set("usage-type", parsing: "camera")
            elements[elements.count - 3].set("config-interval", Int32(-1))  // parameter sets before every key frame
        }
        elements[elements.count - 2].set("caps", Caps(codec.caps))
        let appsink = sink.element
        appsink.set("sync", false)
        appsink.set("async", false)  // added to a playing pipeline (see TrackBranch.make)
        appsink.set("max-buffers", UInt32(4))
        appsink.set("drop", true)
        appsink.set("enable-last-sample", false)
        // A camera's JPEG is copied before the queue holds it (see TrackBranch).
        if decodesJPEG {
            elements[0].staticPad("sink")?.addBufferProbe { context in
                context.replaceWithCopy()
                return .pass
            }
        }
        let codec = self.codec
        sink.setCallbacks(onSample: { [weak self] sample in
            guard let self, let bytes = try? sample.copyBytes() else { return }
            self.encodedFrames.add(1, ordering: .relaxed)
            let frame = EncodedVideoFrame(
                codec: codec, bytes: bytes, isKeyFrame: !sample.isDeltaUnit, captureTime: sample.presentationTime)
            let receivers = self.subscribers.withLock { Array($0.byID.values) }
            for receiver in receivers { receiver.frame(frame) }
        })
    }

    /// Adds a subscriber; nil when the branch has ended. The caller asks for a key frame after.
    func subscribe(_ subscriber: Subscriber) -> UInt64? {
        subscribers.withLock { state in
            guard !state.ended else { return nil }
            let id = state.next
            state.next += 1
            state.byID[id] = subscriber
            return id
        }
    }

    /// Removes a subscriber. Returns whether none is left (the caller then detaches the branch).
    func unsubscribe(_ id: UInt64) -> Bool {
        subscribers.withLock { state in
            state.byID.removeValue(forKey: id)
            return state.byID.isEmpty
        }
    }

    /// Ends track `track`'s subscriptions (it stopped): each hears nil. Returns whether none is left.
    func endSubscriptions(of track: UInt64) -> Bool {
        let (ending, empty) = subscribers.withLock { state -> ([Subscriber], Bool) in
            let ending = state.byID.filter { $0.value.track == track }
            for id in ending.keys { state.byID.removeValue(forKey: id) }
            return (Array(ending.values), state.byID.isEmpty)
        }
        for subscriber in ending { subscriber.ended(nil) }
        return empty
    }

    /// Whether no subscriber is left.
    var isIdle: Bool { subscribers.withLock { $0.byID.isEmpty } }

    /// Ends every subscription once (the camera ended, or the encoder failed): each hears `failure`.
    func end(failure: String?) {
        let ending = subscribers.withLock { state -> [Subscriber] in
            guard !state.ended else { return [] }
            state.ended = true
            defer { state.byID = [:] }
            return Array(state.byID.values)
        }
        for subscriber in ending { subscriber.ended(failure) }
    }

    /// Asks the encoder for a key frame now (a viewer joined or lost a picture): upstream from the
    /// appsink. At most one per ``keyFrameSpacing``: every viewer's loss reports do not each cost one.
    func requestKeyFrame() {
        let now = ContinuousClock.now
        let previous = lastKeyFrameRequest.withLock { last -> ContinuousClock.Instant? in
            defer { if last.map({ now - $0 >= Self.keyFrameSpacing }) ?? true { last = now } }
            return last
        }
        guard previous.map({ now - $0 >= Self.keyFrameSpacing }) ?? true else { return }
        _ = sink.element.staticPad("sink")?.sendForceKeyUnit()
    }

    private let lastKeyFrameRequest = Locked<ContinuousClock.Instant?>(nil)
    static let keyFrameSpacing = Duration.milliseconds(250)

    /// Adds the branch to a running pipeline behind `tee`. Blocking: call on the pipeline's queue.
    func attach(to pipeline: Pipeline, tee: Element) -> Bool {
        guard let entry = elements[0].staticPad("sink") else { return false }
        return placement.withLock { placement in
            var added: [Element] = [], teePad: Pad?
            let linked = pipeline.attachBranch(elements, entry: entry, behind: tee, added: &added, teePad: &teePad)
            placement = Placement(added: added, teePad: teePad, linked: linked)
            return linked
        }
    }

    /// Unlinks the branch from the tee while no buffer crosses and removes what ``attach(to:tee:)``
    /// added. Blocking: call on the pipeline's queue. Safe on a branch that never attached.
    func detach(from pipeline: Pipeline, tee: Element) {
        sink.clearCallbacks()
        let taken = placement.withLock { placement -> Placement in
            defer { placement = Placement() }
            return placement
        }
        if let teePad = taken.teePad {
            if taken.linked, let entry = elements[0].staticPad("sink"),
                !teePad.whenIdle(timeoutMilliseconds: 1000, { teePad.unlink(from: entry) })
            {
                teePad.unlink(from: entry)
            }
            tee.releaseRequestPad(teePad)
        }
        for element in taken.added {
            element.setLockedState(true)
            element.setNullState()
            pipeline.remove(element)
        }
    }
}

extension EncodedVideoCodec {
    /// The encoder's factory, and the parser after it.
    fileprivate var factories: [String] {
        switch self {
        case .vp8: ["vp8enc"]
        case .h264: ["openh264enc", "h264parse"]
        case .jpeg: ["jpegenc"]
        }
    }
}
