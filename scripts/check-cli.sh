#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# A smoke check of the imagecapture binary as a shell user meets it (ToolTests in the test suite check
# every command's files, JSON and exit codes): help, one frame, one photo, a usage error, a refusal.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=$(bash scripts/build-tool.sh)
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
fail() { echo "cli: $1" >&2; exit 1; }

$tool --help | grep -q "USAGE: imagecapture" || fail "--help"
$tool help photo | grep -q -- "--photo-width" || fail "help photo"
$tool grab -o "$out/frame.png" 2>/dev/null
[ "$(head -c 4 "$out/frame.png" | od -An -tx1 | tr -d ' ')" = "89504e47" ] || fail "grab did not write a PNG"
[ "$($tool photo -o - 2>/dev/null | head -c 2 | od -An -tx1 | tr -d ' ')" = "ffd8" ] || fail "photo -o - did not write a JPEG"
$tool capabilities --json | grep -q '"max" : 3264' || fail "capabilities --json"
status=0; $tool set = 2>/dev/null || status=$?
[ $status -eq 64 ] || fail "'set =' exits $status, not 64"
status=0; $tool grab -o /dev/full 2>/dev/null || status=$?
[ $status -eq 74 ] || fail "-o /dev/full exits $status, not 74"
status=0; $tool grab -o "$out/x.png" --device /dev/video99 2>"$out/err" || status=$?
[ $status -eq 1 ] && grep -q "NotFoundError.*/dev/video99" "$out/err" || fail "a missing device"
# The README's virtual-camera command: the tool on the real V4L2 path (v4l2src, the control ioctls).
fixtures=Tests/Fixtures/v4l2-devices
bash scripts/with-virtual-camera.sh $fixtures/logitech-c920.ctrls.txt $fixtures/logitech-c920.formats.txt \
  -- imagecapture controls --device '$VIRTUAL_CAMERA' >"$out/controls" 2>"$out/err" || { cat "$out/err" >&2; fail "with-virtual-camera.sh"; }
grep -qE "^exposureTime +333 " "$out/controls" || fail "the virtual C920's controls: $(cat "$out/controls")"
echo "cli: help, grab, photo, JSON, the exit codes (0, 1, 64, 74) as documented, and the virtual camera"
