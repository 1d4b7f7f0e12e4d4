// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The virtual V4L2 camera: a user-space stand-in for a UVC webcam at the kernel interface.
//
// Preloaded (LD_PRELOAD), it answers open/stat/ioctl/mmap/close for one device path the way
// uvcvideo does, configured by a recorded webcam's `v4l2-ctl` listings. Internal header: the
// pieces below are split by what they hold (listings, the device, the JPEG encoder, the hooks).
#ifndef VIRTUAL_CAMERA_H
#define VIRTUAL_CAMERA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/videodev2.h>

#define VC_MAX_CONTROLS 128
#define VC_MAX_MENU 64
#define VC_MAX_MODES 1024
#define VC_MAX_BUFFERS 32
#define VC_MAX_EVENTS 32
#define VC_MAX_SUBSCRIPTIONS 64

typedef struct {
    int64_t index;
    char name[32];
} vc_menu_item;

typedef struct {
    uint32_t id;
    uint32_t type;  // V4L2_CTRL_TYPE_*
    char name[32];
    int64_t minimum, maximum, step, default_value, value;
    uint32_t flags;  // V4L2_CTRL_FLAG_* as listed (INACTIVE is recomputed from the companions)
    int menu_count;
    vc_menu_item menu[VC_MAX_MENU];
} vc_control;

typedef struct {
    uint32_t fourcc;
    char description[32];
    uint32_t width, height;
    uint32_t interval_numerator, interval_denominator;  // seconds per frame
} vc_mode;

/// What the listings describe.
typedef struct {
    char card[32];
    int control_count;
    vc_control controls[VC_MAX_CONTROLS];
    int mode_count;
    vc_mode modes[VC_MAX_MODES];
} vc_listing;

/// Parses `--list-ctrls-menus`/`--list-ctrls` text into `out` (controls sorted by id, standard
/// menus filled in where the listing prints none). Returns the number of controls.
int vc_parse_controls(const char *text, vc_listing *out);

/// Parses `--list-formats-ext` text into `out`; returns the number of modes (raw and MJPEG).
int vc_parse_formats(const char *text, vc_listing *out);

/// The listing's `# Device: NAME (card type 'CARD')` card type (or name) into `out`.
void vc_parse_card(const char *text, char out[32]);

/// A baseline JPEG (libjpeg, quality 88, 4:2:2) of the test pattern with detail at `width`x`height`,
/// as a webcam's: malloc'ed (free it), its size in `size`; NULL when it cannot be made.
uint8_t *vc_encode_pattern_jpeg(uint32_t width, uint32_t height, size_t *size);

/// The test pattern's colour at column `x` of a `width`-wide frame: four vertical bars.
void vc_pattern_rgb(uint32_t x, uint32_t width, uint8_t rgb[3]);

#endif
