#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The main job on the built-in fake camera: grab a frame and take a photo into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --product imagecapture 2>&1 | grep -v "prohibited flag" | tail -1
.build/debug/imagecapture demo --out "${1:-out}"
