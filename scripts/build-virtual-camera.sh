#!/usr/bin/env bash
# Builds the virtual V4L2 camera (Tests/VirtualCamera, a preload library) with the Swift toolchain's
# clang, when it is missing or older than its sources, and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
library=.build/virtual-camera/libvirtual-camera.so
sources=(Tests/VirtualCamera/*.c Tests/VirtualCamera/*.h)
stale=0
[ -f "$library" ] || stale=1
for source in "${sources[@]}"; do [ "$source" -nt "$library" ] && stale=1; done
if [ $stale -eq 1 ]; then
  mkdir -p .build/virtual-camera
  # Not instrumented by the sanitizers the tests may run under: it stands for the kernel.
  clang -std=gnu11 -O2 -g -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror \
    -o "$library.tmp" Tests/VirtualCamera/*.c -lpthread
  mv "$library.tmp" "$library"
fi
echo "$PWD/$library"
