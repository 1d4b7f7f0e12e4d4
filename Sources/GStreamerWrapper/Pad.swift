// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer
import Locking

/// An owned reference to a `GstPad`.
///
/// `@unchecked Sendable`: pad reference counting, linking and probes are thread-safe in GStreamer,
/// and this class holds only the immutable pointer.
package final class Pad: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<GstPad>

    /// Transfer full (what `get_static_pad`, `request_pad_simple` and `get_peer` return).
    init(adopting pointer: UnsafeMutablePointer<GstPad>) { self.pointer = pointer }

    deinit { gst_object_unref(pointer) }

    package var name: String { CGStreamer_GST_OBJECT_NAME(pointer).map { String(cString: $0) } ?? "" }

    /// The pad this one is linked to. The corresponding C function is `gst_pad_get_peer`.
    package var peer: Pad? { gst_pad_get_peer(pointer).map { Pad(adopting: $0) } }

    /// The element the pad belongs to. The corresponding C function is `gst_pad_get_parent_element`.
    package var parentElement: Element? { gst_pad_get_parent_element(pointer).map { Element(adopting: $0) } }

    /// What the pad could produce or accept. The corresponding C function is `gst_pad_query_caps`.
    package func queryCaps() -> Caps? { gst_pad_query_caps(pointer, nil).map { Caps(adopting: $0) } }

    /// The corresponding C function is `gst_pad_link`.
    package func link(to sink: Pad) -> Bool { gst_pad_link(pointer, sink.pointer) == GST_PAD_LINK_OK }

    /// The corresponding C function is `gst_pad_unlink`.
    @discardableResult
    package func unlink(from sink: Pad) -> Bool { gst_pad_unlink(pointer, sink.pointer) != 0 }

    /// Pushes a held frame from this source pad while holding `upstream`'s stream lock (so that no
    /// frame or event passes meanwhile), when `upstream`'s current caps are the frame's: this pad's
    /// sticky events are then current (a valve forwarding them while closed). Blocks while downstream
    /// does; true when it took the frame.
    /// The corresponding C functions are `gst_pad_push` and `GST_PAD_STREAM_LOCK`.
    package func push(_ sample: Sample, whileHolding upstream: Pad) -> Bool {
        guard let buffer = gst_sample_get_buffer(sample.pointer), let caps = gst_sample_get_caps(sample.pointer) else { return false }
        return CGStreamer_gst_pad_push_held(upstream.pointer, pointer, caps, buffer) == GST_FLOW_OK
    }

    /// Pushes a kept buffer (a sample's) from this source pad, its times moved `earlier` nanoseconds
    /// back (a copy of its metadata): from the pad's own streaming thread (an event probe's). True when
    /// downstream took it. The corresponding C function is `gst_pad_push`.
    package func push(_ sample: Sample, earlier: UInt64) -> Bool {
        guard let buffer = gst_sample_get_buffer(sample.pointer) else { return false }
        return CGStreamer_gst_pad_push_shifted(pointer, buffer, guint64(earlier)) == GST_FLOW_OK
    }

    /// Sends end-of-stream into this (sink) pad: the elements after it drain and finish (a muxer
    /// writes its last data). The corresponding C function is `gst_pad_send_event`.
    @discardableResult
    package func sendEndOfStream() -> Bool { gst_pad_send_event(pointer, gst_event_new_eos()) != 0 }

    /// Asks the encoder upstream of this (sink) pad for a key frame now, with its parameter sets
    /// (a live viewer joined): pushed upstream from the pad. The corresponding C functions are
    /// `gst_video_event_new_upstream_force_key_unit` and `gst_pad_push_event`.
    @discardableResult
    package func sendForceKeyUnit() -> Bool {
        gst_pad_push_event(pointer, gst_video_event_new_upstream_force_key_unit(GstClockTime.max, 1, 0)) != 0
    }

    // MARK: - Probes

    /// What a buffer probe tells GStreamer to do with the buffer it saw.
    package enum ProbeDecision: Sendable {
        case pass, drop
        /// Pass the buffer and remove the probe (a one-shot action on the streaming thread).
        case passAndRemove
    }

    /// Installs a buffer probe. `body` runs on the streaming thread for every buffer and must be quick;
    /// the context it gets is valid only during the call. Returns the probe id.
    /// The corresponding C function is `gst_pad_add_probe`.
    @discardableResult
    package func addBufferProbe(_ body: @escaping @Sendable (borrowing ProbeContext) -> ProbeDecision) -> UInt {
        let box = CallbackContext.retain(ProbeBox(body))
        return UInt(
            gst_pad_add_probe(
                pointer, GST_PAD_PROBE_TYPE_BUFFER,
                { pad, info, context in
                    let decision = CallbackContext.borrow(context!, as: ProbeBox.self) { box in
                        box.body(ProbeContext(pad: pad!, info: info!))
                    }
                    switch decision {
                    case .pass: return GST_PAD_PROBE_OK
                    case .drop: return GST_PAD_PROBE_DROP
                    case .passAndRemove: return GST_PAD_PROBE_REMOVE
                    }
                }, box, { CallbackContext.release($0!, as: ProbeBox.self) }))
    }

    /// Calls `body` with the size in every video CAPS event passing downstream (raw video, or an
    /// encoded picture with its `width` and `height`, such as `image/jpeg`), on the streaming thread,
    /// before the event reaches the pad's element. Returns the probe id.
    /// The corresponding C function is `gst_pad_add_probe` with `GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM`.
    @discardableResult
    package func addVideoCapsProbe(_ body: @escaping @Sendable (_ width: Int, _ height: Int) -> Void) -> UInt {
        let box = CallbackContext.retain(CapsProbeBox(body))
        return UInt(
            gst_pad_add_probe(
                pointer, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                { _, info, context in
                    guard let info, let event = gst_pad_probe_info_get_event(info),
                        event.pointee.type == GST_EVENT_CAPS
                    else { return GST_PAD_PROBE_OK }
                    var caps: UnsafeMutablePointer<GstCaps>?
                    gst_event_parse_caps(event, &caps)  // transfer none
                    var width: Int32 = 0, height: Int32 = 0
                    if let caps, let structure = gst_caps_get_structure(caps, 0),
                        gst_structure_get_int(structure, "width", &width) != 0,
                        gst_structure_get_int(structure, "height", &height) != 0, width > 0, height > 0
                    {
                        CallbackContext.borrow(context!, as: CapsProbeBox.self) { box in box.body(Int(width), Int(height)) }
                    }
                    return GST_PAD_PROBE_OK
                }, box, { CallbackContext.release($0!, as: CapsProbeBox.self) }))
    }

    /// Drops every end-of-stream event passing downstream and calls `body` for each, on the streaming
    /// thread: a source whose end is not the stream's (a network camera that dropped and reconnects).
    /// Returns the probe id. The corresponding C function is `gst_pad_add_probe` with
    /// `GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM`.
    @discardableResult
    package func addEndOfStreamProbe(_ body: @escaping @Sendable () -> Void) -> UInt {
        addEndOfStreamProbe(passing: false, body)
    }

    /// As ``addEndOfStreamProbe(_:)``; with `passing`, the end of stream goes on to the pad's element
    /// after `body` (an element that acts on it, as splitmuxsink's sink does at every cut).
    @discardableResult
    package func addEndOfStreamProbe(passing: Bool, _ body: @escaping @Sendable () -> Void) -> UInt {
        let box = CallbackContext.retain(EventProbeBox(body, passing: passing))
        return UInt(
            gst_pad_add_probe(
                pointer, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                { _, info, context in
                    guard let info, let event = gst_pad_probe_info_get_event(info), event.pointee.type == GST_EVENT_EOS
                    else { return GST_PAD_PROBE_OK }
                    let passing = CallbackContext.borrow(context!, as: EventProbeBox.self) { box in
                        box.body()
                        return box.passing
                    }
                    return passing ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP
                }, box, { CallbackContext.release($0!, as: EventProbeBox.self) }))
    }

    /// Waits (blocking, bounded) until no data flows through the pad, runs `body` there, and
    /// removes the probe. Used to unlink a branch from a running tee without racing a buffer.
    /// Returns false when the pad did not become idle in time.
    /// The corresponding C function is `gst_pad_add_probe` with `GST_PAD_PROBE_TYPE_IDLE`.
    package func whenIdle(timeoutMilliseconds: Int, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = IdleWaiter(body)
        let box = CallbackContext.retain(done)
        // The callback may run synchronously inside gst_pad_add_probe (pad already idle); the waiter copes.
        _ = gst_pad_add_probe(
            pointer, GST_PAD_PROBE_TYPE_IDLE,
            { _, _, context in
                CallbackContext.borrow(context!, as: IdleWaiter.self) { $0.fire() }
                return GST_PAD_PROBE_REMOVE
            }, box, { CallbackContext.release($0!, as: IdleWaiter.self) })
        return done.wait(milliseconds: timeoutMilliseconds)
    }
}

