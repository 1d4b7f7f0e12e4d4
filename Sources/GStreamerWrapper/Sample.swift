// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer

/// An owned reference to a `GstSample`: a buffer plus the caps that describe it.
///
/// Holding a sample holds the frame's memory (no copy). `@unchecked Sendable`: a sample is
/// immutable once delivered and mini-object reference counting is atomic.
package final class Sample: @unchecked Sendable {
    let pointer: OpaquePointer  // GstSample is opaque in the headers

    /// Transfer full (what `try_pull_sample` returns).
    init(adopting pointer: OpaquePointer) { self.pointer = pointer }

    deinit { gst_sample_unref(pointer) }

    /// The frame layout: size, pixel format and the stride of the first plane. A `GstVideoMeta` on the
    /// buffer wins over the caps, because an upstream allocator may pad rows differently.
    package var videoLayout: VideoLayout? {
        guard let caps = gst_sample_get_caps(pointer) else { return nil }
        var info = GstVideoInfo()
        guard gst_video_info_from_caps(&info, caps) != 0 else { return nil }
        var layout = VideoLayout(
            width: Int(info.width), height: Int(info.height), bytesPerRow: Int(info.stride.0),
            format: info.finfo.map { String(cString: $0.pointee.name) } ?? "unknown",
            frameRate: info.fps_d > 0 ? Double(info.fps_n) / Double(info.fps_d) : 0,
            planeOffset: Int(info.offset.0))
        if let buffer = gst_sample_get_buffer(pointer),
            let meta = gst_buffer_get_meta(buffer, gst_video_meta_api_get_type())
        {
            let videoMeta = UnsafeMutableRawPointer(meta).assumingMemoryBound(to: GstVideoMeta.self)
            layout.bytesPerRow = Int(videoMeta.pointee.stride.0)
            layout.planeOffset = Int(videoMeta.pointee.offset.0)
        }
        return layout
    }

    /// The buffer's presentation time in nanoseconds; nil when it has none.
    /// The corresponding C macro is `GST_BUFFER_PTS`.
    package var presentationTime: UInt64? {
        guard let buffer = gst_sample_get_buffer(pointer) else { return nil }
        let time = buffer.pointee.pts
        return time == GstClockTime.max ? nil : UInt64(time)  // GST_CLOCK_TIME_NONE
    }

    /// Whether the buffer depends on others to decode (an encoded frame that is not a key frame).
    /// The corresponding C flag is `GST_BUFFER_FLAG_DELTA_UNIT`.
    package var isDeltaUnit: Bool {
        guard let buffer = gst_sample_get_buffer(pointer) else { return true }
        return CGStreamer_GST_BUFFER_IS_DELTA_UNIT(buffer) != 0
    }

    /// The buffer's size in bytes.
    package var byteCount: Int { gst_sample_get_buffer(pointer).map { Int(gst_buffer_get_size($0)) } ?? 0 }

    /// The buffer's running time (its presentation time on the pipeline's timeline, through its
    /// segment) in nanoseconds; nil without a presentation time or outside the segment.
    /// The corresponding C function is `gst_segment_to_running_time`.
    package var runningTime: UInt64? {
        guard let time = presentationTime, let segment = gst_sample_get_segment(pointer) else { return nil }
        let running = gst_segment_to_running_time(segment, GST_FORMAT_TIME, GstClockTime(time))
        return running == GstClockTime.max ? nil : UInt64(running)
    }

    /// The buffer's offset: for video, the source's frame number (V4L2's sequence, videotestsrc's
    /// count, or the library's own count); nil when it has none (`GST_BUFFER_OFFSET_NONE`).
    package var offset: UInt64? {
        guard let buffer = gst_sample_get_buffer(pointer) else { return nil }
        let offset = buffer.pointee.offset
        return offset == UInt64.max ? nil : UInt64(offset)
    }

    /// Maps the buffer for reading for the duration of `body` (no copy).
    /// The corresponding C functions are `gst_buffer_map` and `gst_buffer_unmap`.
    package func withMappedBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let buffer = gst_sample_get_buffer(pointer) else {
            throw GStreamerError.wrapper("the sample holds no buffer")
        }
        var map = GstMapInfo()
        guard gst_buffer_map(buffer, &map, GST_MAP_READ) != 0 else {
            throw GStreamerError.wrapper("the buffer could not be mapped for reading")
        }
        defer { gst_buffer_unmap(buffer, &map) }
        return try body(UnsafeRawBufferPointer(start: map.data, count: Int(map.size)))
    }

    /// The bytes as one copy (for encoded data such as a JPEG).
    package func copyBytes() throws -> [UInt8] {
        try withMappedBytes { Array($0) }
    }
}

