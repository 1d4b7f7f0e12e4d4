#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# The layers a reader sees from the tree, enforced (SwiftPM lets any target import a C module transitively):
# - only Sources/GStreamerWrapper imports CGStreamer, only Sources/GStreamerPublishing imports CGstPublishing, only Sources/V4L2 imports CV4L2, and only
#   Sources/PipeWire imports CPipeWire;
# - MediaCapture imports the wrapper and the V4L2 layer with `internal import` (no GStreamer or V4L2
#   type can reach its public API);
# - nothing outside Sources/MediaCapture/Backends looks at the kind of device (a switch or `if case`
#   on CaptureDevice.Source) or downcasts to a backend's type;
# - no lock holds a bare function type (reading it with withLock { $0 } wraps it in another thunk
#   on every read: swiftlang/swift#91348);
# - the library's locks are `Locked` (Sources/Locking), never a bare `Mutex`, whose contended hand-off
#   ThreadSanitizer cannot see;
# - the capture layer (MediaCapture's files that import the wrapper) never names DOMException: it
#   fails with CaptureFailure, which the W3C types turn into DOMExceptions;
# - continuations are created in one file, the one wait primitive (Sources/GStreamerWrapper/Waiter.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
fail() { echo "layers: $1" >&2; shift; printf '  %s\n' "$@" >&2; status=1; }

imports() {  # files under Sources and Tests that import module $1, minus those under the allowed folders
  local module=$1; shift
  local found
  found=$(grep -rlE "^\s*(@_implementationOnly |internal |public |package )?import $module\b" Sources Tests Tools/Sources || true)
  for allowed in "$@"; do found=$(echo "$found" | grep -v "^$allowed" || true); done
  echo "$found" | grep -v '^$' || true
}
offenders=$(imports CGStreamer Sources/GStreamerWrapper/ Tests/GStreamerWrapperTests/)
[ -z "$offenders" ] || fail "CGStreamer is imported outside Sources/GStreamerWrapper:" $offenders
offenders=$(imports CV4L2 Sources/V4L2/ Tests/V4L2Tests/)
[ -z "$offenders" ] || fail "CV4L2 is imported outside Sources/V4L2:" $offenders
offenders=$(imports CPipeWire Sources/PipeWire/)
[ -z "$offenders" ] || fail "CPipeWire is imported outside Sources/PipeWire:" $offenders
offenders=$(imports CGstPublishing Sources/GStreamerPublishing/)
[ -z "$offenders" ] || fail "CGstPublishing is imported outside Sources/GStreamerPublishing:" $offenders
# The capture library never links the publishing layer (an application that only captures pays nothing for it).
offenders=$(imports GStreamerPublishing Sources/MediaPublishing/ Tests/MediaPublishingTests/; imports MediaPublishing Sources/MediaPublishing/ Tests/MediaPublishingTests/ Tools/Sources/ Sources/benchmarks/)
[ -z "$offenders" ] || fail "the publishing layer is imported outside Sources/MediaPublishing, its tests, the tools and the benchmarks:" $offenders
offenders=$(grep -rnE '^\s*(public |package |@_exported )?import (GStreamerWrapper|GStreamerPublishing)\b' Sources/MediaPublishing || true)
[ -z "$offenders" ] || fail "MediaPublishing must import the GStreamer layers with 'internal import':" "$offenders"

offenders=$(grep -rnE '^\s*(public |package |@_exported )?import (GStreamerWrapper|V4L2|PipeWire)\b' Sources/MediaCapture || true)
[ -z "$offenders" ] || fail "MediaCapture must import the wrapper and the V4L2 and PipeWire layers with 'internal import':" "$offenders"

# The capture layer (files of MediaCapture that import the GStreamer wrapper) fails with CaptureFailure;
# only the W3C types above it (which do not import the wrapper) make DOMExceptions.
offenders=$(for file in $(grep -rlE '^\s*internal import GStreamerWrapper\b' Sources/MediaCapture); do
  grep -nE '\bDOMException\b' "$file" | grep -vE '^[0-9]+:\s*//' | sed "s|^|$file:|"; done || true)
[ -z "$offenders" ] || fail "a file that imports the GStreamer wrapper names DOMException (fail with CaptureFailure):" "$offenders"

# The kinds of device are the cases of CaptureDevice.Source, read from its declaration (a list written
# here went stale once); each backend's own types are named *Backend / *Session.
source_cases=$(awk '/enum Source:/ { inside = 1; next } inside && /^ *}/ { exit } inside' Sources/MediaCapture/Devices/CaptureDevice.swift \
  | grep -oE '^ *case +[A-Za-z0-9_]+' | awk '{ print $2 }' | paste -sd'|' -)
[ -n "$source_cases" ] || fail "no case found in CaptureDevice.Source (Sources/MediaCapture/Devices/CaptureDevice.swift)"
kinds="\\.($source_cases)(\\(|\\b)"
# The pattern must catch a switch on every kind: each case, planted, is found.
for kind in ${source_cases//|/ }; do
  echo "        if case .$kind = device.source {}" | grep -qE "(case|if case|guard case) +(let +)?$kinds" \
    || fail "the kind check does not catch '.$kind'"
done
offenders=$(grep -rnE "(case|if case|guard case) +(let +)?$kinds|\.source\b.*$kinds" Sources/MediaCapture \
  | grep -v '^Sources/MediaCapture/Backends/' | grep -vE '^\S+:\s*[0-9]+:\s*//' || true)
[ -z "$offenders" ] || fail "a switch on the kind of device outside Sources/MediaCapture/Backends:" "$offenders"
offenders=$(grep -rnE '\bas[?!] *(any )?[A-Za-z0-9]*(Backend|Session|Device)\b' Sources | grep -v '^Sources/MediaCapture/Backends/' || true)
[ -z "$offenders" ] || fail "a downcast to a backend's type outside Sources/MediaCapture/Backends:" "$offenders"

offenders=$(grep -rnE '(Mutex|Locked)<\(*(@Sendable )?\([^)]*\) *(async )?(throws )?->' Sources || true)
[ -z "$offenders" ] || fail "a lock holds a bare function type (box it, see CallbackSlot):" "$offenders"
offenders=$(grep -rnE '\bMutex[<(]' Sources Tests Tools/Sources | grep -vE '^Sources/(Locking|benchmarks)/' | grep -vE '^\S+:\s*[0-9]+:\s*//' || true)
[ -z "$offenders" ] || fail "a bare Mutex (use Locked, which ThreadSanitizer sees through):" "$offenders"

offenders=$(grep -rlE 'with(Checked|Unsafe)(Throwing)?Continuation' Sources | grep -v '^Sources/GStreamerWrapper/Waiter.swift$' || true)
[ -z "$offenders" ] || fail "a continuation created outside Waiter (build the wait on Waiter):" $offenders

[ $status -eq 0 ] && echo "layers: C modules only in their wrappers, internal imports, no DOMException in the capture layer, no device-kind switch or backend downcast outside Backends/, no lock of a function type, no bare Mutex, continuations only in Waiter"
exit $status
