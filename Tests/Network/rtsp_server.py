#!/usr/bin/python3
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""A network camera for the tests: an RTSP server on 127.0.0.1 (never another address) serving a
live test picture as RTP/JPEG at rtsp://127.0.0.1:PORT/cam, from Debian's gir1.2-gst-rtsp-server-1.0.

    rtsp_server.py [--port N] [--user U --password P] [--colour 0xAARRGGBB]

Prints "port N" once it listens (N: the given port, or a free one for 0) and serves until killed.
With --user, every request must carry those credentials (401 otherwise).
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--colour", default="0xff2080e0")
    options = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(options.port))
    factory = GstRtspServer.RTSPMediaFactory()
    # format=I420 before jpegenc: without it rtpjpegpay rejects the frames and DESCRIBE never completes.
    factory.set_launch(
        "( videotestsrc is-live=true pattern=solid-color foreground-color=%d"
        " ! video/x-raw,format=I420,width=640,height=480,framerate=30/1"
        " ! jpegenc quality=90 ! rtpjpegpay name=pay0 pt=26 )" % int(options.colour, 16))
    factory.set_shared(True)
    if options.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "viewer")
        basic = GstRtspServer.RTSPAuth.make_basic(options.user, options.password or "")
        auth.add_basic(basic, token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role_from_structure(Gst.Structure.new_from_string(
            "viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"))
        factory.set_permissions(permissions)
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        print("could not listen on 127.0.0.1:%d" % options.port, file=sys.stderr)
        sys.exit(1)
    print("port %d" % server.get_bound_port(), flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
