#!/usr/bin/env bash
# The imagecapture tool: each command on the fake and a recorded camera, and its failures' exit codes.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product imagecapture 2>&1 | grep -E "error|warning:" | grep -v "prohibited flag" && exit 1
tool=.build/debug/imagecapture
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
fixtures=Tests/Fixtures/v4l2-devices
fail() { echo "cli: $1" >&2; exit 1; }

$tool devices | grep -q "videoinput.*Fake Camera" || fail "devices does not list the fake camera"
$tool grab -o "$out/frame.png" --pattern quadrants >/dev/null
[ "$(head -c 4 "$out/frame.png" | od -An -tx1 | tr -d ' ')" = "89504e47" ] || fail "grab did not write a PNG"
$tool photo -o "$out/photo.jpg" --photo-width 320 >/dev/null
[ "$(head -c 2 "$out/photo.jpg" | od -An -tx1 | tr -d ' ')" = "ffd8" ] || fail "photo did not write a JPEG"
$tool capabilities | grep -q '"imageWidth": {"min": 320.0, "max": 3264.0' || fail "capabilities JSON"
$tool settings | grep -q '"imageWidth": 640.0' || fail "settings JSON"
$tool controls --device "recorded:$fixtures/logitech-c920.ctrls.txt" | grep -q "^zoom .*100" || fail "controls table"
$tool set exposureMode=manual exposureTime=100 --device "recorded:$fixtures/logitech-c920.ctrls.txt" --json \
  | grep -q '"exposureTime": {"capability": "3 ... 2047 step 1", "value": "100"}' || fail "set"

# Failures: the W3C name on stderr and a non-zero exit.
status=0; $tool grab -o "$out/x.png" --device /dev/video99 2>"$out/err" || status=$?
[ $status -eq 1 ] && grep -q "NotFoundError.*/dev/video99" "$out/err" || fail "a missing device"
status=0; $tool set exposureTime=100 --device "recorded:$fixtures/logitech-c920.ctrls.txt" 2>"$out/err" || status=$?
[ $status -eq 1 ] && grep -q "OverconstrainedError.*exposureMode" "$out/err" || fail "a blocked write"
status=0; timeout 10 $tool controls --device recorded:/dev/zero 2>"$out/err" || status=$?
[ $status -eq 1 ] && grep -q "larger than 1 MiB" "$out/err" || fail "an endless listing is refused"
status=0; $tool controls --device recorded:/dev/null 2>"$out/err" || status=$?
[ $status -eq 1 ] && grep -q "NotSupportedError" "$out/err" || fail "an empty listing is NotSupportedError"
status=0; $tool set = 2>/dev/null || status=$?
[ $status -eq 2 ] || fail "'set =' is a usage error"
status=0; $tool frobnicate 2>/dev/null || status=$?
[ $status -eq 2 ] || fail "an unknown command exits 2"
echo "cli: every command works on the fake and a recorded camera; failures exit with their W3C names"