/// The geometry of a raw video frame.
package struct VideoLayout: Sendable, Hashable {
    package var width: Int
    package var height: Int
    package var bytesPerRow: Int
    /// GStreamer's format name, e.g. "RGBA", "I420".
    package var format: String
    package var frameRate: Double
    /// Offset of the first plane in the buffer.
    package var planeOffset: Int
}

extension Sample {
    /// Converts (and encodes) the frame to `caps`, e.g. `image/png`. Blocking: it runs a small
    /// internal pipeline; call it off the cooperative pool.
    /// - Throws: the conversion error, or a timeout.
    /// The corresponding C function is `gst_video_convert_sample`.
    package func converted(to caps: Caps, timeoutMilliseconds: Int) throws(GStreamerError) -> Sample {
        var error: UnsafeMutablePointer<GError>?
        let result = gst_video_convert_sample(pointer, caps.pointer, GstClockTime(timeoutMilliseconds) * 1_000_000, &error)
        if let error {
            if let result { gst_sample_unref(result) }
            throw GStreamerError(adopting: error, debug: nil, source: nil)
        }
        guard let result else { throw .wrapper("the frame could not be converted to \(caps)") }
        return Sample(adopting: result)
    }
}

extension Sample {
    /// The JPEG encoder's graph. `gst_video_convert_sample` builds its encoder with default properties,
    /// so a chosen quality needs a graph of its own: the frame in through `appsrc`, the JPEG out of `appsink`
    /// (which posts end-of-stream with the JPEG still queued: `wait-on-eos=false`).
    static let jpegEncoderDescription =
        "appsrc name=src format=time ! videoconvert ! jpegenc name=encoder ! appsink name=sink sync=false wait-on-eos=false"

    /// The frame encoded as a JPEG at `quality` (`jpegenc`'s 0...100). Blocking: it runs a small
    /// pipeline of its own until the JPEG or an error comes; call it off the cooperative pool.
    /// - Throws: the encoder's error, or a timeout after `timeoutMilliseconds`.
    /// The corresponding C functions are `gst_app_src_push_sample`, `gst_bus_timed_pop_filtered` and
    /// `gst_app_sink_try_pull_sample`.
    package func jpegEncoded(quality: Int, timeoutMilliseconds: Int) throws(GStreamerError) -> Sample {
        let pipeline = Element(adopting: try GraphDescription(Self.jpegEncoderDescription).build())
        // Going to NULL joins the streaming thread: the caller is already off the cooperative pool.
        defer { pipeline.setNullState() }
        guard let bin = CGStreamer_GST_BIN(pipeline.pointer) else { throw .wrapper("the JPEG encoder is not a bin") }
        func named(_ name: String) -> Element? { gst_bin_get_by_name(bin, name).map { Element(adopting: $0) } }
        guard let source = named("src"), let appSource = CGStreamer_GST_APP_SRC(source.pointer),
            let encoder = named("encoder"), let sink = named("sink"), let appSink = CGStreamer_GST_APP_SINK(sink.pointer)
        else { throw .wrapper("the JPEG encoder's graph lacks an element it names") }
        encoder.set("quality", Int32(min(max(quality, 0), 100)))
        guard gst_element_set_state(pipeline.pointer, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE else {
            throw .wrapper("the JPEG encoder did not start")
        }
        // Transfer none: the frame stays the caller's. The caps come with the sample.
        guard gst_app_src_push_sample(appSource, pointer) == GST_FLOW_OK, gst_app_src_end_of_stream(appSource) == GST_FLOW_OK
        else { throw .wrapper("the JPEG encoder refused the frame") }
        guard let bus = gst_element_get_bus(pipeline.pointer) else { throw .wrapper("the JPEG encoder has no bus") }
        defer { gst_object_unref(bus) }
        // End of stream: the JPEG waits in the sink. An error comes at once, not at the deadline.
        let wanted = GstMessageType(rawValue: GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue)
        guard let message = gst_bus_timed_pop_filtered(bus, GstClockTime(max(timeoutMilliseconds, 0)) * 1_000_000, wanted) else {
            throw .timeout("the JPEG encoder gave no image within \(timeoutMilliseconds) ms")
        }
        defer { gst_message_unref(message) }
        if CGStreamer_GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR {
            var error: UnsafeMutablePointer<GError>?
            var debug: UnsafeMutablePointer<gchar>?
            gst_message_parse_error(message, &error, &debug)
            let from = CGStreamer_GST_MESSAGE_SRC(message).flatMap { CGStreamer_GST_OBJECT_NAME($0) }.map { String(cString: $0) }
            throw GStreamerError(adopting: error, debug: debug, source: from)
        }
        guard let jpeg = gst_app_sink_try_pull_sample(appSink, 0) else { throw .wrapper("the JPEG encoder ended without an image") }
        return Sample(adopting: jpeg)
    }
}
