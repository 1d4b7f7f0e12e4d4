#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Builds the imagecapture tool, a package of its own in Tools/ (so that the library's users resolve
# none of its dependencies), and prints the binary's path. Any argument goes to `swift build`
# (the sanitizer scripts give a scratch path and --sanitize); a compiler warning fails the build.
set -euo pipefail
cd "$(dirname "$0")/../Tools"
log=$(mktemp); trap 'rm -f "$log"' EXIT
swift build --product imagecapture "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
if grep -E "error|warning:" "$log" | grep -v "prohibited flag" | grep -v "which are unhandled; explicitly declare them" \
  | grep -v "ld.gold: warning: Cannot export local symbol" >&2; then
  exit 1
fi
echo "$(swift build --show-bin-path "$@")/imagecapture"
