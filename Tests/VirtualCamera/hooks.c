// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The interposed libc entry points: each serves the virtual device's path or descriptors and
// passes everything else to libc (found with dlsym(RTLD_NEXT)). Both the plain and the 64-bit
// (large-file) names are covered: GStreamer calls open64/mmap64/stat64, Swift and GLib the others.
#define _GNU_SOURCE
#include "hooks.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

#define EXPORT __attribute__((visibility("default")))

static void *next(const char *name) { return dlsym(RTLD_NEXT, name); }

int real_open(const char *path, int flags, mode_t mode) {
    static int (*open_next)(const char *, int, ...);
    if (!open_next) open_next = next("open");
    return open_next(path, flags, mode);
}

int real_close(int fd) {
    static int (*close_next)(int);
    if (!close_next) close_next = next("close");
    return close_next(fd);
}

void *real_mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    static void *(*mmap_next)(void *, size_t, int, int, int, off_t);
    if (!mmap_next) mmap_next = next("mmap");
    return mmap_next(address, length, protection, flags, fd, offset);
}

// MARK: - open

static mode_t mode_argument(int flags, va_list arguments) {
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(arguments, int) : 0;
}

#define OPEN_HOOK(name)                                                              \
    EXPORT int name(const char *path, int flags, ...) {                              \
        va_list arguments;                                                           \
        va_start(arguments, flags);                                                  \
        mode_t mode = mode_argument(flags, arguments);                               \
        va_end(arguments);                                                           \
        if (vc_is_device_path(path)) return vc_open(flags);                          \
        static int (*next_##name)(const char *, int, ...);                           \
        if (!next_##name) next_##name = next(#name);                                 \
        return next_##name(path, flags, mode);                                       \
    }
OPEN_HOOK(open)
OPEN_HOOK(open64)

#define OPEN2_HOOK(name)                                                             \
    EXPORT int name(const char *path, int flags) {                                   \
        if (vc_is_device_path(path)) return vc_open(flags);                          \
        static int (*next_##name)(const char *, int);                                \
        if (!next_##name) next_##name = next(#name);                                 \
        return next_##name(path, flags);                                             \
    }
OPEN2_HOOK(__open_2)
OPEN2_HOOK(__open64_2)

#define OPENAT_HOOK(name)                                                            \
    EXPORT int name(int directory, const char *path, int flags, ...) {               \
        va_list arguments;                                                           \
        va_start(arguments, flags);                                                  \
        mode_t mode = mode_argument(flags, arguments);                               \
        va_end(arguments);                                                           \
        if (vc_is_device_path(path)) return vc_open(flags); \
        static int (*next_##name)(int, const char *, int, ...);                      \
        if (!next_##name) next_##name = next(#name);                                 \
        return next_##name(directory, path, flags, mode);                            \
    }
OPENAT_HOOK(openat)
OPENAT_HOOK(openat64)

// MARK: - close, dup, mmap, ioctl

// GStreamer's buffer pool streams on a dup() of v4l2src's descriptor.
EXPORT int dup(int fd) {
    static int (*next_dup)(int);
    if (!next_dup) next_dup = next("dup");
    int duplicate = next_dup(fd);
    if (duplicate >= 0 && vc_is_device_fd(fd)) vc_did_duplicate(fd, duplicate);
    return duplicate;
}

EXPORT int dup2(int fd, int target) {
    static int (*next_dup2)(int, int);
    if (!next_dup2) next_dup2 = next("dup2");
    if (fd != target && vc_is_device_fd(target)) vc_close(target);  // dup2 closes the target first
    int duplicate = next_dup2(fd, target);
    if (duplicate >= 0 && fd != target && vc_is_device_fd(fd)) vc_did_duplicate(fd, duplicate);
    return duplicate;
}

EXPORT int dup3(int fd, int target, int flags) {
    static int (*next_dup3)(int, int, int);
    if (!next_dup3) next_dup3 = next("dup3");
    if (fd != target && vc_is_device_fd(target)) vc_close(target);
    int duplicate = next_dup3(fd, target, flags);
    if (duplicate >= 0 && vc_is_device_fd(fd)) vc_did_duplicate(fd, duplicate);
    return duplicate;
}

#define FCNTL_HOOK(name)                                                             \
    EXPORT int name(int fd, int command, ...) {                                      \
        va_list arguments;                                                           \
        va_start(arguments, command);                                                \
        void *argument = va_arg(arguments, void *);                                  \
        va_end(arguments);                                                           \
        static int (*next_##name)(int, int, ...);                                    \
        if (!next_##name) next_##name = next(#name);                                 \
        int result = next_##name(fd, command, argument);                             \
        if (result >= 0 && (command == F_DUPFD || command == F_DUPFD_CLOEXEC) && vc_is_device_fd(fd)) \
            vc_did_duplicate(fd, result);                                            \
        return result;                                                               \
    }
FCNTL_HOOK(fcntl)
FCNTL_HOOK(fcntl64)

EXPORT int close(int fd) { return vc_is_device_fd(fd) ? vc_close(fd) : real_close(fd); }

EXPORT void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    if (vc_is_device_fd(fd)) return vc_mmap(address, length, protection, flags, fd, offset);
    return real_mmap(address, length, protection, flags, fd, offset);
}

EXPORT void *mmap64(void *address, size_t length, int protection, int flags, int fd, off_t offset) {
    return mmap(address, length, protection, flags, fd, offset);
}

EXPORT int ioctl(int fd, unsigned long request, ...) {
    va_list arguments;
    va_start(arguments, request);
    void *argument = va_arg(arguments, void *);
    va_end(arguments);
    if (vc_is_device_fd(fd)) return vc_ioctl(fd, request, argument);
    static int (*next_ioctl)(int, unsigned long, ...);
    if (!next_ioctl) next_ioctl = next("ioctl");
    return next_ioctl(fd, request, argument);
}

// MARK: - stat (v4l2src checks for a character device before opening)

#define STAT_HOOK(name, type)                                                        \
    EXPORT int name(const char *path, type *out) {                                   \
        if (vc_is_device_path(path)) return vc_stat((struct stat *)out);             \
        static int (*next_##name)(const char *, type *);                             \
        if (!next_##name) next_##name = next(#name);                                 \
        return next_##name(path, out);                                               \
    }
STAT_HOOK(stat, struct stat)
STAT_HOOK(stat64, struct stat64)
STAT_HOOK(lstat, struct stat)
STAT_HOOK(lstat64, struct stat64)

#define FSTAT_HOOK(name, type)                                                       \
    EXPORT int name(int fd, type *out) {                                             \
        if (vc_is_device_fd(fd)) return vc_stat((struct stat *)out);                 \
        static int (*next_##name)(int, type *);                                      \
        if (!next_##name) next_##name = next(#name);                                 \
        return next_##name(fd, out);                                                 \
    }
FSTAT_HOOK(fstat, struct stat)
FSTAT_HOOK(fstat64, struct stat64)

#define FSTATAT_HOOK(name, type)                                                     \
    EXPORT int name(int directory, const char *path, type *out, int flags) {         \
        if (vc_is_device_path(path)) return vc_stat((struct stat *)out); \
        static int (*next_##name)(int, const char *, type *, int);                   \
        if (!next_##name) next_##name = next(#name);                                 \
        return next_##name(directory, path, out, flags);                             \
    }
FSTATAT_HOOK(fstatat, struct stat)
FSTATAT_HOOK(fstatat64, struct stat64)

EXPORT int access(const char *path, int mode) {
    if (vc_is_device_path(path)) {
        struct stat ignored;
        return vc_stat(&ignored);
    }
    static int (*next_access)(const char *, int);
    if (!next_access) next_access = next("access");
    return next_access(path, mode);
}
