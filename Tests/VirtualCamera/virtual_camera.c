// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The virtual V4L2 camera's device: what uvcvideo does behind one device node, in user space.
//
// Configured by the environment:
//   VIRTUAL_CAMERA          the device path it answers for (default /dev/video42)
//   VIRTUAL_CAMERA_CTRLS    a `v4l2-ctl --list-ctrls-menus` (or `--list-ctrls`) listing (required)
//   VIRTUAL_CAMERA_FORMATS  a `v4l2-ctl --list-formats-ext` listing (default: 640x480 YUYV at 30 fps)
//   VIRTUAL_CAMERA_CONTROL  a file of commands, appended to while it runs (see apply_command)
//   VIRTUAL_CAMERA_LOG      a file it appends one line to per notable call (formats, streams, writes)
//   VIRTUAL_CAMERA_LOCK     the lock file that makes streaming exclusive across processes
//   VIRTUAL_CAMERA_TRACE    1: every ioctl and its result go to the log as well
//
// Each open gives a handle whose descriptor is one end of a loopback TCP connection: frames make it
// readable (POLLIN, one byte while any buffer is done), control events raise urgent data (POLLPRI),
// an unplug resets the connection (POLLERR|POLLHUP). So `poll` works on it unchanged.
#define _GNU_SOURCE
#include "virtual_camera.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"

#define MAX_FD 65536

typedef struct {
    uint32_t id;
    uint32_t changes;
} pending_event;

typedef struct handle {
    int fd;          // what the application holds (or one of its duplicates)
    int references;  // descriptors naming this handle (dup shares the file handle, as in the kernel)
    int peer;        // our end of the connection (-1 after an unplug reset it)
    bool nonblocking;
    bool gone;        // opened before an unplug: dead for good, as a kernel file handle stays
    bool privileged;  // owns the stream (uvcvideo's "privileges")
    int lock_fd;      // the cross-process stream lock while privileged
    int buffer_count;
    int memfd;
    uint8_t *memory;  // the buffers, mapped once for the producer
    size_t buffer_stride;
    struct {
        bool queued, done;
        uint32_t bytesused, sequence;
        struct timeval timestamp;
    } buffers[VC_MAX_BUFFERS];
    int queue[VC_MAX_BUFFERS], queue_length;  // queued, in order
    int done[VC_MAX_BUFFERS], done_length;    // filled, in order
    bool streaming;
    bool producer_running;
    pthread_t producer;
    pthread_cond_t changed;  // a buffer is done, or the stream stopped
    uint32_t sequence;
    uint32_t subscriptions[VC_MAX_SUBSCRIPTIONS];
    int subscription_count;
    pending_event events[VC_MAX_EVENTS];
    int event_count;
    uint32_t event_sequence;
    bool urgent_outstanding;
} handle;

static struct {
    pthread_mutex_t lock;
    bool configured;
    char path[256];
    vc_listing listing;
    // The current format and frame interval (device-wide, as uvcvideo keeps them per stream).
    vc_mode format;
    uint32_t sizeimage, bytesperline;
    uint8_t *image;  // one frame of the pattern in the current format
    size_t image_size;
    bool unplugged, stalled;
    bool trace;  // VIRTUAL_CAMERA_TRACE=1: every ioctl goes to the log
    int open_delay_ms;
    char control_path[256], log_path[256], lock_path[256];
    long control_offset;
    int listener;
    handle *handles[MAX_FD];
} vc = {.lock = PTHREAD_MUTEX_INITIALIZER, .listener = -1};

// MARK: - Helpers

