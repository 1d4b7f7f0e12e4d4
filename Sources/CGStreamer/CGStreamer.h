// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// CGStreamer: GStreamer's headers plus the few helpers Swift cannot import by itself.
//
// Every helper is `static inline` and named `CGStreamer_<C name it stands for>`, so grepping
// GStreamer's documentation for the suffix finds the original. Each says why it exists:
// a function-like macro, a checked cast, or a variadic function (Swift imports none of these).
#ifndef CGSTREAMER_H
#define CGSTREAMER_H

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#pragma clang assume_nonnull begin

// MARK: - Typed g_object_set / g_object_get (variadic in C)

static inline void CGStreamer_g_object_set_bool(gpointer object, const char *name, gboolean value) {
    g_object_set(object, name, value, NULL);
}
static inline void CGStreamer_g_object_set_int(gpointer object, const char *name, gint value) {
    g_object_set(object, name, value, NULL);
}
static inline void CGStreamer_g_object_set_uint(gpointer object, const char *name, guint value) {
    g_object_set(object, name, value, NULL);
}
static inline void CGStreamer_g_object_set_uint64(gpointer object, const char *name, guint64 value) {
    g_object_set(object, name, value, NULL);
}
static inline void CGStreamer_g_object_set_double(gpointer object, const char *name, gdouble value) {
    g_object_set(object, name, value, NULL);
}
static inline void CGStreamer_g_object_set_string(gpointer object, const char *name, const char *value) {
    g_object_set(object, name, value, NULL);
}
static inline void CGStreamer_g_object_set_caps(gpointer object, const char *name, GstCaps *_Nullable value) {
    g_object_set(object, name, value, NULL);
}
static inline gboolean CGStreamer_g_object_get_bool(gpointer object, const char *name) {
    gboolean value = FALSE;
    g_object_get(object, name, &value, NULL);
    return value;
}
static inline gint CGStreamer_g_object_get_int(gpointer object, const char *name) {
    gint value = 0;
    g_object_get(object, name, &value, NULL);
    return value;
}

// MARK: - Checked casts (macros in C); NULL when the object is not of that type

static inline GstElement *_Nullable CGStreamer_GST_ELEMENT(gpointer _Nullable p) {
    return (p != NULL && GST_IS_ELEMENT(p)) ? GST_ELEMENT(p) : NULL;
}
static inline GstBin *_Nullable CGStreamer_GST_BIN(gpointer _Nullable p) {
    return (p != NULL && GST_IS_BIN(p)) ? GST_BIN(p) : NULL;
}
static inline GstAppSink *_Nullable CGStreamer_GST_APP_SINK(gpointer _Nullable p) {
    return (p != NULL && GST_IS_APP_SINK(p)) ? GST_APP_SINK(p) : NULL;
}
static inline GstAppSrc *_Nullable CGStreamer_GST_APP_SRC(gpointer _Nullable p) {
    return (p != NULL && GST_IS_APP_SRC(p)) ? GST_APP_SRC(p) : NULL;
}
static inline GstDevice *_Nullable CGStreamer_GST_DEVICE(gpointer _Nullable p) {
    return (p != NULL && GST_IS_DEVICE(p)) ? GST_DEVICE(p) : NULL;
}

// MARK: - Field accessors (macros in C)

static inline gint CGStreamer_GST_OBJECT_REFCOUNT_VALUE(gpointer object) {
    return GST_OBJECT_REFCOUNT_VALUE(object);
}
static inline const gchar *_Nullable CGStreamer_GST_OBJECT_NAME(gpointer object) {
    return GST_OBJECT_NAME(object);
}
static inline GstMessageType CGStreamer_GST_MESSAGE_TYPE(GstMessage *message) {
    return GST_MESSAGE_TYPE(message);
}
static inline GstObject *_Nullable CGStreamer_GST_MESSAGE_SRC(GstMessage *message) {
    return GST_MESSAGE_SRC(message);
}
static inline const gchar *_Nullable CGStreamer_GST_ELEMENT_FACTORY_NAME(GstElement *element) {
    GstElementFactory *factory = gst_element_get_factory(element);
    return factory != NULL ? GST_OBJECT_NAME(factory) : NULL;
}

