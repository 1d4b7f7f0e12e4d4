// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGstPublishing
import GStreamerWrapper

/// An `appsrc` that encoded frames are pushed into (an RTSP media's, a WebRTC viewer's): live, each
/// buffer stamped with the pipeline's running time on arrival, at most ``maximumBytes`` queued (a
/// stalled consumer drops the newest, never grows). `@unchecked Sendable`: holds one reference to a
/// thread-safe GObject.
package final class EncodedSource: @unchecked Sendable, Hashable {
    let pointer: UnsafeMutablePointer<GstElement>
    static let maximumBytes: UInt64 = 4 << 20

    /// Takes a new reference to `appsrc`; nil when it is not one.
    init?(retaining appsrc: UnsafeMutablePointer<GstElement>) {
        guard CGstPublishing_GST_APP_SRC(appsrc) != nil else { return nil }
        gst_object_ref(appsrc)
        self.pointer = appsrc
    }

    deinit { gst_object_unref(pointer) }

    /// Sets it up for live encoded video of `caps` (the library's own caps text).
    func configure(caps: String) {
        CGstPublishing_g_object_set_bool(pointer, "is-live", 1)
        CGstPublishing_g_object_set_bool(pointer, "do-timestamp", 1)
        CGstPublishing_g_object_set_int(pointer, "format", Int32(GST_FORMAT_TIME.rawValue))
        CGstPublishing_g_object_set_uint64(pointer, "max-bytes", guint64(Self.maximumBytes))
        CGstPublishing_g_object_set_int(pointer, "leaky-type", 1)  // GST_APP_LEAKY_TYPE_UPSTREAM: drop the new
        if let parsed = gst_caps_from_string(caps) {
            CGstPublishing_g_object_set_caps(pointer, "caps", parsed)
            gst_caps_unref(parsed)
        }
    }

    /// Pushes one encoded frame (copied). False when the appsrc refused it (its pipeline stopped).
    /// The corresponding C function is `gst_app_src_push_buffer`.
    @discardableResult
    package func push(_ bytes: [UInt8], keyFrame: Bool) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return false }
            return CGstPublishing_appsrc_push_bytes(pointer, base, gsize(raw.count), keyFrame ? 0 : 1) == GST_FLOW_OK
        }
    }

    /// No more frames: the media ends (one whose camera could not be had fails its clients' requests).
    /// The corresponding C function is `gst_app_src_end_of_stream`.
    package func endOfStream() { _ = gst_app_src_end_of_stream(CGstPublishing_GST_APP_SRC(pointer)) }

    /// Calls `body` whenever a key frame is asked for downstream (a viewer lost a picture, a new
    /// viewer's decoder waits for one). Once per source.
    package func onKeyFrameRequest(_ body: @escaping @Sendable () -> Void) {
        CGstPublishing_on_key_frame_request(
            pointer, { CallbackContext.borrow($0, as: KeyFrameRequest.self) { $0.fire() } }, CallbackContext.retain(KeyFrameRequest(body)),
            { CallbackContext.release($0!, as: KeyFrameRequest.self) })
    }

    /// Fails the source's pipeline with `message` (the camera could not be had): its clients hear it at once.
    /// The corresponding C function is `gst_element_post_message`.
    package func fail(_ message: String) { CGstPublishing_post_error(pointer, message) }

    package static func == (lhs: EncodedSource, rhs: EncodedSource) -> Bool { lhs.pointer == rhs.pointer }
    package func hash(into hasher: inout Hasher) { hasher.combine(pointer) }
}

private final class KeyFrameRequest: Sendable {
    let fire: @Sendable () -> Void
    init(_ fire: @escaping @Sendable () -> Void) { self.fire = fire }
}

/// SDP as GStreamer's parser reads it.
package enum SDP {
    /// Whether `text` parses as SDP with at least one media section.
    /// The corresponding C function is `gst_sdp_message_parse_buffer`.
    package static func isValid(_ text: String) -> Bool { CGstPublishing_sdp_is_valid(text) != 0 }
}
