#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The tree as `swift format` (the 6.x toolchain's) writes it, with .swift-format's rules: a lint
# warning fails. `bash scripts/check-format.sh --fix` formats in place. The README's example is left
# out: its comments are aligned as the README shows them (check-docs keeps the two identical). Every
# source file must carry the one-line license header.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find Sources Tests Examples Tools/Sources -name '*.swift' ! -path 'Sources/readme-example/*' | sort)
if [ "${1:-}" = --fix ]; then
  swift format format --in-place --parallel "${files[@]}"
  echo "format: ${#files[@]} files formatted"
  exit 0
fi
if ! swift format lint --strict --parallel "${files[@]}"; then
  echo "format: the files above are not as swift format writes them; run bash scripts/check-format.sh --fix" >&2
  exit 1
fi
# Every source file says its license (the README's example aside: it is the README's text).
missing=$(git ls-files 'Package.swift' 'Tools/Package.swift' 'Tools/Sources/*.swift' 'Sources/*.swift' 'Tests/*.swift' 'Examples/*.swift' '*.c' '*.h' '*.sh' '*.py' .ci/run \
  | grep -v '^Sources/readme-example/' | xargs grep -L 'Part of swift-media-capture, under the Apache License 2.0' || true)
if [ -n "$missing" ]; then
  echo "format: these files lack the license header (see any other file's first lines):" $missing >&2
  exit 1
fi
echo "format: ${#files[@]} Swift files as swift format writes them (.swift-format); every source file has its license header"