static void vc_log(const char *format, ...) {
    if (!vc.log_path[0]) return;
    char line[512];
    int length = snprintf(line, sizeof line, "pid=%d ", (int)getpid());
    va_list arguments;
    va_start(arguments, format);
    length += vsnprintf(line + length, sizeof line - (size_t)length, format, arguments);
    va_end(arguments);
    if (length >= (int)sizeof line - 1) length = (int)sizeof line - 2;
    line[length++] = '\n';
    int fd = real_open(vc.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ssize_t ignored = write(fd, line, (size_t)length);
    (void)ignored;
    real_close(fd);
}

static char *read_file(const char *path) {
    int fd = real_open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return NULL;
    size_t capacity = 1 << 16, size = 0;
    char *text = malloc(capacity + 1);
    for (ssize_t got; text && (got = read(fd, text + size, capacity - size)) > 0;) {
        size += (size_t)got;
        if (size == capacity) {
            char *grown = realloc(text, (capacity *= 2) + 1);
            if (!grown) free(text);
            text = grown;
        }
    }
    real_close(fd);
    if (text) text[size] = 0;
    return text;
}

static int64_t monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static vc_control *find_control(uint32_t id) {
    for (int i = 0; i < vc.listing.control_count; i++)
        if (vc.listing.controls[i].id == id) return &vc.listing.controls[i];
    return NULL;
}

// MARK: - Configuration

static void set_format(const vc_mode *mode);

/// Reads the environment once (under the lock).
static void configure(void) {
    if (vc.configured) return;
    vc.configured = true;
    const char *path = getenv("VIRTUAL_CAMERA");
    snprintf(vc.path, sizeof vc.path, "%s", path && *path ? path : "/dev/video42");
    const char *value;
    if ((value = getenv("VIRTUAL_CAMERA_CONTROL"))) snprintf(vc.control_path, sizeof vc.control_path, "%s", value);
    if ((value = getenv("VIRTUAL_CAMERA_LOG"))) snprintf(vc.log_path, sizeof vc.log_path, "%s", value);
    vc.trace = (value = getenv("VIRTUAL_CAMERA_TRACE")) && strcmp(value, "1") == 0;
    if ((value = getenv("VIRTUAL_CAMERA_LOCK")) && *value) {
        snprintf(vc.lock_path, sizeof vc.lock_path, "%s", value);
    } else {
        char name[256];
        snprintf(name, sizeof name, "%s", vc.path);
        for (char *c = name; *c; c++)
            if (*c == '/') *c = '_';
        snprintf(vc.lock_path, sizeof vc.lock_path, "/tmp/virtual-camera-%d%.200s.lock", (int)getuid(), name);
    }
    char *controls = (value = getenv("VIRTUAL_CAMERA_CTRLS")) ? read_file(value) : NULL;
    if (controls) {
        vc_parse_controls(controls, &vc.listing);
        vc_parse_card(controls, vc.listing.card);
        free(controls);
    } else {
        snprintf(vc.listing.card, sizeof vc.listing.card, "Virtual Camera");
    }
    char *formats = (value = getenv("VIRTUAL_CAMERA_FORMATS")) && *value ? read_file(value) : NULL;
    if (formats) {
        vc_parse_formats(formats, &vc.listing);
        free(formats);
    }
    // Only what a UVC camera streams: YUYV, NV12 and MJPEG (H.264 is left out, as the library does).
    int kept = 0;
    for (int i = 0; i < vc.listing.mode_count; i++) {
        uint32_t f = vc.listing.modes[i].fourcc;
        if (f == V4L2_PIX_FMT_YUYV || f == V4L2_PIX_FMT_NV12 || f == V4L2_PIX_FMT_MJPEG)
            vc.listing.modes[kept++] = vc.listing.modes[i];
    }
    vc.listing.mode_count = kept;
    if (vc.listing.mode_count == 0) {
        vc.listing.modes[0] = (vc_mode){V4L2_PIX_FMT_YUYV, "YUYV 4:2:2", 640, 480, 1, 30};
        vc.listing.mode_count = 1;
    }
    set_format(&vc.listing.modes[0]);
}

// MARK: - Controls, with uvcvideo's rules

/// The companions: a manual value is inactive while its automatic mode is on (as the library's
/// recorded device has it).
static void update_inactive(void) {
    struct { uint32_t slave, master; } pairs[] = {
        {V4L2_CID_EXPOSURE_ABSOLUTE, V4L2_CID_EXPOSURE_AUTO},
        {V4L2_CID_WHITE_BALANCE_TEMPERATURE, V4L2_CID_AUTO_WHITE_BALANCE},
        {V4L2_CID_FOCUS_ABSOLUTE, V4L2_CID_FOCUS_AUTO},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        vc_control *slave = find_control(pairs[i].slave), *master = find_control(pairs[i].master);
        if (!slave || !master) continue;
        bool inactive = pairs[i].master == V4L2_CID_EXPOSURE_AUTO
            ? master->value != V4L2_EXPOSURE_MANUAL && master->value != V4L2_EXPOSURE_SHUTTER_PRIORITY
            : master->value != 0;
        slave->flags = inactive ? slave->flags | V4L2_CTRL_FLAG_INACTIVE : slave->flags & ~V4L2_CTRL_FLAG_INACTIVE;
    }
}

static bool menu_has(const vc_control *control, int64_t index) {
    for (int i = 0; i < control->menu_count; i++)
        if (control->menu[i].index == index) return true;
    return false;
}

static void queue_event(handle *h, uint32_t id, uint32_t changes);

/// Every handle subscribed to `id`, except `origin`, hears of the change.
static void notify(uint32_t id, uint32_t changes, handle *origin) {
    for (int fd = 0; fd < MAX_FD; fd++) {
        handle *h = vc.handles[fd];
        if (!h || h == origin) continue;
        for (int s = 0; s < h->subscription_count; s++)
            if (h->subscriptions[s] == id) queue_event(h, id, changes);
    }
}

/// Writes a control as the driver does: 0 or the errno (EACCES, EINVAL, ERANGE).
static int write_control(uint32_t id, int64_t value, handle *origin, bool try_only) {
    vc_control *control = find_control(id);
    if (!control || control->type == V4L2_CTRL_TYPE_CTRL_CLASS) return EINVAL;
    if (control->flags & (V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_INACTIVE)) return EACCES;
    int64_t taken = value < control->minimum ? control->minimum : value > control->maximum ? control->maximum : value;
    switch (control->type) {
    case V4L2_CTRL_TYPE_MENU:
    case V4L2_CTRL_TYPE_INTEGER_MENU:
        if (value < control->minimum || value > control->maximum) return ERANGE;
        if (!menu_has(control, value)) return EINVAL;
        taken = value;
        break;
    case V4L2_CTRL_TYPE_BUTTON:
        if (!try_only) vc_log("STROBE 0x%08x %s", id, control->name);
        taken = 0;
        break;
    case V4L2_CTRL_TYPE_INTEGER:
        if (control->step > 1) {
            int64_t steps = (taken - control->minimum + control->step / 2) / control->step;
            taken = control->minimum + steps * control->step;
            if (taken > control->maximum) taken -= control->step;
        }
        break;
    default:
        break;
    }
    if (try_only) return 0;
    vc_log("S_CTRL 0x%08x %s %lld%s", id, control->name, (long long)taken, origin ? "" : " (another program)");
    if (control->type == V4L2_CTRL_TYPE_BUTTON) return 0;
    bool changed = control->value != taken;
    control->value = taken;
    uint32_t before[VC_MAX_CONTROLS];
    for (int i = 0; i < vc.listing.control_count; i++) before[i] = vc.listing.controls[i].flags;
    update_inactive();
    if (changed) notify(id, V4L2_EVENT_CTRL_CH_VALUE, origin);
    for (int i = 0; i < vc.listing.control_count; i++)
        if (before[i] != vc.listing.controls[i].flags) notify(vc.listing.controls[i].id, V4L2_EVENT_CTRL_CH_FLAGS, NULL);
    return 0;
}

/// Reads a control: 0 or the errno.
static int read_control(uint32_t id, int64_t *value) {
    vc_control *control = find_control(id);
    if (!control || control->type == V4L2_CTRL_TYPE_CTRL_CLASS) return EINVAL;
    if (control->flags & V4L2_CTRL_FLAG_WRITE_ONLY) return EACCES;
    *value = control->value;
    return 0;
}

/// The control after `after` in id order, counting one class heading before each class's first
/// control (what `v4l2-ctl` prints as "User Controls"). Fills `out`; false after the last.
static bool next_control(uint32_t after, bool first, vc_control *out) {
    for (int i = 0; i < vc.listing.control_count; i++) {
        const vc_control *control = &vc.listing.controls[i];
        uint32_t class_id = V4L2_CTRL_ID2WHICH(control->id) | 1;
        bool class_first = i == 0 || V4L2_CTRL_ID2WHICH(vc.listing.controls[i - 1].id) != V4L2_CTRL_ID2WHICH(control->id);
        if (class_first && (first || class_id > after)) {
            static const struct { uint32_t which; const char *name; } names[] = {
                {V4L2_CTRL_CLASS_USER, "User Controls"}, {V4L2_CTRL_CLASS_CAMERA, "Camera Controls"},
                {V4L2_CTRL_CLASS_FLASH, "Flash Controls"}, {V4L2_CTRL_CLASS_IMAGE_SOURCE, "Image Source Controls"},
                {V4L2_CTRL_CLASS_IMAGE_PROC, "Image Processing Controls"},
            };
            memset(out, 0, sizeof *out);
            out->id = class_id;
            out->type = V4L2_CTRL_TYPE_CTRL_CLASS;
            out->flags = V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY;
            snprintf(out->name, sizeof out->name, "Controls");
            for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
                if (names[n].which == V4L2_CTRL_ID2WHICH(control->id)) snprintf(out->name, sizeof out->name, "%s", names[n].name);
            return true;
        }
        if (first || control->id > after) {
            *out = *control;
            return true;
        }
    }
    return false;
}

// MARK: - Events (POLLPRI through urgent data)

static void raise_urgent(handle *h) {
    if (h->urgent_outstanding || h->peer < 0 || h->event_count == 0) return;
    char byte = 'e';
    if (send(h->peer, &byte, 1, MSG_OOB | MSG_DONTWAIT | MSG_NOSIGNAL) == 1) h->urgent_outstanding = true;
}

static void queue_event(handle *h, uint32_t id, uint32_t changes) {
    for (int i = 0; i < h->event_count; i++) {
        if (h->events[i].id == id) {
            h->events[i].changes |= changes;  // merged, as V4L2 merges a full queue's events
            return;
        }
    }
    if (h->event_count == VC_MAX_EVENTS) return;
    h->events[h->event_count++] = (pending_event){id, changes};
    raise_urgent(h);
}

// MARK: - Frames (POLLIN through one byte while any buffer is done)

/// Puts the descriptor's readability back in line with the done queue (after a read passed the
/// urgent mark, or the queue emptied).
static void resync(handle *h) {
    char scratch[64];
    while (recv(h->fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {}
    h->urgent_outstanding = false;  // a normal read past the mark ends urgent mode
    if (h->peer >= 0 && h->done_length > 0) {
        char byte = 'f';
        ssize_t ignored = send(h->peer, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)ignored;
    }
    raise_urgent(h);
}

static void render_frame(void) {
    free(vc.image);
    vc.image = NULL;
    vc.image_size = 0;
    uint32_t w = vc.format.width, h = vc.format.height;
    if (vc.format.fourcc == V4L2_PIX_FMT_MJPEG) {
        vc.image = vc_encode_pattern_jpeg(w, h, &vc.image_size);
        return;
    }
    size_t size = vc.format.fourcc == V4L2_PIX_FMT_NV12 ? (size_t)w * h * 3 / 2 : (size_t)w * h * 2;
    vc.image = malloc(size);
    if (!vc.image) return;
    vc.image_size = size;
    // BT.601 limited range, what uvcvideo's sRGB colorspace means for YUV.
    for (uint32_t x = 0; x < w; x += 2) {
        uint8_t rgb[3];
        vc_pattern_rgb(x, w, rgb);
        double r = rgb[0], g = rgb[1], b = rgb[2];
        uint8_t y = (uint8_t)(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255 + 0.5);
        uint8_t u = (uint8_t)(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255 + 0.5);
        uint8_t v = (uint8_t)(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255 + 0.5);
        if (vc.format.fourcc == V4L2_PIX_FMT_NV12) {
            for (uint32_t row = 0; row < h; row++) {
                vc.image[(size_t)row * w + x] = y;
                if (x + 1 < w) vc.image[(size_t)row * w + x + 1] = y;
            }
            for (uint32_t row = 0; row < h / 2; row++) {
                uint8_t *uv = vc.image + (size_t)w * h + (size_t)row * w + x;
                uv[0] = u;
                if (x + 1 < w) uv[1] = v;
            }
        } else {
            for (uint32_t row = 0; row < h; row++) {
                uint8_t *pixel = vc.image + ((size_t)row * w + x) * 2;
                pixel[0] = y;
                pixel[1] = u;
                if (x + 1 < w) {
                    pixel[2] = y;
                    pixel[3] = v;
                }
            }
        }
    }
}

static void set_format(const vc_mode *mode) {
    vc.format = *mode;
    uint32_t w = mode->width, h = mode->height;
    switch (mode->fourcc) {
    case V4L2_PIX_FMT_MJPEG:
        vc.bytesperline = 0;
        vc.sizeimage = w * h * 2 > 65536 ? w * h * 2 : 65536;
        break;
    case V4L2_PIX_FMT_NV12:
        vc.bytesperline = w;
        vc.sizeimage = w * h * 3 / 2;
        break;
    default:
        vc.bytesperline = w * 2;
        vc.sizeimage = w * h * 2;
    }
    render_frame();
}

/// The listed frame nearest to `width`x`height` in `fourcc` (uvcvideo's distance), with its first
/// (default) interval; the first format when `fourcc` is not offered.
static const vc_mode *nearest_mode(uint32_t fourcc, uint32_t width, uint32_t height) {
    bool offered = false;
    for (int i = 0; i < vc.listing.mode_count; i++) offered |= vc.listing.modes[i].fourcc == fourcc;
    if (!offered) fourcc = vc.listing.modes[0].fourcc;
    const vc_mode *best = NULL;
    uint64_t best_distance = UINT64_MAX;
    for (int i = 0; i < vc.listing.mode_count; i++) {
        const vc_mode *mode = &vc.listing.modes[i];
        if (mode->fourcc != fourcc) continue;
        uint64_t w = mode->width, h = mode->height;
        uint64_t overlap = (w < width ? w : width) * (h < height ? h : height);
        uint64_t distance = w * h + (uint64_t)width * height - 2 * overlap;
        if (distance < best_distance) {
            best = mode;
            best_distance = distance;
        }
    }
    return best;
}

static void *produce(void *context) {
    handle *h = context;
    pthread_mutex_lock(&vc.lock);
    uint64_t interval = (uint64_t)vc.format.interval_numerator * 1000000000 / vc.format.interval_denominator;
    int64_t next = monotonic_ns() + (int64_t)interval;
    while (h->streaming) {
        pthread_mutex_unlock(&vc.lock);
        struct timespec at = {.tv_sec = next / 1000000000, .tv_nsec = next % 1000000000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR) {}
        pthread_mutex_lock(&vc.lock);
        next += (int64_t)interval;
        if (!h->streaming) break;
        if (vc.stalled || h->gone || h->queue_length == 0) {
            h->sequence++;  // a frame the camera had no buffer for: dropped, as the driver counts it
            continue;
        }
        int index = h->queue[0];
        memmove(h->queue, h->queue + 1, sizeof h->queue[0] * (size_t)--h->queue_length);
        size_t size = vc.image_size < vc.sizeimage ? vc.image_size : vc.sizeimage;
        memcpy(h->memory + h->buffer_stride * (size_t)index, vc.image, size);
        int64_t now = monotonic_ns();
        h->buffers[index].queued = false;
        h->buffers[index].done = true;
        h->buffers[index].bytesused = (uint32_t)size;
        h->buffers[index].sequence = h->sequence++;
        h->buffers[index].timestamp = (struct timeval){.tv_sec = now / 1000000000, .tv_usec = (now % 1000000000) / 1000};
        h->done[h->done_length++] = index;
        if (h->done_length == 1) resync(h);
        pthread_cond_broadcast(&h->changed);
    }
    pthread_mutex_unlock(&vc.lock);
    return NULL;
}

// MARK: - Streaming privileges (one streaming handle per device, across processes)

static int acquire_privileges(handle *h) {
    if (h->privileged) return 0;
    for (int fd = 0; fd < MAX_FD; fd++)
        if (vc.handles[fd] && vc.handles[fd]->privileged) return EBUSY;
    int lock = real_open(vc.lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lock < 0) return EBUSY;
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
        real_close(lock);
        return EBUSY;
    }
    h->lock_fd = lock;
    h->privileged = true;
    return 0;
}

static void dismiss_privileges(handle *h) {
    if (!h->privileged) return;
    real_close(h->lock_fd);  // closing the descriptor releases the lock
    h->lock_fd = -1;
    h->privileged = false;
}

/// Stops the stream; returns with the lock held, the producer joined.
static void stop_stream(handle *h) {
    if (!h->streaming) return;
    h->streaming = false;
    pthread_cond_broadcast(&h->changed);
    if (h->producer_running) {
        h->producer_running = false;
        pthread_t producer = h->producer;
        pthread_mutex_unlock(&vc.lock);
        pthread_join(producer, NULL);
        pthread_mutex_lock(&vc.lock);
    }
    for (int i = 0; i < h->buffer_count; i++) h->buffers[i].queued = h->buffers[i].done = false;
    h->queue_length = h->done_length = 0;
    resync(h);
    vc_log("STREAMOFF");
}

static void free_buffers(handle *h) {
    if (h->memory) munmap(h->memory, h->buffer_stride * (size_t)h->buffer_count);
    h->memory = NULL;
    if (h->memfd >= 0) real_close(h->memfd);
    h->memfd = -1;
    h->buffer_count = 0;
}

// MARK: - Commands ("another program", faults)

/// One line of the control file:
///   set NAME|0xID VALUE   another program writes a control (the driver's rules; events fire)
///   unplug | plug         the camera goes away (ENODEV, POLLERR|POLLHUP) or comes back
///   stall | resume        frames stop or start again
///   block-open MS         each open blocks MS milliseconds first (a wedged driver); 0 ends it
static void apply_command(char *line) {
    char verb[32] = "", name[64] = "";
    long long value = 0;
    int fields = sscanf(line, "%31s %63s %lld", verb, name, &value);
    if (fields >= 1 && strcmp(verb, "unplug") == 0 && !vc.unplugged) {
        vc.unplugged = true;
        vc_log("UNPLUG");
        for (int fd = 0; fd < MAX_FD; fd++) {
            handle *h = vc.handles[fd];
            if (!h) continue;
            h->gone = true;
            pthread_cond_broadcast(&h->changed);
            if (h->peer < 0) continue;
            struct linger reset = {1, 0};
            setsockopt(h->peer, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            real_close(h->peer);  // a reset: the application's end reports POLLERR|POLLHUP
            h->peer = -1;
            pthread_cond_broadcast(&h->changed);
        }
    } else if (fields >= 1 && strcmp(verb, "plug") == 0) {
        vc.unplugged = false;
        vc_log("PLUG");
    } else if (fields >= 1 && strcmp(verb, "stall") == 0) {
        vc.stalled = true;
        vc_log("STALL");
    } else if (fields >= 1 && strcmp(verb, "resume") == 0) {
        vc.stalled = false;
        vc_log("RESUME");
    } else if (fields >= 2 && strcmp(verb, "block-open") == 0) {
        vc.open_delay_ms = atoi(name);
        vc_log("BLOCK-OPEN %d", vc.open_delay_ms);
    } else if (fields == 3 && strcmp(verb, "set") == 0) {
        uint32_t id = 0;
        if (strncmp(name, "0x", 2) == 0) {
            id = (uint32_t)strtoul(name + 2, NULL, 16);
        } else {
            for (int i = 0; i < vc.listing.control_count; i++)
                if (strcmp(vc.listing.controls[i].name, name) == 0) id = vc.listing.controls[i].id;
        }
        int error = write_control(id, value, NULL, false);
        if (error) vc_log("SET-REFUSED %s %lld: %s", name, value, strerror(error));
    }
}

/// Applies the control file's new lines (every process reads it from the start: the commands are
/// the device's history).
static void poll_commands(void) {
    if (!vc.control_path[0]) return;
    int fd = real_open(vc.control_path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return;
    char text[4096];
    ssize_t got = pread(fd, text, sizeof text - 1, vc.control_offset);
    real_close(fd);
    if (got <= 0) return;
    text[got] = 0;
    char *end = strrchr(text, '\n');
    if (!end) return;  // only whole lines
    *end = 0;
    vc.control_offset += end - text + 1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) apply_command(line);
}

static void *watch_commands(void *unused) {
    (void)unused;
    for (;;) {
        struct timespec tick = {0, 10 * 1000000};
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&vc.lock);
        poll_commands();
        pthread_mutex_unlock(&vc.lock);
    }
    return NULL;
}

__attribute__((constructor)) static void start(void) {
    pthread_mutex_lock(&vc.lock);
    configure();
    poll_commands();
    pthread_mutex_unlock(&vc.lock);
    if (getenv("VIRTUAL_CAMERA_CONTROL")) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, watch_commands, NULL) == 0) pthread_detach(thread);
    }
}

