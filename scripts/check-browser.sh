#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The demo page end to end in a real headless Chromium: `imagecapture serve` on a solid-colour fake
# camera (loopback, a free port), the page's buttons, canvases, live view, brightness slider and photo
# size, checked from pixels, and a recording played in the page; then the same with a token. Then who may not use the camera: requests
# naming another host, pages of other origins, requests without the token, a server beyond loopback
# without one. Then WHEP from a player page of another origin: VP8 and H.264 played, other origins
# and host names refused, a tab closed without DELETE cleaned up. The screenshot is left in .build/browser-test/ (UPDATE_SCREENSHOT=1 also copies it to
# docs/demo-page.png). Each server is stopped whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=$(bash scripts/build-tool.sh)
artefacts=.build/browser-test; mkdir -p "$artefacts"
colour=0x2080e0
urlfile=$(mktemp); logfile="$artefacts/server.log"
server=
stop() { [ -z "$server" ] || { kill -INT "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }; server=; }
trap 'stop; rm -f "$urlfile"' EXIT
serve() {  # ARGUMENTS...: starts the server, sets $url
  : >"$urlfile"
  "$tool" serve --port 0 --pattern "0xff${colour#0x}" "$@" >"$urlfile" 2>"$logfile" &
  server=$!
  for _ in $(seq 1 200); do [ -s "$urlfile" ] && break; sleep 0.1; done
  url=$(head -1 "$urlfile")
  [ -n "$url" ] || { echo "browser: the server printed no URL" >&2; cat "$logfile" >&2; exit 1; }
  case "$url" in http://127.0.0.1:*) ;; *) echo "browser: the server is not on loopback: $url" >&2; exit 1;; esac
}
expect() {  # STATUS CORS(yes|no) CURL-ARGUMENTS...
  local want=$1 cors=$2; shift 2
  local headers; headers=$(curl -s -o /dev/null -D - --max-time 20 "$@") || { echo "browser: curl $* failed" >&2; exit 1; }
  local got; got=$(echo "$headers" | head -1 | awk '{ print $2 }')
  [ "$got" = "$want" ] || { echo "browser: curl $* answered $got, not $want" >&2; exit 1; }
  if echo "$headers" | grep -qi '^access-control-allow-origin'; then [ "$cors" = yes ]; else [ "$cors" = no ]; fi \
    || { echo "browser: curl $*: CORS header present: $cors expected" >&2; exit 1; }
}

serve --allow-origin http://allowed.example:3000
timeout 180 /usr/bin/python3 Tests/Browser/demo_page.py "$url" "$artefacts/demo-page.png" "$colour"
echo "browser: the demo page works in headless Chromium ($url); screenshot $artefacts/demo-page.png"
# No page but the server's own and the allowed origin's may use the camera: a DNS-rebinding page (its
# own name as Host) gets 421, another origin 403 with no CORS header, before any route runs.
expect 421 no -X POST "${url}api/grab-frame" -H "Host: evil.example"
expect 421 no "${url}" -H "Host: 127.0.0.1.evil.example:80"
expect 421 no "${url}nowhere" -H "Host: evil.example"
expect 421 no -X POST "${url}api/record/start" -H "Host: evil.example"
expect 421 no -X POST "${url}api/record/stop" -H "Host: evil.example"
expect 403 no -X POST "${url}api/grab-frame" -H "Origin: http://evil.example"
expect 403 no -X POST "${url}api/constraints" -H "Origin: null" -H "Content-Type: application/json" --data '{}'
expect 403 no -X POST "${url}api/record/start" -H "Origin: http://evil.example"
expect 403 no -X OPTIONS "${url}api/grab-frame" -H "Origin: http://evil.example" -H "Access-Control-Request-Method: POST"
expect 204 yes -X OPTIONS "${url}api/grab-frame" -H "Origin: http://allowed.example:3000" -H "Access-Control-Request-Method: POST"
expect 200 yes "${url}api/status" -H "Origin: http://allowed.example:3000"
expect 200 no "${url}api/status" -H "Origin: ${url%/}"
expect 200 no "${url}api/status" -H "Host: localhost:8080"
stop
echo "browser: requests naming another host get 421, other origins 403 without CORS headers, the allowed origin its CORS headers"

# With a token (from the environment, which `ps` does not show): the page still works, opened as
# URL#access_token=TOKEN, and nothing but the page answers without it.
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
IMAGECAPTURE_TOKEN=$token serve
if grep -q "$token" "$urlfile" "$logfile"; then echo "browser: the server printed its token" >&2; exit 1; fi
ACCESS_TOKEN=$token timeout 180 /usr/bin/python3 Tests/Browser/demo_page.py "$url" "$artefacts/demo-page-token.png" "$colour"
expect 200 no "${url}"
expect 401 no "${url}api/status"
expect 401 no -X POST "${url}api/grab-frame"
expect 401 no -X POST "${url}api/record/start"
expect 401 no -X POST "${url}api/record/stop"
expect 401 no "${url}live.mjpeg"
expect 401 no "${url}api/status" -H "Authorization: Bearer ${token%?}0"
expect 401 no "${url}api/status?access_token=${token}x"
expect 200 no "${url}api/status" -H "Authorization: Bearer $token"
expect 200 no "${url}api/status?access_token=$token"
stop
# Beyond loopback without a token: refused before anything is bound (nothing here listens beyond loopback).
for refused in "--host 0.0.0.0" "--host ::" "--token short"; do
  status=0; "$tool" serve --port 0 $refused >/dev/null 2>"$logfile" || status=$?
  [ $status -eq 64 ] || { echo "browser: serve $refused exited $status, not 64" >&2; cat "$logfile" >&2; exit 1; }
done
grep -q "needs a token" <("$tool" serve --port 0 --host 0.0.0.0 2>&1 || true) || { echo "browser: the refusal does not say why" >&2; exit 1; }
echo "browser: with a token the page works and every other request without it gets 401; beyond loopback the server needs one"

# WHEP: a real headless Chromium, its player page served from another origin (http://127.0.0.1:PORT,
# named by --allow-origin), POSTs its offer and plays at least 30 frames of the green camera, in VP8
# and in H.264, with the server counting it as a viewer meanwhile, then DELETEs its session. The
# centre's tolerance is wide enough for H.264's green, which Chromium shows as (0, 215, 0) here: the
# camera's BT.601 picture read as BT.709.
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
origin_port=$(free_port); other_port=$(free_port)
while [ "$other_port" = "$origin_port" ]; do other_port=$(free_port); done
colour=0x00ff00
serve --allow-origin "http://127.0.0.1:$origin_port"
whep() { timeout 120 /usr/bin/python3 Tests/Browser/whep_play.py "${url}whep" "$@"; }
viewers() { curl -s --max-time 5 "${url}api/status" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["whepViewers"])'; }
field() { /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$@"; }
for codec in vp8 h264; do
  result=$(whep "$codec" "$origin_port" --colour "$colour" --tolerance 48 --min-frames 30 --status "${url}api/status" --viewers 1 \
    --save-offer "$artefacts/offer-$codec.sdp") || { echo "browser: WHEP $codec from an allowed origin failed: $result" >&2; exit 1; }
  echo "browser: WHEP $codec: $(field "$result" frames) frames of $(field "$result" width)x$(field "$result" height)," \
    "centre $(field "$result" rgb), first $(field "$result" firstFrameMs) ms after the POST ($(field "$result" codec))"
done
[ "$(viewers)" = 0 ] || { echo "browser: WHEP viewers left after their DELETE: $(viewers)" >&2; exit 1; }
# The same offer from any other origin: refused, in the browser (its preflight gets 403 without CORS
# headers, so the POST never goes) and by curl; naming another host: 421. No viewer is made.
whep vp8 "$other_port" --expect-refused >/dev/null || { echo "browser: WHEP from another origin was not refused" >&2; exit 1; }
offer=(-H "Content-Type: application/sdp" --data-binary "@$artefacts/offer-vp8.sdp")
expect 403 no -X POST "${url}whep" -H "Origin: http://127.0.0.1:$other_port" "${offer[@]}"
expect 403 no -X POST "${url}whep" -H "Origin: http://evil.example" "${offer[@]}"
expect 403 no -X OPTIONS "${url}whep" -H "Origin: http://127.0.0.1:$other_port" -H "Access-Control-Request-Method: POST"
expect 204 yes -X OPTIONS "${url}whep" -H "Origin: http://127.0.0.1:$origin_port" -H "Access-Control-Request-Method: POST"
expect 421 no -X POST "${url}whep" -H "Host: evil.example" "${offer[@]}"
expect 421 no -X POST "${url}whep" -H "Host: evil.example" -H "Origin: http://127.0.0.1:$origin_port" "${offer[@]}"
[ "$(viewers)" = 0 ] || { echo "browser: a refused WHEP offer made a viewer: $(viewers)" >&2; exit 1; }
echo "browser: WHEP offers from other origins get 403, naming another host 421"
# A tab closed without DELETE, its peer connection open: the server ends the viewer (5 s after ICE
# disconnects), within 20 s of the browser going.
result=$(whep vp8 "$origin_port" --colour "$colour" --tolerance 48 --min-frames 30 --status "${url}api/status" --viewers 1 --no-delete) \
  || { echo "browser: WHEP without DELETE failed to play: $result" >&2; exit 1; }
closed=$(field "$result" closedAt)
while [ "$(viewers)" != 0 ]; do
  if /usr/bin/python3 -c 'import sys, time; sys.exit(time.time() - float(sys.argv[1]) <= 20)' "$closed"; then
    echo "browser: a WHEP viewer whose tab closed without DELETE is still counted 20 s on ($(viewers))" >&2; exit 1
  fi
  sleep 0.2
done
echo "browser: a WHEP tab closed without DELETE was cleaned up $(/usr/bin/python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$closed") s after the browser went"
stop

[ "${UPDATE_SCREENSHOT:-0}" = 1 ] && cp "$artefacts/demo-page.png" docs/demo-page.png
echo "browser: done"
