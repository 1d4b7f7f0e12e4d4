#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The benchmark: the library beside gst-launch-1.0, PyGObject and OpenCV in one run (release build,
# 3 interleaved rounds, under 10 minutes). Never part of the tests. Prints JSON lines and a Markdown
# table; writes .build/bench/{results.jsonl,report.md,latency.png}. Arguments go to
# scripts/bench/run.py (--rounds N, --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh tests
# The peers and the chart; only the benchmark needs them.
missing=()
for package in python3-opencv python3-matplotlib python3-gi; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
swift build -c release --product benchmarks 2>&1 | grep -v "prohibited flag" | tail -1
# The publishing rows run the tool (`imagecapture publish`), a package of its own.
(cd Tools && swift build -c release --product imagecapture 2>&1 | grep -v "prohibited flag" | tail -1)
exec /usr/bin/python3 scripts/bench/run.py "$@"