// A macro in the headers.
static inline GstBuffer *CGStreamer_gst_buffer_make_writable(GstBuffer *buffer) { return gst_buffer_make_writable(buffer); }

// MARK: - Re-sending a held frame past a closed valve

// `gst_pad_push` of `buffer` on `to` under `from`'s stream lock, when `from`'s current caps are
// `caps` (else GST_FLOW_NOT_NEGOTIATED): the streaming thread takes the same locks in the same order
// (`from`'s, then downstream's), and no caps event can slip between the check and the push.
static inline GstFlowReturn CGStreamer_gst_pad_push_held(GstPad *from, GstPad *to, GstCaps *caps, GstBuffer *buffer) {
    GST_PAD_STREAM_LOCK(from);
    GstCaps *current = gst_pad_get_current_caps(from);
    gboolean same = current != NULL && gst_caps_is_equal(current, caps);
    if (current != NULL) gst_caps_unref(current);
    GstFlowReturn result = same ? gst_pad_push(to, gst_buffer_ref(buffer)) : GST_FLOW_NOT_NEGOTIATED;
    GST_PAD_STREAM_UNLOCK(from);
    return result;
}

/// Pushes `buffer` (a new reference) with its presentation and decoding times moved `earlier`
/// nanoseconds back (clamped at 0): a metadata copy, its memory shared.
static inline GstFlowReturn CGStreamer_gst_pad_push_shifted(GstPad *pad, GstBuffer *buffer, guint64 earlier) {
    GstBuffer *copy = gst_buffer_copy(buffer);
    if (copy == NULL) return GST_FLOW_ERROR;
    if (GST_BUFFER_PTS_IS_VALID(copy)) GST_BUFFER_PTS(copy) = GST_BUFFER_PTS(copy) > earlier ? GST_BUFFER_PTS(copy) - earlier : 0;
    if (GST_BUFFER_DTS_IS_VALID(copy)) GST_BUFFER_DTS(copy) = GST_BUFFER_DTS(copy) > earlier ? GST_BUFFER_DTS(copy) - earlier : 0;
    return gst_pad_push(pad, copy);
}

/// Pushes `sample`'s buffer into `appsrc` at presentation time `pts` (a copy of its metadata; of its
/// memory, zeroed, with `silence`), with the sample's caps. The corresponding C function is
/// `gst_app_src_push_sample`.
static inline GstFlowReturn CGStreamer_appsrc_push_stamped(GstElement *appsrc, GstSample *sample, guint64 pts, gboolean silence) {
    GstBuffer *buffer = gst_sample_get_buffer(sample);
    if (buffer == NULL) return GST_FLOW_ERROR;
    GstBuffer *copy = silence ? gst_buffer_copy_deep(buffer) : gst_buffer_copy(buffer);
    if (copy == NULL) return GST_FLOW_ERROR;
    if (silence) gst_buffer_memset(copy, 0, 0, gst_buffer_get_size(copy));
    GST_BUFFER_PTS(copy) = pts;
    GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
    GstSample *stamped = gst_sample_new(copy, gst_sample_get_caps(sample), NULL, NULL);
    gst_buffer_unref(copy);
    if (stamped == NULL) return GST_FLOW_ERROR;
    GstFlowReturn result = gst_app_src_push_sample(GST_APP_SRC(appsrc), stamped);
    gst_sample_unref(stamped);
    return result;
}

static inline GstFlowReturn CGStreamer_appsrc_end_of_stream(GstElement *appsrc) {
    return gst_app_src_end_of_stream(GST_APP_SRC(appsrc));
}

static inline gboolean CGStreamer_GST_BUFFER_IS_DELTA_UNIT(GstBuffer *buffer) {
    return GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
}

// MARK: - Type constants (G_TYPE_MAKE_FUNDAMENTAL expansions do not import)

static inline GType CGStreamer_G_TYPE_INT(void) { return G_TYPE_INT; }

static inline GType CGStreamer_G_TYPE_STRING(void) { return G_TYPE_STRING; }

#pragma clang assume_nonnull end

#endif