private final class EventProbeBox: Sendable {
    let body: @Sendable () -> Void
    /// Whether the event goes on after the body (else it is dropped).
    let passing: Bool
    init(_ body: @escaping @Sendable () -> Void, passing: Bool) {
        self.body = body
        self.passing = passing
    }
}

private final class ProbeBox: Sendable {
    let body: @Sendable (borrowing ProbeContext) -> Pad.ProbeDecision
    init(_ body: @escaping @Sendable (borrowing ProbeContext) -> Pad.ProbeDecision) { self.body = body }
}

/// What a buffer probe may do with the buffer passing the pad. Valid only during the probe call
/// (non-copyable so it cannot be kept).
package struct ProbeContext: ~Copyable {
    let pad: UnsafeMutablePointer<GstPad>
    let info: UnsafeMutablePointer<GstPadProbeInfo>

    /// The buffer's presentation time in nanoseconds; nil when it has none.
    /// The corresponding C macro is `GST_BUFFER_PTS`.
    package var presentationTime: UInt64? {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return nil }
        let time = buffer.pointee.pts
        return time == GstClockTime.max ? nil : UInt64(time)  // GST_CLOCK_TIME_NONE
    }

    /// The buffer's offset (for video, the source's frame number); nil when it has none.
    package var offset: UInt64? {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return nil }
        return buffer.pointee.offset == UInt64.max ? nil : UInt64(buffer.pointee.offset)  // GST_BUFFER_OFFSET_NONE
    }

    /// Gives a buffer that has no offset the offset `number` (a frame count for a source that numbers
    /// none). The buffer is made writable first: a copy of its metadata only when it is shared.
    /// The corresponding C function is `gst_buffer_make_writable`.
    package func setOffset(_ number: UInt64) {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return }
        let writable = CGStreamer_gst_buffer_make_writable(buffer)
        writable.pointee.offset = guint64(number)
        info.pointee.data = UnsafeMutableRawPointer(writable)
    }

    /// The buffer itself (a new reference, no copy) with the pad's current caps and segment: for a
    /// buffer that is the pipeline's own (copied upstream), kept beyond the call. Nil without caps.
    /// The corresponding C function is `gst_sample_new`.
    package func sample() -> Sample? {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return nil }
        return sample(of: buffer)
    }

    /// `buffer` with the pad's current caps and segment (the sample takes its own reference).
    private func sample(of buffer: UnsafeMutablePointer<GstBuffer>) -> Sample? {
        guard let caps = gst_pad_get_current_caps(pad) else { return nil }
        defer { gst_caps_unref(caps) }
        let event = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0)
        defer { if let event { gst_mini_object_unref(UnsafeMutablePointer<GstMiniObject>(OpaquePointer(event))) } }
        var segment: UnsafePointer<GstSegment>?
        if let event { gst_event_parse_segment(event, &segment) }
        return gst_sample_new(buffer, caps, segment, nil).map(Sample.init(adopting:))
    }

    /// Gives the buffer the presentation time `time` (nanoseconds) and no decoding time: a recording
    /// restamps capture times to its own timeline. The buffer is made writable first (its metadata is
    /// copied when shared, never its memory). The corresponding C macro is `GST_BUFFER_PTS`.
    package func setPresentationTime(_ time: UInt64) {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return }
        let writable = CGStreamer_gst_buffer_make_writable(buffer)
        writable.pointee.pts = GstClockTime(time)
        writable.pointee.dts = GstClockTime.max  // GST_CLOCK_TIME_NONE: raw frames decode in order
        info.pointee.data = UnsafeMutableRawPointer(writable)
    }

    /// Pushes a kept buffer (a sample's) from the probe's (source) pad before the one passing, its
    /// times moved `earlier` nanoseconds back (a copy of its metadata): the probe sees it too. True
    /// when downstream took it. The corresponding C function is `gst_pad_push`.
    package func push(_ sample: Sample, earlier: UInt64) -> Bool {
        guard let buffer = gst_sample_get_buffer(sample.pointer) else { return false }
        return CGStreamer_gst_pad_push_shifted(pad, buffer, guint64(earlier)) == GST_FLOW_OK
    }

    /// Whether the buffer depends on others to decode (an encoded frame that is not a key frame).
    /// The corresponding C flag is `GST_BUFFER_FLAG_DELTA_UNIT`.
    package var isDeltaUnit: Bool {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return true }
        return CGStreamer_GST_BUFFER_IS_DELTA_UNIT(buffer) != 0
    }

    /// Moves the buffer's presentation and decoding times `earlier` nanoseconds back (clamped at 0).
    /// The buffer is made writable first (its metadata copied when shared).
    package func moveTimes(earlier: UInt64) {
        guard earlier > 0, let buffer = gst_pad_probe_info_get_buffer(info) else { return }
        let writable = CGStreamer_gst_buffer_make_writable(buffer)
        let earlier = GstClockTime(earlier)
        for time in [\GstBuffer.pts, \GstBuffer.dts] where writable.pointee[keyPath: time] != GstClockTime.max {
            writable.pointee[keyPath: time] = writable.pointee[keyPath: time] > earlier ? writable.pointee[keyPath: time] - earlier : 0
        }
        info.pointee.data = UnsafeMutableRawPointer(writable)
    }

    /// The buffer's duration in nanoseconds; nil when it has none.
    /// The corresponding C macro is `GST_BUFFER_DURATION`.
    package var duration: UInt64? {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return nil }
        return buffer.pointee.duration == GstClockTime.max ? nil : UInt64(buffer.pointee.duration)
    }

    /// Makes the buffer writable (a shared one is copied, its memory only when written), so that
    /// ``withWritableVideoFrame(_:)`` can change it. The corresponding C function is `gst_buffer_make_writable`.
    package func makeWritable() {
        guard let buffer = gst_pad_probe_info_get_buffer(info) else { return }
        info.pointee.data = UnsafeMutableRawPointer(CGStreamer_gst_buffer_make_writable(buffer))
    }

    /// A deep copy of the buffer with the pad's current caps and segment, to keep beyond the call (a
    /// held frame: the source's own buffer would stay out of its pool). Nil without caps.
    /// The corresponding C functions are `gst_buffer_copy_deep` and `gst_sample_new`.
    package func copiedSample() -> Sample? {
        guard let buffer = gst_pad_probe_info_get_buffer(info), let copy = gst_buffer_copy_deep(buffer) else { return nil }
        defer { gst_mini_object_unref(UnsafeMutablePointer<GstMiniObject>(OpaquePointer(copy))) }
        return sample(of: copy)
    }

    /// Replaces the buffer passing with a copy of its memory (metadata included), so that the
    /// element that made it gets its memory back now: a V4L2 source's buffers, which a queue
    /// downstream would otherwise hold while the device renegotiates. Keeps the buffer when no copy
    /// can be made. The corresponding C function is `gst_buffer_copy_deep`.
    package func replaceWithCopy() {
        guard let buffer = gst_pad_probe_info_get_buffer(info), let copy = gst_buffer_copy_deep(buffer) else { return }
        gst_mini_object_unref(UnsafeMutablePointer<GstMiniObject>(OpaquePointer(buffer)))
        info.pointee.data = UnsafeMutableRawPointer(copy)
    }

    /// Posts an error from the pad's element, as the element itself would on a failure.
    package func postErrorFromElement(domain: GStreamerError.Domain, code: Int32, message: String, debug: String) {
        guard let parent = gst_pad_get_parent_element(pad) else { return }
        Element(adopting: parent).postError(domain: domain, code: code, message: message, debug: debug)
    }

    /// Maps the buffer's video frame for writing when the buffer is writable and its caps are raw
    /// video, and passes each plane with its stride. Does nothing otherwise.
    /// The corresponding C functions are `gst_video_frame_map` and `gst_video_frame_unmap`.
    package func withWritableVideoFrame(_ body: (VideoLayout, [(UnsafeMutableRawPointer, Int)]) -> Void) {
        guard let buffer = gst_pad_probe_info_get_buffer(info),
            gst_mini_object_is_writable(
                UnsafeMutablePointer<GstMiniObject>(OpaquePointer(buffer))) != 0,
            let caps = gst_pad_get_current_caps(pad)
        else { return }
        defer { gst_caps_unref(caps) }
        var videoInfo = GstVideoInfo()
        guard gst_video_info_from_caps(&videoInfo, caps) != 0 else { return }
        var frame = GstVideoFrame()
        guard gst_video_frame_map(&frame, &videoInfo, buffer, GST_MAP_WRITE) != 0 else { return }
        defer { gst_video_frame_unmap(&frame) }
        let planes = Int(frame.info.finfo.pointee.n_planes)
        let data = withUnsafeBytes(of: frame.data) { Array($0.bindMemory(to: UnsafeMutableRawPointer?.self)) }
        let strides = withUnsafeBytes(of: frame.info.stride) { Array($0.bindMemory(to: Int32.self)) }
        let layout = VideoLayout(
            width: Int(videoInfo.width), height: Int(videoInfo.height), bytesPerRow: Int(strides[0]),
            format: String(cString: videoInfo.finfo.pointee.name), frameRate: 0, planeOffset: 0)
        body(layout, (0..<planes).compactMap { index in data[index].map { ($0, Int(strides[index])) } })
    }
}

private final class CapsProbeBox: Sendable {
    let body: @Sendable (Int, Int) -> Void
    init(_ body: @escaping @Sendable (Int, Int) -> Void) { self.body = body }
}

/// Runs a body once from a probe and lets the caller wait for it with a deadline.
private final class IdleWaiter: Sendable {
    private let body: @Sendable () -> Void
    private let fired = Locked(false)
    private let semaphore = BlockingSemaphore()
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func fire() {
        let first = fired.withLock { fired in
            defer { fired = true }
            return !fired
        }
        guard first else { return }
        body()
        semaphore.signal()
    }

    func wait(milliseconds: Int) -> Bool { semaphore.wait(milliseconds: milliseconds) }
}
