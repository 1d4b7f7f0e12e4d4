#!/usr/bin/env bash
# Docs that match the code: the README's Swift example is Sources/readme-example/main.swift to the byte,
# and runs; the DocC catalog builds and every symbol link resolves.
set -euo pipefail
cd "$(dirname "$0")/.."
example=$(awk '/^## In Swift/{found=1} found && /^```swift/{inside=1; next} inside && /^```/{exit} inside' README.md)
if [ "$example" != "$(cat Sources/readme-example/main.swift)" ]; then
  echo "docs: the README's example differs from Sources/readme-example/main.swift" >&2
  diff <(echo "$example") Sources/readme-example/main.swift >&2 || true
  exit 1
fi
swift build --product readme-example 2>&1 | grep -E "error|warning:" | grep -v "prohibited flag" | grep -v "which are unhandled; explicitly declare them" && exit 1
first=$(timeout 60 .build/debug/readme-example | head -1)
[ "$first" = "1280 720" ] || { echo "docs: the README's example printed '$first', not '1280 720'" >&2; exit 1; }
echo "docs: the README's example is built from Sources/readme-example and runs"
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
