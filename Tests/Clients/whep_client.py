#!/usr/bin/python3
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""A WHEP player on GStreamer's own webrtcbin (a client the library's code has no part in).

It offers to receive video (recvonly, one codec), POSTs the offer, sets the answer, decodes the
stream and counts frames; then DELETEs its session unless --no-delete. Every wait is bounded.
Prints one JSON object: {"status", "frames", "width", "height", "postStatus", "firstFrameMs",
"deleteStatus", "error"}. Exit status 0 when at least --min-frames frames were decoded (or, with
--expect-status, when the POST was answered with that status), 1 otherwise.

  whep_client.py --whep http://127.0.0.1:8080/whep --codec vp8 --frames 30
"""
import argparse
import ctypes
import ctypes.util
import json
import sys
import threading
import time
import urllib.error
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("Nice", "0.1")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Nice  # noqa: E402

DEPAYLOAD = {"vp8": "rtpvp8depay ! vp8dec", "h264": "rtph264depay ! h264parse ! openh264dec"}
CAPS = {
    "vp8": "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000",
    "h264": "application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,"
    "packetization-mode=(string)1,profile-level-id=(string)42e01f",
}


def keep_reference(obj):
    """webrtcbin 1.22 holds its ICE agent by a floating reference; the first Python wrapper of it
    takes that reference over and would free the agent with the wrapper: give webrtcbin one back."""
    if obj.__grefcount__ != 1:
        return
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    gobject = ctypes.CDLL(ctypes.util.find_library("gobject-2.0"))
    gobject.g_object_ref.argtypes = [ctypes.c_void_p]
    gobject.g_object_ref(ctypes.c_void_p(get_pointer(obj.__gpointer__, None)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--whep", required=True)
    parser.add_argument("--codec", choices=sorted(CAPS), default="vp8")
    parser.add_argument("--frames", type=int, default=30, help="stop after this many decoded frames")
    parser.add_argument("--min-frames", type=int, default=None, help="frames needed to succeed (default: --frames)")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--origin", help="an Origin header to send")
    parser.add_argument("--host", help="a Host header to send")
    parser.add_argument("--token", help="a bearer token to send")
    parser.add_argument("--expect-status", type=int, help="succeed when the POST is answered with this status")
    parser.add_argument("--no-delete", dest="delete", action="store_false", help="leave without DELETE")
    args = parser.parse_args()
    needed = args.frames if args.min_frames is None else args.min_frames

    Gst.init(None)
    report = {"status": "error", "frames": 0, "width": 0, "height": 0, "postStatus": None, "firstFrameMs": None,
              "deleteStatus": None, "error": None}
    deadline = time.monotonic() + args.timeout
    done = threading.Event()
    lock = threading.Lock()
    posted_at = [None]

    pipeline = Gst.Pipeline.new("whep-client")
    webrtc = Gst.ElementFactory.make("webrtcbin", "webrtc")
    webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
    pipeline.add(webrtc)
    # ICE on 127.0.0.1 only (libnice leaves loopback out unless told): nothing leaves this machine.
    ice = webrtc.get_property("ice-agent")
    keep_reference(ice)
    address = Nice.Address()
    address.set_from_string("127.0.0.1")
    agent = ice.get_property("agent")
    agent.add_local_address(address)
    agent.set_property("upnp", False)  # no gateway search (SSDP multicast) on the LAN

    def on_frame(sink):
        sample = sink.emit("pull-sample")
        with lock:
            if report["frames"] == 0 and posted_at[0] is not None:
                report["firstFrameMs"] = round((time.monotonic() - posted_at[0]) * 1000)
            report["frames"] += 1
            structure = sample.get_caps().get_structure(0)
            report["width"], report["height"] = structure.get_value("width"), structure.get_value("height")
            if report["frames"] >= args.frames:
                done.set()
        return Gst.FlowReturn.OK

    def on_pad(_, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        chain = Gst.parse_bin_from_description(
            "queue ! %s ! videoconvert ! video/x-raw,format=I420 ! appsink name=sink emit-signals=true sync=false"
            % DEPAYLOAD[args.codec],
            True)
        pipeline.add(chain)
        chain.get_by_name("sink").connect("new-sample", on_frame)
        chain.sync_state_with_parent()
        pad.link(chain.get_static_pad("sink"))

    webrtc.connect("pad-added", on_pad)
    webrtc.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, Gst.Caps.from_string(CAPS[args.codec]))
    pipeline.set_state(Gst.State.PLAYING)
    loop = GLib.MainLoop()
    threading.Thread(target=loop.run, daemon=True).start()
    location = None
    try:
        promise = Gst.Promise.new()
        webrtc.emit("create-offer", None, promise)
        if promise.wait() != Gst.PromiseResult.REPLIED:
            raise RuntimeError("webrtcbin made no offer")
        reply = promise.get_reply()  # borrowed by the offer: kept alive while it is used
        offer = reply.get_value("offer")
        webrtc.emit("set-local-description", offer, None)
        while webrtc.get_property("ice-gathering-state") != GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            if time.monotonic() > deadline:
                raise RuntimeError("ICE gathering did not complete")
            time.sleep(0.01)
        text = webrtc.get_property("local-description").sdp.as_text()
        headers = {"Content-Type": "application/sdp"}
        if args.origin:
            headers["Origin"] = args.origin
        if args.host:
            headers["Host"] = args.host
        if args.token:
            headers["Authorization"] = "Bearer " + args.token
        request = urllib.request.Request(args.whep, data=text.encode(), headers=headers, method="POST")
        posted_at[0] = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=max(1.0, deadline - time.monotonic())) as response:
                report["postStatus"] = response.status
                answer_text = response.read().decode()
                location = response.headers.get("Location")
        except urllib.error.HTTPError as error:
            report["postStatus"] = error.code
            report["error"] = error.read().decode(errors="replace").strip()
            if args.expect_status == error.code:
                report["status"] = "ok"
            return report
        if args.expect_status is not None and args.expect_status != report["postStatus"]:
            report["error"] = "expected status %d" % args.expect_status
            return report
        result, message = GstSdp.SDPMessage.new_from_text(answer_text)
        if result != GstSdp.SDPResult.OK:
            raise RuntimeError("the answer is not SDP")
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        webrtc.emit("set-remote-description", answer, None)
        done.wait(max(0.0, deadline - time.monotonic()))
        with lock:
            frames = report["frames"]
        if args.expect_status is not None:
            report["status"] = "ok"
        elif frames >= needed:
            report["status"] = "ok"
        else:
            report["error"] = "decoded %d frames of %d within %.0f s" % (frames, needed, args.timeout)
    except Exception as error:  # reported, never a traceback
        report["error"] = str(error)
    finally:
        if location and args.delete:
            url = urllib.parse.urljoin(args.whep, location)
            headers = {"Authorization": "Bearer " + args.token} if args.token else {}
            try:
                with urllib.request.urlopen(urllib.request.Request(url, method="DELETE", headers=headers), timeout=5) as response:
                    report["deleteStatus"] = response.status
            except urllib.error.HTTPError as error:
                report["deleteStatus"] = error.code
            except Exception as error:
                report["error"] = report["error"] or "DELETE failed: %s" % error
        pipeline.set_state(Gst.State.NULL)
        loop.quit()
    return report


if __name__ == "__main__":
    import urllib.parse
    outcome = main()
    print(json.dumps(outcome, sort_keys=True), flush=True)
    sys.exit(0 if outcome["status"] == "ok" else 1)
