#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# A private PipeWire for the tests, without a desktop: pipewire and wireplumber under a D-Bus session
# of their own, in the runtime directory $1 (created 0700 if needed). Prints "ready" once PipeWire
# answers, then runs until killed (kill its process group: everything it started goes with it).
set -euo pipefail
runtime="$1"
mkdir -p "$runtime"; chmod 700 "$runtime"
export XDG_RUNTIME_DIR="$runtime" PIPEWIRE_RUNTIME_DIR="$runtime"
exec dbus-run-session -- bash -c '
  pipewire & pipewire_pid=$!
  for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break; sleep 0.05; done
  wireplumber & wireplumber_pid=$!
  for _ in $(seq 100); do pw-cli info 0 >/dev/null 2>&1 && break; sleep 0.05; done
  sleep 0.5  # wireplumber loads its policy
  echo ready
  wait $pipewire_pid
'
