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
