#!/usr/bin/env bash
# Benchmarks (release build): the photo path against the libjpeg-turbo floor, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product benchmarks 2>&1 | grep -v "prohibited flag" | tail -1
.build/release/benchmarks