// MARK: - The hooks' side: open, close, stat, mmap, ioctl

bool vc_is_device_path(const char *path) {
    if (!path) return false;
    pthread_mutex_lock(&vc.lock);
    configure();
    bool match = strcmp(path, vc.path) == 0;
    pthread_mutex_unlock(&vc.lock);
    return match;
}

bool vc_is_device_fd(int fd) { return fd >= 0 && fd < MAX_FD && __atomic_load_n(&vc.handles[fd], __ATOMIC_ACQUIRE); }

int vc_stat(struct stat *out) {
    pthread_mutex_lock(&vc.lock);
    poll_commands();
    bool gone = vc.unplugged;
    pthread_mutex_unlock(&vc.lock);
    if (gone) {
        errno = ENOENT;
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->st_mode = S_IFCHR | 0660;
    out->st_rdev = makedev(81, 42);
    out->st_nlink = 1;
    out->st_blksize = 4096;
    return 0;
}

/// A connected loopback pair: `*application` gets the readiness, `*peer` raises it.
static int connect_pair(int *application, int *peer) {
    if (vc.listener < 0) {
        int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0) {
            if (listener >= 0) real_close(listener);
            return -1;
        }
        vc.listener = listener;
    }
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    if (getsockname(vc.listener, (struct sockaddr *)&address, &length) != 0) return -1;
    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0) return -1;
    if (connect(client, (struct sockaddr *)&address, length) != 0) {
        real_close(client);
        return -1;
    }
    int server = accept4(vc.listener, NULL, NULL, SOCK_CLOEXEC);
    if (server < 0) {
        real_close(client);
        return -1;
    }
    int one = 1;
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *application = client;
    *peer = server;
    return 0;
}

