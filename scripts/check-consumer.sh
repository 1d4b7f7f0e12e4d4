#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# An application that depends on this package for `MediaCapture` alone, as a new user writes one: it
# must resolve, fetch and build nothing but the library's own dependency (swift-log; no ArgumentParser,
# Hummingbird or SwiftNIO, which only the tool in Tools/ needs), and run the README's example on the
# fake camera. Prints its resolve and build times. `bash scripts/check-consumer.sh [REPOSITORY]`
# checks another checkout (an older commit, to compare).
set -euo pipefail
repo=$(realpath "${1:-$(dirname "$0")/..}")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The dependency by path, under the package's own name (a path dependency is named after its folder).
ln -s "$repo" "$work/swift-media-capture"
mkdir -p "$work/app/Sources/app"
cat >"$work/app/Package.swift" <<'MANIFEST'
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "app",
    dependencies: [.package(path: "../swift-media-capture")],
    targets: [
        .executableTarget(name: "app", dependencies: [.product(name: "MediaCapture", package: "swift-media-capture")])
    ]
)
MANIFEST
cp "$repo/Sources/readme-example/main.swift" "$work/app/Sources/app/main.swift"
cd "$work/app"
since() { awk "BEGIN { print $EPOCHREALTIME - $1 }"; }
fail() { echo "consumer: $1" >&2; [ -z "${2:-}" ] || tail -30 "$2" >&2; exit 1; }
start=$EPOCHREALTIME
swift package resolve >"$work/resolve.log" 2>&1 || fail "swift package resolve failed" "$work/resolve.log"
resolved=$(since "$start")
start=$EPOCHREALTIME
swift build >"$work/build.log" 2>&1 || fail "swift build failed" "$work/build.log"
built=$(since "$start")
pins=$(grep -o '"identity" : "[^"]*"' Package.resolved | cut -d'"' -f4 | sort | paste -sd' ' -)
checkouts=$(ls .build/checkouts | sort | paste -sd' ' -)
modules=$(ls -d .build/debug/*.build 2>/dev/null | xargs -n1 basename | sed 's/\.build$//' | sort | paste -sd' ' -)
size=$(du -sm .build/checkouts .build/repositories 2>/dev/null | awk '{ total += $1 } END { print total }')
printf 'consumer: resolved in %.1f s (pins: %s; checkouts: %s; %s MB of checkouts and repositories), built in %.1f s\n' \
  "$resolved" "$pins" "$checkouts" "$size" "$built"
[ "$pins" = "swift-log" ] || fail "the application resolved more than the library needs: $pins"
[ "$checkouts" = "swift-log" ] || fail "the application fetched more than the library needs: $checkouts"
for module in ArgumentParser Hummingbird NIOCore DemoServer imagecapture; do
  case " $modules " in *" $module "*) fail "the application built $module (built: $modules)" ;; esac
done
first=$(timeout 60 .build/debug/app | head -1)
[ "$first" = "1280 720" ] || fail "the README's example printed '$first', not '1280 720'"
echo "consumer: an application depending on MediaCapture alone resolves and builds only swift-log and the library, and runs the README's example"
