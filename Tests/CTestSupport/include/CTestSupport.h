// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// Process measurements the tests make (glibc functions Swift's Glibc module does not import).
#ifndef CTESTSUPPORT_H
#define CTESTSUPPORT_H
#include <stddef.h>

/// The number of frames on the calling thread's stack (glibc's backtrace), up to `limit`.
int CTestSupport_stack_depth(int limit);

/// Bytes the allocator has handed out and not yet been given back (mallinfo2's uordblks).
size_t CTestSupport_allocated_bytes(void);

#endif