int vc_open(int flags) {
    pthread_mutex_lock(&vc.lock);
    poll_commands();
    int delay = vc.open_delay_ms;
    pthread_mutex_unlock(&vc.lock);
    if (delay > 0) {
        struct timespec wait = {delay / 1000, (long)(delay % 1000) * 1000000};
        while (nanosleep(&wait, &wait) != 0 && errno == EINTR) {}
    }
    pthread_mutex_lock(&vc.lock);
    if (vc.unplugged) {
        pthread_mutex_unlock(&vc.lock);
        errno = ENOENT;
        return -1;
    }
    int fd, peer;
    if (connect_pair(&fd, &peer) != 0 || fd >= MAX_FD) {
        pthread_mutex_unlock(&vc.lock);
        errno = EMFILE;
        return -1;
    }
    if (!(flags & O_CLOEXEC)) fcntl(fd, F_SETFD, 0);
    if (flags & O_NONBLOCK) fcntl(fd, F_SETFL, O_NONBLOCK);
    handle *h = calloc(1, sizeof *h);
    h->fd = fd;
    h->references = 1;
    h->peer = peer;
    h->nonblocking = (flags & O_NONBLOCK) != 0;
    h->lock_fd = -1;
    h->memfd = -1;
    pthread_cond_init(&h->changed, NULL);
    __atomic_store_n(&vc.handles[fd], h, __ATOMIC_RELEASE);
    vc_log("OPEN fd=%d", fd);
    pthread_mutex_unlock(&vc.lock);
    return fd;
}

