#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Soak and load on the fake camera (a release build; never part of the test command): 1 000
# open/stop cycles, 100 000 grabs, 10 000 photos of mixed sizes with native stills, 16 tasks calling
# every method for 10 minutes, 8 tracks on one camera and 8 cameras at once. Threads, file
# descriptors, resident memory and the heap in use (malloc_info) before and after each phase; GStreamer's leaks tracer at
# gst_deinit(); no CRITICAL on stderr. Takes about 20 minutes.
#   bash scripts/soak.sh [CYCLES] [MINUTES] [PHOTOS]     (defaults 1000 10 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh tests
swift build -c release --product soak 2>&1 | grep -E "error|warning:" | grep -v "prohibited flag" | grep -v "which are unhandled; explicitly declare them" && exit 1
log=$(mktemp); trap 'rm -f "$log"' EXIT
GST_TRACERS=leaks GST_DEBUG="GST_TRACER:7" .build/release/soak "${1:-1000}" "${2:-10}" "${3:-10000}" 2> >(tee "$log" | grep --line-buffered "^soak:" >&2)
sleep 0.2
alive=$(grep -c 'object-alive, type-name=(string)[A-Za-z]' "$log" || true)
critical=$(grep -c 'CRITICAL' "$log" || true)
echo "GStreamer objects alive at gst_deinit(): $alive; CRITICAL lines on stderr: $critical"
[ "$alive" -eq 0 ] && [ "$critical" -eq 0 ]
