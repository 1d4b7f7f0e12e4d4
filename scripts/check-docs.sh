#!/usr/bin/env bash
# The DocC catalog builds and every symbol link resolves (docs that match the code).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v docc >/dev/null; then echo "docs: docc not found, skipped"; exit 0; fi
graphs=$(mktemp -d); output=$(mktemp -d); log=$(mktemp)
trap 'rm -rf "$graphs" "$output" "$log"' EXIT
swift build --target MediaCapture -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir \
  -Xswiftc "$graphs" 2>&1 | grep -E "error" && exit 1
docc convert Sources/MediaCapture/Documentation.docc --additional-symbol-graph-dir "$graphs" \
  --fallback-display-name MediaCapture --fallback-bundle-identifier media-capture \
  --output-path "$output" --analyze >"$log" 2>&1 || { cat "$log"; exit 1; }
if grep -qE "^(warning|error):" "$log"; then grep -E -A6 "^(warning|error):" "$log" >&2; exit 1; fi
echo "docs: the DocC catalog builds, every symbol link resolves"
