#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The demo page end to end in a real headless Chromium: `imagecapture serve` on a solid-colour fake
# camera (loopback, a free port), the page's buttons, canvases, live view, brightness slider and photo
# size, checked from pixels, and a recording played in the page; then the same with a token. Then who may not use the camera: requests
# naming another host, pages of other origins, requests without the token, a server beyond loopback
# without one. The screenshot is left in .build/browser-test/ (UPDATE_SCREENSHOT=1 also copies it to
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
[ "${UPDATE_SCREENSHOT:-0}" = 1 ] && cp "$artefacts/demo-page.png" docs/demo-page.png
echo "browser: done"
