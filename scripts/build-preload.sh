#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Builds one of the tests' preload libraries with the Swift toolchain's clang, when it is missing or
# older than its sources, and prints its path:
#   virtual-camera      Tests/VirtualCamera: a virtual V4L2 camera at $VIRTUAL_CAMERA
#   allocation-counter  Tests/AllocationCounter: counts malloc calls (the allocation guard)
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-virtual-camera}"
case "$name" in
  virtual-camera) folder=Tests/VirtualCamera ;;
  allocation-counter) folder=Tests/AllocationCounter ;;
  *) echo "usage: $0 virtual-camera|allocation-counter" >&2; exit 64 ;;
esac
library=.build/$name/lib$name.so
sources=("$folder"/*.c)
[ -n "$(ls "$folder"/*.h 2>/dev/null)" ] && sources+=("$folder"/*.h)
stale=0
[ -f "$library" ] || stale=1
for source in "${sources[@]}"; do [ "$source" -nt "$library" ] && stale=1; done
if [ $stale -eq 1 ]; then
  mkdir -p ".build/$name"
  # Not instrumented by the sanitizers the tests may run under: it stands for the kernel or libc.
  clang -std=gnu11 -O2 -g -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror \
    -o "$library.tmp" "$folder"/*.c -lpthread $([ "$name" = virtual-camera ] && echo "-ljpeg -lm")
  mv "$library.tmp" "$library"
fi
echo "$PWD/$library"
