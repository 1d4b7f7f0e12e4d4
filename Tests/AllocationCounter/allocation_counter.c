// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// allocation_counter: a preload library that counts calls to the allocator, for the allocation
// guard (MediaCaptureTests/AllocationGuardTests). It forwards to glibc's own entry points, so it
// needs no dlsym (which itself allocates) and adds nothing but one atomic increment per call.
// The test reads the count with dlsym(RTLD_DEFAULT, "allocation_counter_count").
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static uint64_t allocations;

#define EXPORTED __attribute__((visibility("default")))

static inline void counted(void) { __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED); }

EXPORTED uint64_t allocation_counter_count(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

EXPORTED void *malloc(size_t size) {
    counted();
    return __libc_malloc(size);
}

EXPORTED void *calloc(size_t count, size_t size) {
    counted();
    return __libc_calloc(count, size);
}

EXPORTED void *realloc(void *pointer, size_t size) {
    counted();
    return __libc_realloc(pointer, size);
}

EXPORTED void free(void *pointer) { __libc_free(pointer); }

EXPORTED int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return 22;  // EINVAL
    counted();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return 12;  // ENOMEM
    *result = pointer;
    return 0;
}

EXPORTED void *aligned_alloc(size_t alignment, size_t size) {
    counted();
    return __libc_memalign(alignment, size);
}

EXPORTED void *memalign(size_t alignment, size_t size) {
    counted();
    return __libc_memalign(alignment, size);
}
