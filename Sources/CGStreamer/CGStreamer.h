// CGStreamer: GStreamer's headers plus the few helpers Swift cannot import by itself.
//
// Every helper is `static inline` and named `CGStreamer_<C name it stands for>`, so grepping
// GStreamer's documentation for the suffix finds the original. Each says why it exists:
// a function-like macro, a checked cast, or a variadic function (Swift imports none of these).
#ifndef CGSTREAMER_H
#define CGSTREAMER_H

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>

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
static inline void CGStreamer_g_object_set_int64(gpointer object, const char *name, gint64 value) {
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
static inline guint CGStreamer_g_object_get_uint(gpointer object, const char *name) {
    guint value = 0;
    g_object_get(object, name, &value, NULL);
    return value;
}
/// Transfer full: the caller frees the string with g_free.
static inline gchar *_Nullable CGStreamer_g_object_get_string(gpointer object, const char *name) {
    gchar *value = NULL;
    g_object_get(object, name, &value, NULL);
    return value;
}
/// Transfer full: the caller unrefs the caps.
static inline GstCaps *_Nullable CGStreamer_g_object_get_caps(gpointer object, const char *name) {
    GstCaps *value = NULL;
    g_object_get(object, name, &value, NULL);
    return value;
}
/// Whether `object`'s class has a property called `name` (G_OBJECT_GET_CLASS is a macro).
static inline gboolean CGStreamer_g_object_has_property(gpointer object, const char *name) {
    return g_object_class_find_property(G_OBJECT_GET_CLASS(object), name) != NULL;
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
static inline GstObject *_Nullable CGStreamer_GST_OBJECT(gpointer _Nullable p) {
    return (p != NULL && GST_IS_OBJECT(p)) ? GST_OBJECT(p) : NULL;
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

// MARK: - Type constants (G_TYPE_MAKE_FUNDAMENTAL expansions do not import)

static inline GType CGStreamer_G_TYPE_INT(void) { return G_TYPE_INT; }
static inline GType CGStreamer_G_TYPE_STRING(void) { return G_TYPE_STRING; }

// MARK: - V4L2 controls (ioctl is variadic, and the kernel structs carry packed unions)
// Used on the file descriptor v4l2src streams from (its `device-fd` property).

/// One control, flattened from `struct v4l2_query_ext_ctrl`.
typedef struct {
    uint32_t id;
    uint32_t type;
    char name[32];
    int64_t minimum;
    int64_t maximum;
    uint64_t step;
    int64_t default_value;
    uint32_t flags;
} CGStreamer_v4l2_control;

/// `VIDIOC_QUERY_EXT_CTRL` with `V4L2_CTRL_FLAG_NEXT_CTRL`: the control after `after` (0: the first).
/// Returns 0, or the errno (EINVAL after the last control).
static inline int CGStreamer_v4l2_next_control(int fd, uint32_t after, CGStreamer_v4l2_control *out) {
    struct v4l2_query_ext_ctrl query;
    memset(&query, 0, sizeof query);
    query.id = after | V4L2_CTRL_FLAG_NEXT_CTRL;
    if (ioctl(fd, VIDIOC_QUERY_EXT_CTRL, &query) != 0) return errno;
    out->id = query.id;
    out->type = query.type;
    memcpy(out->name, query.name, sizeof out->name);
    out->name[sizeof out->name - 1] = 0;
    out->minimum = query.minimum;
    out->maximum = query.maximum;
    out->step = query.step;
    out->default_value = query.default_value;
    out->flags = query.flags;
    return 0;
}

/// `VIDIOC_QUERYMENU`: a menu item's label (a NUL-terminated copy in `name`). Returns 0 or errno.
static inline int CGStreamer_v4l2_menu_name(int fd, uint32_t id, uint32_t index, char name[_Nonnull 32]) {
    struct v4l2_querymenu menu;
    memset(&menu, 0, sizeof menu);
    menu.id = id;
    menu.index = index;
    if (ioctl(fd, VIDIOC_QUERYMENU, &menu) != 0) return errno;
    memcpy(name, menu.name, 32);
    name[31] = 0;
    return 0;
}

/// `VIDIOC_G_EXT_CTRLS` for one control (`is64`: an int64 control). Returns 0 or errno.
static inline int CGStreamer_v4l2_get(int fd, uint32_t id, int is64, int64_t *value) {
    struct v4l2_ext_control control;
    struct v4l2_ext_controls controls;
    memset(&control, 0, sizeof control);
    memset(&controls, 0, sizeof controls);
    control.id = id;
    controls.which = V4L2_CTRL_WHICH_CUR_VAL;
    controls.count = 1;
    controls.controls = &control;
    if (ioctl(fd, VIDIOC_G_EXT_CTRLS, &controls) != 0) return errno;
    *value = is64 ? control.value64 : control.value;
    return 0;
}

/// `VIDIOC_S_EXT_CTRLS` for one control. Returns 0 or errno (EACCES: read-only or inactive).
static inline int CGStreamer_v4l2_set(int fd, uint32_t id, int is64, int64_t value) {
    struct v4l2_ext_control control;
    struct v4l2_ext_controls controls;
    memset(&control, 0, sizeof control);
    memset(&controls, 0, sizeof controls);
    control.id = id;
    if (is64) control.value64 = value; else control.value = (int32_t)value;
    controls.which = V4L2_CTRL_WHICH_CUR_VAL;
    controls.count = 1;
    controls.controls = &control;
    return ioctl(fd, VIDIOC_S_EXT_CTRLS, &controls) != 0 ? errno : 0;
}

/// `VIDIOC_SUBSCRIBE_EVENT` for `V4L2_EVENT_CTRL` on one control. Returns 0 or errno.
static inline int CGStreamer_v4l2_subscribe_control(int fd, uint32_t id) {
    struct v4l2_event_subscription subscription;
    memset(&subscription, 0, sizeof subscription);
    subscription.type = V4L2_EVENT_CTRL;
    subscription.id = id;
    return ioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &subscription) != 0 ? errno : 0;
}

/// `VIDIOC_DQEVENT`: the next pending event's control id (0 for other events). Returns 0 or errno
/// (ENOENT: none pending).
static inline int CGStreamer_v4l2_dequeue_event(int fd, uint32_t *control) {
    struct v4l2_event event;
    memset(&event, 0, sizeof event);
    if (ioctl(fd, VIDIOC_DQEVENT, &event) != 0) return errno;
    *control = event.type == V4L2_EVENT_CTRL ? event.id : 0;
    return 0;
}

#pragma clang assume_nonnull end

#endif