int vc_close(int fd) {
    pthread_mutex_lock(&vc.lock);
    handle *h = vc.handles[fd];
    if (!h || --h->references > 0) {
        // Another descriptor still names the handle: only this one goes.
        if (h) __atomic_store_n(&vc.handles[fd], NULL, __ATOMIC_RELEASE);
        if (h && h->fd == fd) {
            for (int other = 0; other < MAX_FD; other++)
                if (vc.handles[other] == h) h->fd = other;
        }
        pthread_mutex_unlock(&vc.lock);
        return real_close(fd);
    }
    stop_stream(h);
    free_buffers(h);
    dismiss_privileges(h);
    __atomic_store_n(&vc.handles[fd], NULL, __ATOMIC_RELEASE);
    if (h->peer >= 0) real_close(h->peer);
    vc_log("CLOSE fd=%d", fd);
    pthread_mutex_unlock(&vc.lock);
    pthread_cond_destroy(&h->changed);
    free(h);
    return real_close(fd);
}

void vc_did_duplicate(int fd, int duplicate) {
    if (duplicate < 0 || duplicate >= MAX_FD) return;
    pthread_mutex_lock(&vc.lock);
    handle *h = vc.handles[fd];
    if (h && vc.handles[duplicate] != h) {
        h->references++;
        __atomic_store_n(&vc.handles[duplicate], h, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&vc.lock);
}

void *vc_mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    pthread_mutex_lock(&vc.lock);
    handle *h = vc.handles[fd];
    void *result = MAP_FAILED;
    if (!h || h->gone) {
        errno = ENODEV;
    } else if (h->memfd < 0 || h->buffer_stride == 0 || offset % (off_t)h->buffer_stride != 0 ||
               offset / (off_t)h->buffer_stride >= h->buffer_count || length > h->buffer_stride) {
        errno = EINVAL;
    } else {
        result = real_mmap(address, length, protection, flags, h->memfd, offset);
    }
    pthread_mutex_unlock(&vc.lock);
    return result;
}

