#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Docs that match the code: the README's Swift example is Sources/readme-example/main.swift to the byte,
# and runs; the examples in Examples/ build and run; the DocC catalogs of MediaCapture and
# MediaPublishing build (swift package generate-documentation) and every symbol link resolves.
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
# The DocC catalogs as users and the Swift Package Index build them: `swift package generate-documentation`
# (swift-docc-plugin, added to the manifest only when MEDIA_CAPTURE_DOCC is set, in a build folder of
# its own), a warning (an unresolved symbol link among them) failing it. One per library product:
# MediaCapture, and MediaPublishing (RTSP and WHEP), whose catalog is a target of its own.
work=$(mktemp -d); log=$(mktemp)
trap 'rm -rf "$work" "$log"' EXIT
for target in MediaCapture MediaPublishing; do
  output="$work/$target.doccarchive"
  if ! MEDIA_CAPTURE_DOCC=1 timeout 900 swift package --scratch-path .build-docc generate-documentation --target "$target" \
    --warnings-as-errors --output-path "$output" >"$log" 2>&1; then
    grep -vE "prohibited flag|which are unhandled" "$log" | tail -40 >&2; echo "docs: the $target DocC catalog did not build" >&2; exit 1
  fi
  lowered=$(echo "$target" | tr '[:upper:]' '[:lower:]')
  [ -f "$output/index.html" ] && [ -d "$output/data/documentation/$lowered" ] || { echo "docs: no $target documentation archive" >&2; exit 1; }
done
echo "docs: swift package generate-documentation builds the DocC catalogs (MediaCapture, MediaPublishing), every symbol link resolves"
