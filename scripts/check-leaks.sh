#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Opens and stops 100 tracks (and 100 clones), then gst_deinit(): GStreamer's leaks tracer must report
# zero objects alive, and nothing may print a CRITICAL.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=$(bash scripts/build-tool.sh)
log=$(mktemp)
# First, the check must see a leak when there is one (one stopped track kept alive on purpose).
GST_TRACERS=leaks GST_DEBUG="GST_TRACER:7" timeout 120 "$tool" selftest --tracks 1 --leak-one >"$log" 2>&1 || true
if [ "$(grep -c 'object-alive, type-name=(string)[A-Za-z]' "$log" || true)" -eq 0 ]; then
  echo "leak check: the leaks tracer reported nothing for a deliberate leak; the check would be blind" >&2; exit 1
fi
if ! GST_TRACERS=leaks GST_DEBUG="GST_TRACER:7" timeout 300 "$tool" selftest --tracks "${1:-100}" >"$log" 2>&1; then
  echo "leak check: the selftest failed or hung" >&2; tail -20 "$log" >&2; exit 1
fi
alive=$(grep -c 'object-alive, type-name=(string)[A-Za-z]' "$log" || true)
critical=$(grep -c 'CRITICAL' "$log" || true)
grep -q 'selftest: opened and stopped' "$log" || { echo "leak check: no selftest summary" >&2; exit 1; }
if [ "$alive" -ne 0 ] || [ "$critical" -ne 0 ]; then
  grep -E 'object-alive, type-name=\(string\)[A-Za-z]|CRITICAL' "$log" | head -20 >&2
  echo "leak check: $alive objects alive, $critical CRITICAL lines" >&2; exit 1
fi
# 100 start/stop cycles of one recorder: resident memory after them within 4 MiB of the 20th's.
growth=$(sed -n 's/^selftest: [0-9]* recording cycles, resident memory \([-+][0-9.]*\) MiB.*/\1/p' "$log")
if [ -z "$growth" ] || awk -v g="$growth" 'BEGIN { exit !(g > 4) }'; then
  grep 'recording cycles' "$log" >&2 || true
  echo "leak check: resident memory grew over the recording cycles (${growth:-not reported} MiB; 4 at most)" >&2; exit 1
fi
echo "leak check: ${1:-100} tracks opened and stopped, 100 recording cycles (resident memory $growth MiB after the first 20), 0 objects alive, no CRITICAL"
rm -f "$log"
