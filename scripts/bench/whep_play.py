#!/usr/bin/python3
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
# From the WHEP prototype; run.py's `--only publish` rows use it for the first-frame times.
"""Play a WHEP stream in headless Chromium and report what was decoded.

The script serves a small player page on http://127.0.0.1:<origin-port>
(a different origin than the WHEP endpoint, so the CORS path is exercised),
opens it in headless Chromium through chromedriver, and for each viewer:

  RTCPeerConnection + addTransceiver('video', {direction: 'recvonly'})
  [setCodecPreferences(<codec>)] -> wait for ICE gathering (bounded)
  POST offer (fetch, mode 'cors') -> setRemoteDescription(answer)
  <video> playback, frames counted with requestVideoFrameCallback
  centre pixel read back through a <canvas>
  DELETE <Location>

One JSON object per viewer is printed on stdout:

  {"viewer": 0, "status": "ok", "frames": 60, "width": 640, "height": 480,
   "firstFrameMs": 180.0, "rgb": [0, 255, 1], "deleteStatus": 200, ...}

Exit status: 0 when every viewer met the expectations, 1 when one did not,
2 when the browser could not be driven at all.

  whep_play.py --whep http://127.0.0.1:8889/whep --codec vp8 --origin-port 8890
  whep_play.py ... --expect-refused        # POST must be refused (CORS / 403)
"""
import argparse
import json
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import urllib3
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

PAGE = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>WHEP player</title></head>
<body>
<div id="videos"></div>
<script>
"use strict";

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function iceGatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") resolve();
    });
  });
}

async function selectedPair(pc) {
  const stats = await pc.getStats();
  for (const r of stats.values()) {
    if (r.type === "transport" && r.selectedCandidatePairId) {
      const pair = stats.get(r.selectedCandidatePairId);
      const l = stats.get(pair.localCandidateId), rem = stats.get(pair.remoteCandidateId);
      return `${l.address}:${l.port} -> ${rem.address}:${rem.port}`;
    }
  }
  return null;
}

async function inboundCodec(pc) {
  const stats = await pc.getStats();
  for (const r of stats.values()) {
    if (r.type === "inbound-rtp" && r.kind === "video" && r.codecId) {
      const c = stats.get(r.codecId);
      return c ? `${c.mimeType} pt=${c.payloadType} ${c.sdpFmtpLine || ""}`.trim() : null;
    }
  }
  return null;
}

