#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Runs COMMAND with a virtual V4L2 camera, configured by a recorded webcam's v4l2-ctl listings, at
# the kernel interface: GStreamer's own v4l2src (and the library's control ioctls) open it like the
# webcam itself. Its device path is exported as VIRTUAL_CAMERA.
#
#   bash scripts/with-virtual-camera.sh CTRLS.txt [FORMATS.txt] -- COMMAND...
#
# CTRLS.txt: `v4l2-ctl --list-ctrls-menus` (or --list-ctrls); FORMATS.txt: `v4l2-ctl --list-formats-ext`
# (without it: 640x480 YUYV at 30 fps). `imagecapture` in COMMAND is the package's tool (built if
# needed). While it runs, commands appended to $VIRTUAL_CAMERA_CONTROL act on the camera:
#   set NAME|0xID VALUE   another program writes a control      unplug | plug   the camera goes or returns
#   stall | resume        frames stop or start again              block-open MS   open() blocks MS ms
# and $VIRTUAL_CAMERA_LOG records formats, streams and control writes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
usage() { echo "usage: $0 CTRLS.txt [FORMATS.txt] -- COMMAND..." >&2; exit 64; }
[ $# -ge 3 ] || usage
controls="$1"; shift
formats=""
if [ "$1" != "--" ]; then formats="$1"; shift; fi
[ "${1:-}" = "--" ] || usage
shift
[ $# -ge 1 ] || usage
[ -r "$controls" ] || { echo "$0: cannot read $controls" >&2; exit 66; }
[ -z "$formats" ] || [ -r "$formats" ] || { echo "$0: cannot read $formats" >&2; exit 66; }

library="$(bash "$root/scripts/build-preload.sh" virtual-camera)"
state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT
export VIRTUAL_CAMERA="${VIRTUAL_CAMERA:-/dev/video42}"
export VIRTUAL_CAMERA_CTRLS="$(realpath "$controls")"
export VIRTUAL_CAMERA_FORMATS="${formats:+$(realpath "$formats")}"
export VIRTUAL_CAMERA_CONTROL="$state/control" VIRTUAL_CAMERA_LOG="$state/log" VIRTUAL_CAMERA_LOCK="$state/lock"
: > "$VIRTUAL_CAMERA_CONTROL"
if [ "$1" = "imagecapture" ]; then
  tool=$(bash "$root/scripts/build-tool.sh")
  shift
  set -- "$tool" "$@"
fi
# '$VIRTUAL_CAMERA' in single quotes reaches here unexpanded: expand it (the name alone, not
# $VIRTUAL_CAMERA_LOG and the like) in the arguments.
arguments=()
for argument in "$@"; do
  arguments+=("$(printf '%s' "$argument" | sed -E 's|\$VIRTUAL_CAMERA([^A-Za-z0-9_]\|$)|'"$VIRTUAL_CAMERA"'\1|g')")
done
LD_PRELOAD="$library${LD_PRELOAD:+:$LD_PRELOAD}" "${arguments[@]}"
