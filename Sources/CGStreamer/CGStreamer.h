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

typedef struct {
    GstPad *target;
    GstCaps *caps;
} CGStreamer_StickyForward;

static inline gboolean CGStreamer_forward_sticky_event(GstPad *pad, GstEvent *_Nullable *_Nonnull event, gpointer data) {
    (void)pad;
    CGStreamer_StickyForward *forward = (CGStreamer_StickyForward *)data;
    GstEvent *sent = GST_EVENT_TYPE(*event) == GST_EVENT_CAPS ? gst_event_new_caps(forward->caps) : gst_event_ref(*event);
    gst_pad_push_event(forward->target, sent);
    return TRUE;
}

// Whether `to` already carries `caps` and `from`'s segment (then nothing needs forwarding).
static inline gboolean CGStreamer_pad_has_caps_and_segment(GstPad *from, GstPad *to, GstCaps *caps) {
    GstCaps *current = gst_pad_get_current_caps(to);
    gboolean same = current != NULL && gst_caps_is_equal(current, caps);
    if (current != NULL) gst_caps_unref(current);
    if (!same) return FALSE;
    GstEvent *upstream = gst_pad_get_sticky_event(from, GST_EVENT_SEGMENT, 0);
    GstEvent *downstream = gst_pad_get_sticky_event(to, GST_EVENT_SEGMENT, 0);
    if (upstream != NULL && downstream != NULL) {
        const GstSegment *a, *b;
        gst_event_parse_segment(upstream, &a);
        gst_event_parse_segment(downstream, &b);
        same = gst_segment_is_equal(a, b);
    } else {
        same = upstream == downstream;
    }
    if (upstream != NULL) gst_event_unref(upstream);
    if (downstream != NULL) gst_event_unref(downstream);
    return same;
}

// `gst_pad_push` of `buffer` on `to`, after `from`'s sticky events (stream-start, segment...) with
// `caps` in place of its CAPS event, unless `to` carries them already: what `valve` itself does when
// it reopens, for a frame held since.
static inline GstFlowReturn CGStreamer_gst_pad_push_after_sticky_events(GstPad *from, GstPad *to, GstCaps *caps, GstBuffer *buffer) {
    if (!CGStreamer_pad_has_caps_and_segment(from, to, caps)) {
        CGStreamer_StickyForward forward = { to, caps };
        gst_pad_sticky_events_foreach(from, CGStreamer_forward_sticky_event, &forward);
    }
    return gst_pad_push(to, gst_buffer_ref(buffer));
}

// MARK: - Type constants (G_TYPE_MAKE_FUNDAMENTAL expansions do not import)

static inline GType CGStreamer_G_TYPE_INT(void) { return G_TYPE_INT; }

static inline GType CGStreamer_G_TYPE_STRING(void) { return G_TYPE_STRING; }

#pragma clang assume_nonnull end

#endif