static void fill_format(struct v4l2_format *format, const vc_mode *mode) {
    struct v4l2_pix_format *pix = &format->fmt.pix;
    uint32_t size, line;
    // The sizes a mode implies, as set_format computes them, without touching the device.
    switch (mode->fourcc) {
    case V4L2_PIX_FMT_MJPEG: line = 0; size = mode->width * mode->height * 2 > 65536 ? mode->width * mode->height * 2 : 65536; break;
    case V4L2_PIX_FMT_NV12: line = mode->width; size = mode->width * mode->height * 3 / 2; break;
    default: line = mode->width * 2; size = mode->width * mode->height * 2;
    }
    memset(&format->fmt, 0, sizeof format->fmt);
    pix->width = mode->width;
    pix->height = mode->height;
    pix->pixelformat = mode->fourcc;
    pix->field = V4L2_FIELD_NONE;
    pix->bytesperline = line;
    pix->sizeimage = size;
    pix->colorspace = V4L2_COLORSPACE_SRGB;
    pix->priv = V4L2_PIX_FMT_PRIV_MAGIC;
}

static int handle_ioctl(handle *h, unsigned long request, void *argument);

int vc_ioctl(int fd, unsigned long request, void *argument) {
    pthread_mutex_lock(&vc.lock);
    handle *h = vc.handles[fd];
    int error = !h ? EBADF : h->gone ? ENODEV : !argument ? EFAULT : handle_ioctl(h, request, argument);
    if (vc.trace) vc_log("ioctl fd=%d 0x%08lx nr=%lu: %s", fd, request, request & 0xff, error ? strerror(error) : "ok");
    pthread_mutex_unlock(&vc.lock);
    if (error) {
        errno = error;
        return -1;
    }
    return 0;
}

