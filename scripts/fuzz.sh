#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Fuzzing: the v4l2-ctl listing parsers (mutated fixtures), the constraint and photo-settings JSON
# decoding (mutated documents) and the constraint engine (arbitrary
# numbers), for a bounded time each (FUZZ_SECONDS, default 60). A crash fails the run and prints the
# seed; `FUZZ_SEED=<seed> FUZZ_SECONDS=<s> swift test --filter FuzzTests` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
swift build --build-tests 2>&1 | grep -E "error|warning:" | grep -v "prohibited flag" | grep -v "which are unhandled; explicitly declare them" && exit 1
log=$(mktemp); trap 'rm -f "$log"' EXIT
if ! swift test --disable-xctest --skip-build --filter FuzzTests >"$log" 2>&1; then
  grep -E "fuzz |Fatal|recorded an issue| at $(pwd)/Sources" "$log" | head -20 >&2
  echo "fuzz: a run failed; see the seed above" >&2; exit 1
fi
grep "^fuzz " "$log"
echo "fuzz: no input trapped in ${FUZZ_SECONDS} s per target"
