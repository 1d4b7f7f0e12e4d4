// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

#include "CTestSupport.h"
#include <execinfo.h>
#include <malloc.h>

int CTestSupport_stack_depth(int limit) {
    void *frames[1024];
    if (limit > 1024) limit = 1024;
    return backtrace(frames, limit);
}

size_t CTestSupport_allocated_bytes(void) {
    return mallinfo2().uordblks;
}
