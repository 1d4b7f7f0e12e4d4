#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Opens and stops 100 tracks (and 100 clones), then gst_deinit(): GStreamer's leaks tracer must report
# zero objects alive, and nothing may print a CRITICAL. Then the same for publishing (RTSP and WHEP
# clients coming and going).
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

# Publishing: the selftest publishes the camera (RTSP and WHEP) until SIGINT while clients come and go
# (rtspsrc over TCP and UDP; WHEP players on webrtcbin, a third leaving without DELETE); then it shuts
# GStreamer down, and no object of a media, a viewer or a shared encode may be alive.
GST_TRACERS=leaks GST_DEBUG="GST_TRACER:7" "$tool" selftest --tracks 0 --recording-cycles 0 --publish >"$log" 2>&1 &
selftest=$!
trap 'kill -9 $selftest 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '^whep: ' "$log" && grep -q '^rtsp: ' "$log" && break; sleep 0.1; done
rtsp=$(sed -n 's/^rtsp: //p' "$log"); whep=$(sed -n 's/^whep: //p' "$log")
[ -n "$rtsp" ] && [ -n "$whep" ] || { echo "leak check: the publishing selftest printed no URLs" >&2; tail -20 "$log" >&2; exit 1; }
clients=0
for round in 1 2 3 4 5; do
  pids=(); rtsp_logs=(); rtsp_pids=()
  for transport in tcp udp; do
    # A client that has its frames stops reading; on a busy machine its closing PAUSE may find the
    # TCP connection closed (RTSPPublisherTests.decoded): its frames, not its exit status, count.
    timeout 30 gst-launch-1.0 rtspsrc location="$rtsp" protocols=$transport ! rtph264depay ! h264parse ! openh264dec ! \
      identity eos-after=20 ! fakesink >"$log.$transport" 2>&1 & rtsp_pids+=($!); rtsp_logs+=("$log.$transport")
  done
  for codec in vp8 h264; do
    leave=(); [ $((round % 3)) -eq 0 ] && leave=(--no-delete)
    timeout 40 /usr/bin/python3 Tests/Clients/whep_client.py --whep "$whep" --codec $codec --frames 20 "${leave[@]}" >/dev/null 2>&1 & pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { echo "leak check: a WHEP player failed in round $round" >&2; exit 1; }; done
  for pid in "${rtsp_pids[@]}"; do wait "$pid" || true; done
  for client in "${rtsp_logs[@]}"; do
    grep -q 'Got EOS from element "pipeline0"' "$client" || { echo "leak check: an RTSP client failed in round $round:" >&2; tail -5 "$client" >&2; exit 1; }
  done
  rm -f "${rtsp_logs[@]}"
  clients=$((clients + ${#pids[@]} + ${#rtsp_logs[@]}))
done
# Viewers that left without DELETE end after 5 s of silence: wait for them before stopping.
sleep 7
kill -INT $selftest
for _ in $(seq 300); do kill -0 $selftest 2>/dev/null || break; sleep 0.1; done
if kill -0 $selftest 2>/dev/null; then echo "leak check: the publishing selftest did not stop within 30 s of SIGINT" >&2; exit 1; fi
wait $selftest || { echo "leak check: the publishing selftest failed" >&2; tail -20 "$log" >&2; exit 1; }
trap 'rm -f "$log"' EXIT
# One GstDtlsAgent outlives gst_deinit by design: the DTLS elements' process-wide agent for the
# certificate they generate once (gstdtlsdec.c, `generated_cert_agent`, made in a g_once and never
# freed). Any other object, or a second agent, is a leak.
agents=$(grep -c 'object-alive, type-name=(string)GstDtlsAgent,' "$log" || true)
[ "$agents" -le 1 ] || { echo "leak check: $agents DTLS agents alive (GStreamer keeps one)" >&2; exit 1; }
alive=$(grep 'object-alive, type-name=(string)[A-Za-z]' "$log" | grep -vc 'type-name=(string)GstDtlsAgent,' || true)
critical=$(grep -c 'CRITICAL' "$log" || true)
grep -q 'selftest: opened and stopped' "$log" || { echo "leak check: no publishing selftest summary" >&2; tail -20 "$log" >&2; exit 1; }
if [ "$alive" -ne 0 ] || [ "$critical" -ne 0 ]; then
  grep -E 'object-alive, type-name=\(string\)[A-Za-z]|CRITICAL' "$log" | grep -v GstDtlsAgent | head -20 >&2
  echo "leak check: publishing left $alive objects alive, $critical CRITICAL lines" >&2; exit 1
fi
echo "leak check: publishing to $clients clients (RTSP over TCP and UDP, WHEP in VP8 and H.264), 0 objects alive (besides GStreamer's one DTLS agent), no CRITICAL"
