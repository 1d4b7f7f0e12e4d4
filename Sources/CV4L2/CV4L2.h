// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// CV4L2: the Linux V4L2 kernel interface (videodev2.h), for the control ioctls the library makes.
//
// Every helper is `static inline` and named `CV4L2_<what it stands for>`. Helpers exist because
// `ioctl` is variadic and the kernel structs carry packed unions Swift cannot fill; constants are
// re-exported from the kernel headers (their macros nest, so Swift does not import them), never restated.
#ifndef CV4L2_H
#define CV4L2_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>

#pragma clang assume_nonnull begin

// MARK: - Control ids (linux/v4l2-controls.h)

static const uint32_t CV4L2_CID_BRIGHTNESS = V4L2_CID_BRIGHTNESS;
static const uint32_t CV4L2_CID_CONTRAST = V4L2_CID_CONTRAST;
static const uint32_t CV4L2_CID_SATURATION = V4L2_CID_SATURATION;
static const uint32_t CV4L2_CID_AUTO_WHITE_BALANCE = V4L2_CID_AUTO_WHITE_BALANCE;
static const uint32_t CV4L2_CID_WHITE_BALANCE_TEMPERATURE = V4L2_CID_WHITE_BALANCE_TEMPERATURE;
static const uint32_t CV4L2_CID_SHARPNESS = V4L2_CID_SHARPNESS;
static const uint32_t CV4L2_CID_EXPOSURE_AUTO = V4L2_CID_EXPOSURE_AUTO;
static const uint32_t CV4L2_CID_EXPOSURE_ABSOLUTE = V4L2_CID_EXPOSURE_ABSOLUTE;
static const uint32_t CV4L2_CID_PAN_ABSOLUTE = V4L2_CID_PAN_ABSOLUTE;
static const uint32_t CV4L2_CID_TILT_ABSOLUTE = V4L2_CID_TILT_ABSOLUTE;
static const uint32_t CV4L2_CID_FOCUS_ABSOLUTE = V4L2_CID_FOCUS_ABSOLUTE;
static const uint32_t CV4L2_CID_FOCUS_AUTO = V4L2_CID_FOCUS_AUTO;
static const uint32_t CV4L2_CID_ZOOM_ABSOLUTE = V4L2_CID_ZOOM_ABSOLUTE;
static const uint32_t CV4L2_CID_AUTO_EXPOSURE_BIAS = V4L2_CID_AUTO_EXPOSURE_BIAS;
static const uint32_t CV4L2_CID_ISO_SENSITIVITY = V4L2_CID_ISO_SENSITIVITY;
static const uint32_t CV4L2_CID_ISO_SENSITIVITY_AUTO = V4L2_CID_ISO_SENSITIVITY_AUTO;
static const uint32_t CV4L2_CID_FLASH_LED_MODE = V4L2_CID_FLASH_LED_MODE;
static const uint32_t CV4L2_CID_FLASH_STROBE = V4L2_CID_FLASH_STROBE;
static const uint32_t CV4L2_CID_POWER_LINE_FREQUENCY = V4L2_CID_POWER_LINE_FREQUENCY;
static const uint32_t CV4L2_CID_AUTO_N_PRESET_WHITE_BALANCE = V4L2_CID_AUTO_N_PRESET_WHITE_BALANCE;
static const uint32_t CV4L2_CID_EXPOSURE_METERING = V4L2_CID_EXPOSURE_METERING;

// MARK: - Control flags (videodev2.h)

static const uint32_t CV4L2_CTRL_FLAG_DISABLED = V4L2_CTRL_FLAG_DISABLED;
static const uint32_t CV4L2_CTRL_FLAG_READ_ONLY = V4L2_CTRL_FLAG_READ_ONLY;
static const uint32_t CV4L2_CTRL_FLAG_INACTIVE = V4L2_CTRL_FLAG_INACTIVE;

// MARK: - Control ioctls (ioctl is variadic; the structs carry unions)

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
} CV4L2_control;

/// `VIDIOC_QUERY_EXT_CTRL` with `V4L2_CTRL_FLAG_NEXT_CTRL`: the control after `after` (0: the first).
/// Returns 0, or the errno (EINVAL after the last control).
static inline int CV4L2_next_control(int fd, uint32_t after, CV4L2_control *out) {
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
static inline int CV4L2_menu_name(int fd, uint32_t id, uint32_t index, char name[_Nonnull 32]) {
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
static inline int CV4L2_get(int fd, uint32_t id, int is64, int64_t *value) {
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
static inline int CV4L2_set(int fd, uint32_t id, int is64, int64_t value) {
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
static inline int CV4L2_subscribe_control(int fd, uint32_t id) {
    struct v4l2_event_subscription subscription;
    memset(&subscription, 0, sizeof subscription);
    subscription.type = V4L2_EVENT_CTRL;
    subscription.id = id;
    return ioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &subscription) != 0 ? errno : 0;
}

/// `VIDIOC_DQEVENT`: the next pending event's control id (0 for other events). Returns 0 or errno
/// (ENOENT: none pending).
static inline int CV4L2_dequeue_event(int fd, uint32_t *control) {
    struct v4l2_event event;
    memset(&event, 0, sizeof event);
    if (ioctl(fd, VIDIOC_DQEVENT, &event) != 0) return errno;
    *control = event.type == V4L2_EVENT_CTRL ? event.id : 0;
    return 0;
}

#pragma clang assume_nonnull end

#endif
