#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Everything CI runs: installs what is missing, then the layer check, the format check (swift format
# lint with .swift-format), the public API against its
# record (scripts/check-api.sh: api/MediaCapture.txt, about a second), the pipeline files under
# gst-launch-1.0, the whole test suite (its output must hold no CRITICAL, and the suites that start
# their own services, the RTSP server, a private PipeWire and the virtual camera, must have run), the
# service suites 5 times more and the clean-exit runs (scripts/check-services.sh), the docs, an
# application that depends on the library alone (scripts/check-consumer.sh), the command-line tool,
# the demo page in headless Chromium, the leak check, fuzzing (60 s per target), and the suite under
# AddressSanitizer and under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh tests
bash scripts/check-layers.sh
bash scripts/check-format.sh
bash scripts/check-api.sh
bash scripts/check-pipelines.sh
# The plain suite first: a failure there shows within minutes, not after the sanitized builds.
stdout_log=$(mktemp); stderr_log=$(mktemp)
status=0
# One test at a time: every test runs real pipelines in real time. In parallel, some 40 live
# pipelines saturate a 2-core machine (CI's size) and real-time deadlines become load-dependent.
# Built first, then the test binary run directly (as the sanitizer scripts do): through `swift test`,
# which relays the binary's output, the run's last lines (its summary) were lost once more with the
# run passing. Swift Testing writes its report to stderr, GStreamer its criticals too: both go
# through a pipe, which the shell waits for (`> >(tee ...)` lost lines), into one log.
swift build --build-tests > "$stderr_log" 2>&1 || { cat "$stderr_log" >&2; exit 1; }
cat "$stderr_log" >&2
# The tool, a package of its own (Tools/), whose tests are in the suite.
bash scripts/build-tool.sh >/dev/null
binary="$(swift build --show-bin-path)/swift-media-capturePackageTests.xctest"
timeout --foreground -k 10 1800 "$binary" --no-parallel --testing-library swift-testing 2>&1 | tee "$stdout_log" || status=$?
# The runner's closing line once more at the end of the command, where a reader of the log looks.
closing=$(grep -E "Test run with [0-9]+ tests?" "$stdout_log" | tail -1 | sed 's/\x1b\[[0-9;]*m//g' || true)
echo "$closing"
[ -n "$closing" ] || { echo "the test run printed no closing line (its output was cut)" >&2; status=1; }
if grep -q CRITICAL "$stdout_log"; then
  echo "the test run printed CRITICAL:" >&2; grep CRITICAL "$stdout_log" | head >&2; status=1
fi
# Suites that need a service skip themselves where it cannot run; here they must have run: one test
# of each (the suite's own "passed" line is not always printed) must show as passed.
for test in "An RTSP camera: frames of its picture" "A PipeWire camera is listed with its caps" \
  "Each webcam through v4l2src agrees with its recorded twin" "A photo's EXIF" \
  "two rtspsrc clients at once" "a player gets 30 frames of 640x480" "20 players connecting and leaving"; do
  grep -qE "Test \"$test.*passed" "$stdout_log" || { echo "the test \"$test...\" did not run and pass" >&2; status=1; }
done
rm -f "$stdout_log" "$stderr_log"
[ $status -eq 0 ] || exit $status
# The service suites again, 5 times each, and the clean-exit runs (reuses the plain suite's build).
bash scripts/check-services.sh 5
bash scripts/check-docs.sh
bash scripts/check-consumer.sh
bash scripts/check-cli.sh
bash scripts/check-browser.sh
bash scripts/check-leaks.sh 100
bash scripts/fuzz.sh
bash scripts/check-sanitizers.sh
bash scripts/check-tsan.sh
# The plain suite's closing line once more, last in the log.
echo "$closing"