/// One ioctl, under the lock: 0 or the errno.
static int handle_ioctl(handle *h, unsigned long request, void *argument) {
    switch (request) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *cap = argument;
        memset(cap, 0, sizeof *cap);
        snprintf((char *)cap->driver, sizeof cap->driver, "uvcvideo");
        snprintf((char *)cap->card, sizeof cap->card, "%s", vc.listing.card);
        snprintf((char *)cap->bus_info, sizeof cap->bus_info, "usb-virtual-1");
        cap->version = (6 << 16) | (1 << 8);
        cap->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_EXT_PIX_FORMAT;
        cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS | V4L2_CAP_META_CAPTURE;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *desc = argument;
        if (desc->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        uint32_t seen = 0;
        for (int i = 0; i < vc.listing.mode_count; i++) {
            const vc_mode *mode = &vc.listing.modes[i];
            bool first = true;
            for (int j = 0; j < i; j++) first &= vc.listing.modes[j].fourcc != mode->fourcc;
            if (!first) continue;
            if (seen++ != desc->index) continue;
            uint32_t index = desc->index;
            memset(desc, 0, sizeof *desc);
            desc->index = index;
            desc->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            desc->pixelformat = mode->fourcc;
            desc->flags = mode->fourcc == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED : 0;
            snprintf((char *)desc->description, sizeof desc->description, "%s", mode->description);
            return 0;
        }
        return EINVAL;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *size = argument;
        uint32_t seen = 0;
        for (int i = 0; i < vc.listing.mode_count; i++) {
            const vc_mode *mode = &vc.listing.modes[i];
            if (mode->fourcc != size->pixel_format) continue;
            bool first = true;
            for (int j = 0; j < i; j++)
                first &= !(vc.listing.modes[j].fourcc == mode->fourcc && vc.listing.modes[j].width == mode->width &&
                           vc.listing.modes[j].height == mode->height);
            if (!first || seen++ != size->index) continue;
            size->type = V4L2_FRMSIZE_TYPE_DISCRETE;
            size->discrete.width = mode->width;
            size->discrete.height = mode->height;
            return 0;
        }
        return EINVAL;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *interval = argument;
        uint32_t seen = 0;
        for (int i = 0; i < vc.listing.mode_count; i++) {
            const vc_mode *mode = &vc.listing.modes[i];
            if (mode->fourcc != interval->pixel_format || mode->width != interval->width || mode->height != interval->height)
                continue;
            if (seen++ != interval->index) continue;
            interval->type = V4L2_FRMIVAL_TYPE_DISCRETE;
            interval->discrete.numerator = mode->interval_numerator;
            interval->discrete.denominator = mode->interval_denominator;
            return 0;
        }
        return EINVAL;
    }
    case VIDIOC_G_FMT: {
        struct v4l2_format *format = argument;
        if (format->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        fill_format(format, &vc.format);
        return 0;
    }
    case VIDIOC_TRY_FMT:
    case VIDIOC_S_FMT: {
        struct v4l2_format *format = argument;
        if (format->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        const vc_mode *mode = nearest_mode(format->fmt.pix.pixelformat, format->fmt.pix.width, format->fmt.pix.height);
        if (!mode) return EINVAL;
        if (request == VIDIOC_S_FMT) {
            int error = acquire_privileges(h);
            if (error) return error;
            if (h->buffer_count > 0) return EBUSY;  // uvcvideo: no format change while buffers exist
            set_format(mode);
            char fourcc[5] = {0};
            memcpy(fourcc, &mode->fourcc, 4);
            vc_log("S_FMT %ux%u %s", mode->width, mode->height, fourcc);
        }
        fill_format(format, mode);
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *parm = argument;
        if (parm->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        if (request == VIDIOC_S_PARM) {
            int error = acquire_privileges(h);
            if (error) return error;
            if (h->streaming) return EBUSY;
            struct v4l2_fract asked = parm->parm.capture.timeperframe;
            const vc_mode *best = NULL;
            double best_distance = 1e300;
            for (int i = 0; i < vc.listing.mode_count; i++) {
                const vc_mode *mode = &vc.listing.modes[i];
                if (mode->fourcc != vc.format.fourcc || mode->width != vc.format.width || mode->height != vc.format.height)
                    continue;
                double want = asked.denominator ? (double)asked.numerator / asked.denominator : 0;
                double have = (double)mode->interval_numerator / mode->interval_denominator;
                double distance = want > have ? want - have : have - want;
                if (distance < best_distance) {
                    best = mode;
                    best_distance = distance;
                }
            }
            if (best) {
                vc.format.interval_numerator = best->interval_numerator;
                vc.format.interval_denominator = best->interval_denominator;
                vc_log("S_PARM %u/%u", best->interval_numerator, best->interval_denominator);
            }
        }
        memset(&parm->parm, 0, sizeof parm->parm);
        parm->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        parm->parm.capture.timeperframe.numerator = vc.format.interval_numerator;
        parm->parm.capture.timeperframe.denominator = vc.format.interval_denominator;
        parm->parm.capture.readbuffers = 0;
        return 0;
    }
    case VIDIOC_REQBUFS: {
        struct v4l2_requestbuffers *request_buffers = argument;
        if (request_buffers->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        if (request_buffers->memory != V4L2_MEMORY_MMAP) return EINVAL;
        int error = acquire_privileges(h);
        if (error) return error;
        if (h->streaming) return EBUSY;
        free_buffers(h);
        request_buffers->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
        memset(request_buffers->reserved, 0, sizeof request_buffers->reserved);
        vc_log("REQBUFS %u", request_buffers->count);
        if (request_buffers->count == 0) {
            dismiss_privileges(h);  // uvcvideo lets the stream go with its buffers
            return 0;
        }
        uint32_t count = request_buffers->count > VC_MAX_BUFFERS ? VC_MAX_BUFFERS : request_buffers->count;
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        h->buffer_stride = (vc.sizeimage + page - 1) / page * page;
        h->memfd = memfd_create("virtual-camera", MFD_CLOEXEC);
        h->buffer_count = (int)count;
        if (h->memfd < 0 || ftruncate(h->memfd, (off_t)(h->buffer_stride * count)) != 0 ||
            (h->memory = real_mmap(NULL, h->buffer_stride * count, PROT_READ | PROT_WRITE, MAP_SHARED, h->memfd, 0)) == MAP_FAILED) {
            h->memory = NULL;
            free_buffers(h);
            return ENOMEM;
        }
        memset(h->buffers, 0, sizeof h->buffers);
        request_buffers->count = count;
        return 0;
    }
    case VIDIOC_CREATE_BUFS:
    case VIDIOC_EXPBUF:
    case VIDIOC_PREPARE_BUF:
        return ENOTTY;
    case VIDIOC_QUERYBUF:
    case VIDIOC_QBUF:
    case VIDIOC_DQBUF: {
        struct v4l2_buffer *buffer = argument;
        if (buffer->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || buffer->memory != V4L2_MEMORY_MMAP) return EINVAL;
        if (!h->privileged) return EBUSY;
        if (request == VIDIOC_DQBUF) {
            while (h->done_length == 0) {
                if (!h->streaming) return EINVAL;
                if (h->nonblocking || (fcntl(h->fd, F_GETFL) & O_NONBLOCK)) return EAGAIN;
                pthread_cond_wait(&h->changed, &vc.lock);
                if (h->gone) return ENODEV;
            }
            buffer->index = (uint32_t)h->done[0];
            memmove(h->done, h->done + 1, sizeof h->done[0] * (size_t)--h->done_length);
            h->buffers[buffer->index].done = false;
            if (h->done_length == 0) resync(h);
        } else if (buffer->index >= (uint32_t)h->buffer_count) {
            return EINVAL;
        } else if (request == VIDIOC_QBUF) {
            if (h->buffers[buffer->index].queued || h->buffers[buffer->index].done) return EINVAL;
            h->buffers[buffer->index].queued = true;
            h->queue[h->queue_length++] = (int)buffer->index;
        }
        uint32_t index = buffer->index;
        memset(buffer, 0, sizeof *buffer);
        buffer->index = index;
        buffer->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buffer->memory = V4L2_MEMORY_MMAP;
        buffer->m.offset = (uint32_t)(h->buffer_stride * index);
        buffer->length = vc.sizeimage;
        buffer->field = V4L2_FIELD_NONE;
        buffer->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE |
            (h->buffers[index].queued ? V4L2_BUF_FLAG_QUEUED : 0) | (h->buffers[index].done ? V4L2_BUF_FLAG_DONE : 0);
        if (request == VIDIOC_DQBUF) {
            buffer->flags |= V4L2_BUF_FLAG_DONE;
            buffer->bytesused = h->buffers[index].bytesused;
            buffer->sequence = h->buffers[index].sequence;
            buffer->timestamp = h->buffers[index].timestamp;
        }
        return 0;
    }
    case VIDIOC_STREAMON: {
        if (*(int *)argument != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        if (!h->privileged) return EBUSY;
        if (h->streaming) return 0;
        if (h->buffer_count == 0) return EINVAL;
        h->streaming = true;
        h->sequence = 0;
        if (pthread_create(&h->producer, NULL, produce, h) != 0) {
            h->streaming = false;
            return ENOMEM;
        }
        h->producer_running = true;
        char fourcc[5] = {0};
        memcpy(fourcc, &vc.format.fourcc, 4);
        vc_log("STREAMON %ux%u %s %u/%u", vc.format.width, vc.format.height, fourcc, vc.format.interval_numerator,
               vc.format.interval_denominator);
        return 0;
    }
    case VIDIOC_STREAMOFF:
        if (*(int *)argument != V4L2_BUF_TYPE_VIDEO_CAPTURE) return EINVAL;
        if (!h->privileged) return EBUSY;
        stop_stream(h);
        return 0;
    case VIDIOC_ENUMINPUT: {
        struct v4l2_input *input = argument;
        if (input->index != 0) return EINVAL;
        memset(input, 0, sizeof *input);
        snprintf((char *)input->name, sizeof input->name, "Camera 1");
        input->type = V4L2_INPUT_TYPE_CAMERA;
        return 0;
    }
    case VIDIOC_G_INPUT:
        *(int *)argument = 0;
        return 0;
    case VIDIOC_S_INPUT:
        return *(int *)argument == 0 ? 0 : EINVAL;
    case VIDIOC_QUERYCTRL: {
        struct v4l2_queryctrl *query = argument;
        bool next = (query->id & V4L2_CTRL_FLAG_NEXT_CTRL) != 0;
        uint32_t id = query->id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
        vc_control control;
        if (next ? !next_control(id, id == 0, &control) : !find_control(id)) return EINVAL;
        if (!next) control = *find_control(id);
        memset(query, 0, sizeof *query);
        query->id = control.id;
        query->type = control.type;
        memcpy(query->name, control.name, sizeof query->name);
        query->minimum = (int32_t)control.minimum;
        query->maximum = (int32_t)control.maximum;
        query->step = (int32_t)control.step;
        query->default_value = (int32_t)control.default_value;
        query->flags = control.flags;
        return 0;
    }
    case VIDIOC_QUERY_EXT_CTRL: {
        struct v4l2_query_ext_ctrl *query = argument;
        bool next = (query->id & (V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND)) != 0;
        uint32_t id = query->id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
        vc_control control;
        if (next ? !next_control(id, id == 0, &control) : !find_control(id)) return EINVAL;
        if (!next) control = *find_control(id);
        memset(query, 0, sizeof *query);
        query->id = control.id;
        query->type = control.type;
        memcpy(query->name, control.name, sizeof query->name);
        query->minimum = control.minimum;
        query->maximum = control.maximum;
        query->step = (uint64_t)control.step;
        query->default_value = control.default_value;
        query->flags = control.flags;
        query->elem_size = control.type == V4L2_CTRL_TYPE_INTEGER64 ? 8 : 4;
        query->elems = 1;
        return 0;
    }
    case VIDIOC_QUERYMENU: {
        struct v4l2_querymenu *menu = argument;
        vc_control *control = find_control(menu->id);
        if (!control || (control->type != V4L2_CTRL_TYPE_MENU && control->type != V4L2_CTRL_TYPE_INTEGER_MENU))
            return EINVAL;
        for (int i = 0; i < control->menu_count; i++) {
            if (control->menu[i].index != (int64_t)menu->index) continue;
            if (control->type == V4L2_CTRL_TYPE_INTEGER_MENU)
                menu->value = strtoll(control->menu[i].name, NULL, 10);
            else
                memcpy(menu->name, control->menu[i].name, sizeof menu->name);
            return 0;
        }
        return EINVAL;
    }
    case VIDIOC_G_CTRL: {
        struct v4l2_control *control = argument;
        int64_t value = 0;
        int error = read_control(control->id, &value);
        if (!error) control->value = (int32_t)value;
        return error;
    }
    case VIDIOC_S_CTRL: {
        struct v4l2_control *control = argument;
        int error = write_control(control->id, control->value, h, false);
        if (!error) {
            vc_control *written = find_control(control->id);
            if (written && written->type != V4L2_CTRL_TYPE_BUTTON) control->value = (int32_t)written->value;
        }
        return error;
    }
    case VIDIOC_G_EXT_CTRLS:
    case VIDIOC_S_EXT_CTRLS:
    case VIDIOC_TRY_EXT_CTRLS: {
        struct v4l2_ext_controls *controls = argument;
        if (controls->count > 64 || (controls->count && !controls->controls)) return EINVAL;
        for (uint32_t i = 0; i < controls->count; i++) {
            struct v4l2_ext_control *control = &controls->controls[i];
            vc_control *known = find_control(control->id);
            bool is64 = known && known->type == V4L2_CTRL_TYPE_INTEGER64;
            int error;
            if (request == VIDIOC_G_EXT_CTRLS) {
                int64_t value = 0;
                error = read_control(control->id, &value);
                if (!error) {
                    if (is64) control->value64 = value;
                    else control->value = (int32_t)value;
                }
            } else {
                error = write_control(control->id, is64 ? control->value64 : control->value, h, request == VIDIOC_TRY_EXT_CTRLS);
            }
            if (error) {
                controls->error_idx = request == VIDIOC_G_EXT_CTRLS ? i : controls->count;
                if (request == VIDIOC_S_EXT_CTRLS) controls->error_idx = i;
                return error;
            }
        }
        return 0;
    }
    case VIDIOC_SUBSCRIBE_EVENT: {
        struct v4l2_event_subscription *subscription = argument;
        if (subscription->type != V4L2_EVENT_CTRL) return EINVAL;  // uvcvideo has control events only
        vc_control *control = find_control(subscription->id);
        if (!control) return EINVAL;
        for (int i = 0; i < h->subscription_count; i++)
            if (h->subscriptions[i] == subscription->id) return 0;
        if (h->subscription_count == VC_MAX_SUBSCRIPTIONS) return ENOMEM;
        h->subscriptions[h->subscription_count++] = subscription->id;
        if (subscription->flags & V4L2_EVENT_SUB_FL_SEND_INITIAL)
            queue_event(h, subscription->id, V4L2_EVENT_CTRL_CH_VALUE | V4L2_EVENT_CTRL_CH_FLAGS);
        return 0;
    }
    case VIDIOC_UNSUBSCRIBE_EVENT: {
        struct v4l2_event_subscription *subscription = argument;
        if (subscription->type == V4L2_EVENT_ALL) {
            h->subscription_count = 0;
            return 0;
        }
        for (int i = 0; i < h->subscription_count; i++) {
            if (h->subscriptions[i] != subscription->id) continue;
            h->subscriptions[i] = h->subscriptions[--h->subscription_count];
            break;
        }
        return 0;
    }
    case VIDIOC_DQEVENT: {
        struct v4l2_event *event = argument;
        if (h->event_count == 0) return ENOENT;
        pending_event next = h->events[0];
        memmove(h->events, h->events + 1, sizeof h->events[0] * (size_t)--h->event_count);
        vc_control *control = find_control(next.id);
        memset(event, 0, sizeof *event);
        event->type = V4L2_EVENT_CTRL;
        event->id = next.id;
        event->pending = (uint32_t)h->event_count;
        event->sequence = h->event_sequence++;
        int64_t now = monotonic_ns();
        event->timestamp.tv_sec = now / 1000000000;
        event->timestamp.tv_nsec = now % 1000000000;
        if (control) {
            event->u.ctrl.changes = next.changes;
            event->u.ctrl.type = control->type;
            event->u.ctrl.value64 = control->value;
            event->u.ctrl.flags = control->flags;
            event->u.ctrl.minimum = (int32_t)control->minimum;
            event->u.ctrl.maximum = (int32_t)control->maximum;
            event->u.ctrl.step = (int32_t)control->step;
            event->u.ctrl.default_value = (int32_t)control->default_value;
        }
        if (h->event_count == 0) {
            char byte;
            while (recv(h->fd, &byte, 1, MSG_OOB | MSG_DONTWAIT) == 1) {}
            h->urgent_outstanding = false;
        }
        return 0;
    }
    default:
        return ENOTTY;  // what uvcvideo does not implement (standards, tuners, selection, ...)
    }
}
