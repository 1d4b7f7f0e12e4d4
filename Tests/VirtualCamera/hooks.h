// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// The libc calls the virtual camera answers (hooks.c) and what they call in the device (virtual_camera.c).
#ifndef VIRTUAL_CAMERA_HOOKS_H
#define VIRTUAL_CAMERA_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

// libc's own functions, for everything that is not the device.
int real_open(const char *path, int flags, mode_t mode);
int real_close(int fd);
void *real_mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset);

bool vc_is_device_path(const char *path);
bool vc_is_device_fd(int fd);
/// The device node's stat (a character device), or -1 with ENOENT while unplugged.
int vc_stat(struct stat *out);
/// Opens a handle on the device (after the "wedged driver" delay, if set); -1 with errno.
int vc_open(int flags);
int vc_close(int fd);
/// `duplicate` now names the same handle as `fd` (dup, dup2, dup3, fcntl F_DUPFD).
void vc_did_duplicate(int fd, int duplicate);
void *vc_mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset);
int vc_ioctl(int fd, unsigned long request, void *argument);

#endif
