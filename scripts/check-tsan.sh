#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The whole test suite under ThreadSanitizer, in a build folder of its own. Passes only when every
# test passes and TSan reports nothing (suppressions, each with its reason: scripts/tsan-suppressions.txt).
# The library's locks are `Locked` (Sources/Locking) and its C callback contexts go through
# CallbackContext: both tell TSan of hand-offs it cannot see (futexes in the Swift runtime and GLib).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests --scratch-path .build-tsan --sanitize=thread 2>&1 | grep -E "error|warning:" | grep -v "prohibited flag" | grep -v "which are unhandled; explicitly declare them" | grep -v "ld.gold: warning: Cannot export local symbol" && exit 1
binary=$(ls -d .build-tsan/debug/*PackageTests.xctest | head -1)
# The tool's tests run the tool built with the same sanitizer (a package of its own: Tools/).
export IMAGECAPTURE_TOOL="$(bash scripts/build-tool.sh --scratch-path "$PWD/.build-tsan-tools" --sanitize=thread)"
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:suppressions=$(pwd)/scripts/tsan-suppressions.txt"
log=$(mktemp); trap 'rm -f "$log"' EXIT
status=0
timeout -k 10 1200 "$binary" --no-parallel --testing-library swift-testing >"$log" 2>&1 || status=$?
warnings=$(grep -c "^WARNING: ThreadSanitizer" "$log" || true)
if [ $status -ne 0 ] || [ "$warnings" -ne 0 ] || ! grep -qE "Test run with [0-9]+ tests? .*passed" "$log"; then
  grep -E "^WARNING: ThreadSanitizer|^    #[0-3] |recorded an issue|Test run" "$log" | head -80 >&2
  echo "tsan: $warnings reports, exit $status" >&2; exit 1
fi
grep -E "Test run with" "$log" | tail -1
echo "tsan: the suite passes under ThreadSanitizer with no report"
