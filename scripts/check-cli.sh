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
# publish: RTSP and WHEP as a shell user starts them; the refusals beyond loopback; a clean stop.
status=0; $tool publish --host 0.0.0.0 --rtsp-port 0 2>"$out/err" || status=$?
[ $status -eq 64 ] && grep -q "needs credentials" "$out/err" || fail "publish beyond loopback without credentials exits $status"
IMAGECAPTURE_RTSP_PASSWORD=secret-password $tool publish --rtsp-port 0 --whep-port 0 --rtsp-user viewer >"$out/urls" 2>"$out/err" &
publisher=$!
for _ in $(seq 100); do [ "$(wc -l <"$out/urls")" -ge 2 ] && break; sleep 0.1; done
rtsp=$(sed -n 1p "$out/urls"); whep=$(sed -n 2p "$out/urls")
case "$rtsp $whep" in rtsp://127.0.0.1:*/camera\ http://127.0.0.1:*/whep) ;; *) kill $publisher; fail "publish printed '$rtsp' '$whep'" ;; esac
timeout 30 gst-launch-1.0 -q rtspsrc location="$rtsp" user-id=viewer user-pw=secret-password ! rtph264depay ! h264parse \
  ! openh264dec ! identity eos-after=20 ! fakesink >/dev/null 2>&1 || { kill $publisher; fail "rtspsrc with the credentials"; }
big=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/sdp' --data-binary @<(head -c 70000 /dev/zero | tr '\0' a) "$whep")
[ "$big" = 413 ] || { kill $publisher; fail "an offer over 64 KiB got $big, not 413"; }
bad=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/sdp' --data-binary 'v=0 nonsense' "$whep")
[ "$bad" = 400 ] || { kill $publisher; fail "a malformed offer got $bad, not 400"; }
kill -TERM $publisher
for _ in $(seq 100); do kill -0 $publisher 2>/dev/null || break; sleep 0.1; done
kill -0 $publisher 2>/dev/null && { kill -9 $publisher; fail "publish did not stop within 10 s of SIGTERM"; }
status=0; wait $publisher || status=$?
[ $status -eq 0 ] || fail "publish exits $status on SIGTERM"
! grep -q secret-password "$out/err" "$out/urls" || fail "publish printed the RTSP password"
echo "cli: help, grab, photo, JSON, the exit codes (0, 1, 64, 74) as documented, the virtual camera, and publish"
