#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The public API of the library, recorded: api/MODULE.txt (MediaCapture, MediaPublishing) lists every
# public declaration of the module, one line each (the path of its type, then the declaration as the compiler's
# symbol graph spells it; conformances too; package and internal symbols are not part of it). The
# check fails when the module's public API differs from the file, removed, changed or added, so a
# change to the API shows in the commit that makes it. After an intended change:
#   bash scripts/check-api.sh --update    # rewrites api/*.txt; commit them with the change
# The module is built as the tests build it (plain `swift build`, no extra compiler flags, so nothing
# is rebuilt for this check or after it) and its graph read from the built module with
# swift-symbolgraph-extract, about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=--check
case "${1:-}" in
  "") ;;
  --update) mode=--update ;;
  *) echo "usage: bash scripts/check-api.sh [--update]" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift build --target MediaPublishing >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bin=$(swift build --show-bin-path)            # .build/<triple>/debug
triple=$(basename "$(dirname "$bin")")
# Loading the module loads the C modules below it: their module maps, and the include paths of the
# pkg-config packages Package.swift names (as the build passes them).
clang_flags=()
for map in Sources/*/module.modulemap; do clang_flags+=(-Xcc "-fmodule-map-file=$map"); done
packages=$(grep -oE 'pkgConfig: *"[^"]*"' Package.swift | sed -E 's/pkgConfig: *"([^"]*)"/\1/' | tr '\n' ' ')
for flag in $(pkg-config --cflags-only-I $packages); do clang_flags+=(-Xcc "$flag"); done
# The extractor of the toolchain that built the module (its module format is the compiler's own).
extract="$(dirname "$(readlink -f "$(command -v swift)")")/swift-symbolgraph-extract"
[ -x "$extract" ] || extract=swift-symbolgraph-extract   # a toolchain manager's proxy (swiftly)
for module in MediaCapture MediaPublishing; do
rm -rf "$work/graph"; mkdir "$work/graph"
"$extract" -module-name "$module" -target "$triple" -I "$bin/Modules" "${clang_flags[@]}" \
  -module-cache-path "$bin/ModuleCache" -minimum-access-level public -skip-synthesized-members \
  -emit-extension-block-symbols -output-dir "$work/graph" >"$work/extract.log" 2>&1 \
  || { cat "$work/extract.log" >&2; exit 1; }
python3 scripts/api/public_api.py "$work/graph" "$module" "$mode" "api/$module.txt"
done
