#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Every pipelines/*.pipeline runs as it is under gst-launch-1.0 (the camera ones where a camera exists).
# The 30-buffer runs and the graph comparison are in the test suite (PipelineFileTests).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for file in pipelines/*.pipeline; do
  case "$(basename "$file")" in
    camera*) [ -r /dev/video0 ] || { echo "skip  $file (no camera at /dev/video0)"; continue; } ;;
  esac
  log=$(mktemp)
  # appsinks keep their last buffer, so end with SIGINT rather than waiting for EOS.
  timeout -k 3 -s INT 2 gst-launch-1.0 $(cat "$file") >"$log" 2>&1 || true
  if grep -q "Setting pipeline to PLAYING" "$log" && ! grep -qE "ERROR|CRITICAL|WARNING: erroneous" "$log"; then
    echo "ok    $file"
  else
    echo "FAIL  $file"; cat "$log"; status=1
  fi
  rm -f "$log"
done
exit $status
