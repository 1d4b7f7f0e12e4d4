#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The suites that start services of their own (a private PipeWire daemon, an RTSP server on
# 127.0.0.1), RUNS times each in a row (5 by default), then the exit test: a process that used a
# track of every kind exits cleanly, EXIT_RUNS times with MediaDevices.shutdown() and as many without
# (50 by default). Any failure fails the script, with the failing run's story. Expects a debug build
# of the tests (scripts/test.sh builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
binary="$(swift build --show-bin-path)/swift-media-capturePackageTests.xctest"
[ -x "$binary" ] || { echo "check-services: build the tests first (swift build --build-tests)" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {  # name filter [environment...]
  local name="$1" filter="$2"; shift 2
  if ! env "$@" timeout --foreground -k 10 900 "$binary" --no-parallel --testing-library swift-testing --filter "$filter" > "$log" 2>&1; then
    echo "check-services: $name failed:" >&2
    { grep -vE '^\s*↳ ///' "$log" | grep -E -A40 '✘|ended with' | head -200 >&2; } || true
    exit 1
  fi
  # A suite that skipped itself (its service cannot run here) passes without running: not here.
  if grep -q ': skipped: ' "$log" || ! grep -q '✔ Test "' "$log" || grep -q '✘' "$log"; then
    echo "check-services: $name did not run:" >&2; { grep -E 'skipped|✘' "$log" | head >&2; } || true; exit 1
  fi
  echo "check-services: $name passed ($(grep -oE 'Test run with [0-9]+ tests?' "$log" | tail -1))"
}

for i in $(seq "$runs"); do
  run_suite "PipeWire cameras, run $i of $runs" PipeWireTests
  run_suite "network cameras, run $i of $runs" NetworkCameraTests
  # Publishing: its own RTSP server and WHEP players (gst-launch, ffprobe, a webrtcbin player), not the churn minute.
  run_suite "publishing, run $i of $runs" "RTSPPublisherTests|WHEPPublisherTests"
done
run_suite "exit after every kind, ${EXIT_RUNS:-50} runs each with and without shutdown" ExitTests \
  MEDIA_CAPTURE_EXIT_RUNS="${EXIT_RUNS:-50}"
