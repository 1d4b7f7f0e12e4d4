#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The demo page end to end in a real headless Chromium: `imagecapture serve` on a solid-colour fake
# camera (loopback, a free port), the page's buttons, canvases, live view, brightness slider and photo
# size, checked from pixels. The screenshot is left in .build/browser-test/ (UPDATE_SCREENSHOT=1 also
# copies it to docs/demo-page.png). The server is stopped whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=$(bash scripts/build-tool.sh)
artefacts=.build/browser-test; mkdir -p "$artefacts"
colour=0x2080e0
urlfile=$(mktemp); logfile="$artefacts/server.log"
"$tool" serve --port 0 --pattern "0xff${colour#0x}" >"$urlfile" 2>"$logfile" &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$urlfile"' EXIT
for _ in $(seq 1 200); do [ -s "$urlfile" ] && break; sleep 0.1; done
url=$(head -1 "$urlfile")
[ -n "$url" ] || { echo "browser: the server printed no URL" >&2; cat "$logfile" >&2; exit 1; }
case "$url" in http://127.0.0.1:*) ;; *) echo "browser: the server is not on loopback: $url" >&2; exit 1;; esac
timeout 180 /usr/bin/python3 Tests/Browser/demo_page.py "$url" "$artefacts/demo-page.png" "$colour"
[ "${UPDATE_SCREENSHOT:-0}" = 1 ] && cp "$artefacts/demo-page.png" docs/demo-page.png
echo "browser: the demo page works in headless Chromium ($url); screenshot $artefacts/demo-page.png"
