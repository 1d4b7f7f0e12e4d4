#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The whole test suite under AddressSanitizer, in a build folder of its own.
# Leak detection is off here: at exit LeakSanitizer reports about 50 kB in GLib's one-time
# allocations and Swift weak-reference side tables that it cannot trace through the concurrency
# runtime; leaks are checked instead by check-leaks.sh (GStreamer's tracer, 0 objects alive) and by
# the tests that count allocated bytes per grab and per photo.
# The test binary is run directly (not through `swift test`, which was seen to hang after an ASan
# abort), bounded, with the toolchain's own symbolizer.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests --scratch-path .build-asan --sanitize=address 2>&1 | grep -E "error|warning:" | grep -v "prohibited flag" | grep -v "which are unhandled; explicitly declare them" | grep -v "ld.gold: warning: Cannot export local symbol" && exit 1
binary=$(ls -d .build-asan/debug/*PackageTests.xctest | head -1)
# The tool's tests run the tool built with the same sanitizer (a package of its own: Tools/).
export IMAGECAPTURE_TOOL="$(bash scripts/build-tool.sh --scratch-path "$PWD/.build-asan-tools" --sanitize=address)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export ASAN_SYMBOLIZER_PATH="$(dirname "$(command -v swift)")/llvm-symbolizer"
log=$(mktemp); trap 'rm -f "$log"' EXIT
status=0
timeout -k 10 900 "$binary" --no-parallel --testing-library swift-testing >"$log" 2>&1 || status=$?
if [ $status -ne 0 ] || ! grep -qE "Test run with [0-9]+ tests? .*passed" "$log"; then
  grep -E "ERROR: AddressSanitizer|SUMMARY|recorded an issue|Test run" -A 12 "$log" | head -60 >&2
  echo "sanitizers: the address-sanitized suite failed (exit $status)" >&2; exit 1
fi
grep -E "Test run with" "$log" | tail -1
echo "sanitizers: the suite passes under AddressSanitizer"