// One viewer. Never rejects: the outcome is in result.status / result.error.
async function runViewer(index, opts) {
  const deadline = performance.now() + opts.timeoutMs;
  const left = () => deadline - performance.now();
  const result = { viewer: index, status: "error", frames: 0, width: 0, height: 0,
                   firstFrameMs: null, rgb: null, deleteStatus: null };
  const pc = new RTCPeerConnection({ iceServers: [] });
  let location = null;
  try {
    const transceiver = pc.addTransceiver("video", { direction: "recvonly" });
    if (opts.codecPreferences) {
      const mime = `video/${opts.codec}`.toLowerCase();
      const codecs = RTCRtpReceiver.getCapabilities("video").codecs
        .filter((c) => c.mimeType.toLowerCase() === mime);
      if (codecs.length === 0) throw new Error(`browser cannot receive ${opts.codec}`);
      transceiver.setCodecPreferences(codecs);
    }
    await pc.setLocalDescription(await pc.createOffer());
    await withTimeout(iceGatheringComplete(pc), Math.min(5000, left()), "ICE gathering")
      .catch(() => {});  // proceed with the candidates gathered so far

    const postSent = performance.now();
    let response;
    try {
      response = await fetch(opts.whepUrl, {
        method: "POST", mode: "cors", cache: "no-store",
        headers: { "Content-Type": "application/sdp" },
        body: pc.localDescription.sdp,
        signal: AbortSignal.timeout(Math.max(1, left())),
      });
    } catch (e) {
      // A CORS rejection surfaces as a TypeError without any status (so does
      // an unreachable server: main() checks reachability beforehand).
      result.status = e.name === "TypeError" ? "refused" : "error";
      result.error = `POST failed: ${e.name}: ${e.message}`;
      return result;
    }
    result.postStatus = response.status;
    if (response.status === 401 || response.status === 403) {
      result.status = "refused";
      result.error = `POST answered ${response.status}`;
      return result;
    }
    if (response.status !== 201) {
      throw new Error(`POST answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    }
    const header = response.headers.get("Location");
    if (!header) throw new Error("201 without a readable Location (Access-Control-Expose-Headers?)");
    location = new URL(header, opts.whepUrl).href;
    result.location = location;
    await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });

    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    document.getElementById("videos").appendChild(video);
    video.srcObject = new MediaStream([transceiver.receiver.track]);

    // First decoded frame, then count frames for opts.countMs.
    const counted = new Promise((resolve) => {
      let first = null;
      const onFrame = (now) => {
        if (first === null) {
          first = now;
          result.firstFrameMs = Math.round(now - postSent);
        }
        if (now - first < opts.countMs) {
          result.frames += 1;
          video.requestVideoFrameCallback(onFrame);
        } else {
          resolve();
        }
      };
      video.requestVideoFrameCallback(onFrame);
    });
    await withTimeout(video.play(), left(), "video.play()");
    await withTimeout(counted, left(), "decoded frames");

    result.width = video.videoWidth;
    result.height = video.videoHeight;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0);
    const px = ctx.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data;
    result.rgb = [px[0], px[1], px[2]];
    result.codec = await inboundCodec(pc);
    result.selectedPair = await selectedPair(pc);
    result.status = "ok";
  } catch (e) {
    result.status = "error";
    result.error = `${e.name}: ${e.message}`;
  } finally {
    if (location && opts.deleteSession) {
      try {
        const r = await fetch(location, { method: "DELETE", mode: "cors",
          signal: AbortSignal.timeout(Math.max(1000, Math.min(3000, left()))) });
        result.deleteStatus = r.status;
      } catch (e) {
        result.deleteStatus = `${e.name}: ${e.message}`;
      }
    }
    if (opts.deleteSession) pc.close();  // otherwise the tab is closed with pc open
  }
  return result;
}

window.runWhep = (opts) =>
  Promise.all(Array.from({ length: opts.viewers }, (_, i) => runViewer(i, opts)));
</script>
</body></html>
"""


class PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path not in ("/", "/index.html"):
            self.send_error(404)
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def make_driver(page_load_timeout):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--autoplay-policy=no-user-gesture-required",
        # Stay on the machine: no background fetches, and ICE host
        # candidates as plain addresses instead of mDNS .local names (whose
        # announcements would be multicast on the LAN).  The server only
        # offers 127.0.0.1, so Chromium's checks go to loopback.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--no-proxy-server",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(page_load_timeout)
    return driver


def whep_reachable(url, timeout=3.0):
    """True if something answers HTTP at url (any status counts)."""
    request = urllib.request.Request(url, method="OPTIONS")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def parse_rgb(text):
    parts = [int(p) for p in text.split(",")]
    if len(parts) != 3 or not all(0 <= p <= 255 for p in parts):
        raise argparse.ArgumentTypeError("expected R,G,B with values 0..255")
    return parts


def check(result, args):
    """Return a list of reasons why this viewer's result is not acceptable."""
    if args.expect_refused:
        return [] if result["status"] == "refused" else [
            f"POST was not refused (status {result['status']})"]
    problems = []
    if result["status"] != "ok":
        return [f"{result['status']}: {result.get('error')}"]
    if result["frames"] < args.min_frames:
        problems.append(f"only {result['frames']} frames in {args.count_ms} ms "
                        f"(expected >= {args.min_frames})")
    if args.expect_rgb and result["rgb"]:
        if max(abs(a - b) for a, b in zip(result["rgb"], args.expect_rgb)) > args.rgb_tolerance:
            problems.append(f"centre pixel {result['rgb']} != {args.expect_rgb} "
                            f"(+-{args.rgb_tolerance})")
    if args.delete and result["deleteStatus"] not in (200, 204):
        problems.append(f"DELETE failed: {result['deleteStatus']}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whep", required=True, help="WHEP endpoint URL")
    ap.add_argument("--codec", choices=["vp8", "h264"], required=True)
    ap.add_argument("--origin-port", type=int, required=True,
                    help="port of the player page on 127.0.0.1 (its origin)")
    ap.add_argument("--viewers", type=int, default=1,
                    help="concurrent peer connections in the page")
    ap.add_argument("--count-ms", type=int, default=2000,
                    help="count decoded frames for this long after the first one")
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="bound for each viewer, from page start to DELETE (s)")
    ap.add_argument("--min-frames", type=int, default=1)
    ap.add_argument("--expect-rgb", type=parse_rgb, metavar="R,G,B")
    ap.add_argument("--rgb-tolerance", type=int, default=48,
                    help="max per-channel difference (H.264 green decodes as "
                         "[0,215,1]: no colour VUI, Chromium assumes BT.709)")
    ap.add_argument("--no-codec-preferences", dest="codec_preferences",
                    action="store_false",
                    help="offer every codec the browser has; the server picks")
    ap.add_argument("--no-delete", dest="delete", action="store_false",
                    help="close the tab without DELETE (vanished-viewer test)")
    ap.add_argument("--expect-refused", action="store_true",
                    help="succeed only if the POST is refused (CORS / 401 / 403)")
    args = ap.parse_args()

    # Without this, an unreachable server would look like a CORS refusal.
    if not whep_reachable(args.whep):
        print(f"whep_play: WHEP server not reachable at {args.whep}", file=sys.stderr)
        return 2
    try:
        page = ThreadingHTTPServer(("127.0.0.1", args.origin_port), PageHandler)
    except OSError as exc:
        print(f"whep_play: cannot serve the page on port {args.origin_port}: {exc}",
              file=sys.stderr)
        return 2
    page.daemon_threads = True
    threading.Thread(target=page.serve_forever, daemon=True).start()

    opts = {
        "whepUrl": args.whep,
        "codec": args.codec,
        "codecPreferences": args.codec_preferences,
        "viewers": args.viewers,
        "countMs": args.count_ms,
        "timeoutMs": int(args.timeout * 1000),
        "deleteSession": args.delete,
    }
    driver = None
    try:
        driver = make_driver(page_load_timeout=10)
        # The page's own bounds end every viewer by timeoutMs (+ DELETE);
        # the script timeout only guards against a wedged browser.
        driver.set_script_timeout(args.timeout + 10)
        driver.get(f"http://127.0.0.1:{args.origin_port}/")
        results = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.runWhep(arguments[0]).then(done,"
            " (e) => done([{status: 'error', error: String(e)}]));",
            opts)
        if not args.delete:
            driver.close()  # the tab goes away with its peer connections open
    except TimeoutException:
        print("whep_play: the browser did not finish in time", file=sys.stderr)
        return 2
    except WebDriverException as exc:
        print(f"whep_play: browser failure: {exc.msg}", file=sys.stderr)
        return 2
    except (OSError, urllib3.exceptions.HTTPError) as exc:  # chromedriver gone
        print(f"whep_play: lost chromedriver: {exc}", file=sys.stderr)
        return 2
    finally:
        if driver is not None:
            try:
                driver.quit()
            except (WebDriverException, OSError, urllib3.exceptions.HTTPError):
                pass
        page.shutdown()
        page.server_close()

    failed = False
    for result in results:
        print(json.dumps(result))
        problems = check(result, args)
        if problems:
            failed = True
            print(f"whep_play: viewer {result.get('viewer')}: " + "; ".join(problems),
                  file=sys.stderr)
    if args.expect_refused and not failed:
        print("whep_play: POST refused as expected", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
