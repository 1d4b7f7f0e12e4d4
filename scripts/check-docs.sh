#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Docs that match the code: the README's Swift example is Sources/readme-example/main.swift to the byte,
# and runs; the examples in Examples/ build and run; the DocC catalog builds and every symbol link resolves.
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
# The examples in Examples/: each built, run on the fake camera, and its files checked.
for product in photo-booth timelapse document-scanner frames-to-png; do
  swift build --product "$product" 2>&1 | grep -E "error|warning:" | grep -v "prohibited flag" | grep -v "which are unhandled; explicitly declare them" && exit 1
done
out=$(mktemp -d)
printf '\n' | timeout 60 .build/debug/photo-booth "$out" >/dev/null
timeout 60 .build/debug/timelapse "$out" 3 0.1 >/dev/null
timeout 60 .build/debug/document-scanner "$out/scan.png" 10 >/dev/null
timeout 60 .build/debug/frames-to-png "$out" 3 >/dev/null
for file in booth-1.jpg timelapse-1.jpg timelapse-3.jpg scan.png frame-1.png frame-3.png; do
  [ -s "$out/$file" ] || { echo "docs: an example did not write $file" >&2; rm -rf "$out"; exit 1; }
done
rm -rf "$out"
echo "docs: the examples (photo booth, timelapse, document scanner, frames to PNG) build and run"
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
