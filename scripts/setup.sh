#!/usr/bin/env bash
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# Installs what the package needs and is missing (Debian packages, only when absent): what the demo
# needs, or with `tests`, also what the tests use.
set -euo pipefail

# What building and running the library and its tool need (the demo installs only these)...
packages=(
  pkg-config
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev  # headers and pkg-config files for CGStreamer
  libpipewire-0.3-dev                                   # headers and pkg-config file for CPipeWire (listing PipeWire's cameras)
  gstreamer1.0-plugins-base                             # videotestsrc, videoconvert, videoscale, appsink, audiotestsrc
  gstreamer1.0-plugins-good                             # jpegenc, jpegdec, v4l2src, videocrop, pngenc, vp8enc, RTP payloaders
  libgstrtspserver-1.0-dev libgstreamer-plugins-bad1.0-dev  # headers and pkg-config files for CGstPublishing (RTSP, WebRTC, SDP)
  gstreamer1.0-plugins-bad gstreamer1.0-nice            # openh264enc and webrtcbin, and the ICE webrtcbin needs (publishing)
)
# ...and what only the tests use (`setup.sh tests`; also the benchmarks and the soak run).
if [ "${1:-}" = tests ]; then
  packages+=(
    gstreamer1.0-tools                                    # gst-launch-1.0, to run pipelines/*.pipeline
    chromium chromium-driver python3-selenium             # the demo page's end-to-end test in a headless browser
    gir1.2-gst-rtsp-server-1.0 python3-gi                 # the network-camera tests' RTSP server (127.0.0.1 only)
    pipewire pipewire-bin wireplumber dbus gstreamer1.0-pipewire  # PipeWire cameras: pipewiresrc, and the tests' private daemon
    libimage-exiftool-perl                                # exiftool: the tests read every photo's EXIF with a reader not ours
    libjpeg-dev                                           # the virtual camera's MJPEG frames, encoded as a webcam's
    ffmpeg                                                # ffprobe: reads the published RTSP stream's parameters
    gir1.2-gst-plugins-bad-1.0 gir1.2-nice-0.1            # the tests' own WHEP player (webrtcbin from Python, ICE on 127.0.0.1)
  )
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "Swift 6 is needed: https://www.swift.org/install/linux/" >&2; exit 1; }
