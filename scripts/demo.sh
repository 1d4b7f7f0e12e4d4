#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The main job on the built-in fake camera: grab a frame and take a photo into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "demo: building the imagecapture tool (Tools/; the first build takes a few minutes)" >&2
tool=$(bash scripts/build-tool.sh)
"$tool" demo --out "${1:-out}"
