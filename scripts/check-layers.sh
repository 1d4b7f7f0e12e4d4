#!/usr/bin/env bash
# Only the wrapper layer may import the C module (SwiftPM lets any target import it transitively).
set -euo pipefail
cd "$(dirname "$0")/.."
offenders=$(grep -rlE '^\s*(@_implementationOnly |internal |public |package )?import CGStreamer' Sources Tests \
  | grep -v '^Sources/GStreamerWrapper/' || true)
if [ -n "$offenders" ]; then
  echo "CGStreamer is imported outside Sources/GStreamerWrapper:" >&2
  echo "$offenders" >&2
  exit 1
fi
echo "layers: only Sources/GStreamerWrapper imports CGStreamer"
