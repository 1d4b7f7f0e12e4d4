# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""A WHEP player in a real headless Chromium (Debian's chromium and chromium-driver, driven by Debian's
python3-selenium), its page served from an origin of its own, http://127.0.0.1:ORIGIN-PORT/, so that
the server sees a cross-origin page: its CORS preflight, its Origin, the Location it must expose.

The page makes an RTCPeerConnection with one receive-only video transceiver, keeps only CODEC in its
offer, waits for its ICE candidates, POSTs the offer (Authorization: Bearer $ACCESS_TOKEN if set),
sets the answer, plays the track in a <video>, counts the decoded frames for --count-ms with
requestVideoFrameCallback after the first one, reads the picture's centre through a <canvas>, and
DELETEs the session. Every wait in the page has a bound, and the whole run --timeout.

Usage: whep_play.py WHEP-URL CODEC(vp8|h264) ORIGIN-PORT [options]
  --colour 0xRRGGBB       the centre must be this colour (within --tolerance per channel)
  --min-frames N          at least N frames decoded in --count-ms (1)
  --status URL            the page reads the server's /api/status while it plays (whepViewers)
  --viewers N             ... which must count N WHEP viewers then
  --no-delete             close the browser without DELETE, the peer connection open (closedAt: when)
  --expect-refused        the POST must be refused (CORS blocked, 401 or 403)
  --save-offer FILE       write the offer Chromium made
Prints one JSON object (status, frames, firstFrameMs from the POST, width, height, rgb, codec, ...);
exits 0 when it meets the expectations, 1 when not, 2 when the browser could not be driven.
"""
import argparse
import http.server
import json
import os
import sys
import threading
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

PAGE = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>WHEP player</title></head>
<body><video id="video" muted playsinline></video>
<script>
'use strict';
// `promise`, or a rejection naming `what` after `ms`.
function bounded(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout: ' + what)), Math.max(0, ms)); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'complete') resolve();
  }));
}

async function stats(pc) {
  const report = await pc.getStats(), found = {};
  for (const r of report.values()) {
    if (r.type === 'inbound-rtp' && r.kind === 'video' && r.codecId && report.get(r.codecId)) {
      const c = report.get(r.codecId);
      found.codec = (c.mimeType + ' ' + (c.sdpFmtpLine || '')).trim();
    }
    if (r.type === 'transport' && r.selectedCandidatePairId) {
      const pair = report.get(r.selectedCandidatePairId);
      const local = report.get(pair.localCandidateId), remote = report.get(pair.remoteCandidateId);
      found.pair = local.address + ':' + local.port + ' -> ' + remote.address + ':' + remote.port;
    }
  }
  return found;
}

// One viewer; never rejects: the outcome is in result.status and result.error.
window.play = async (opts) => {
  const deadline = performance.now() + opts.timeoutMs;
  const left = () => deadline - performance.now();
  const auth = opts.token ? { Authorization: 'Bearer ' + opts.token } : {};
  const result = { status: 'error', frames: 0, firstFrameMs: null };
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.pc = pc;  // kept open when the browser closes without DELETE
  let session = null;
  try {
    const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    const mime = 'video/' + opts.codec;
    const codecs = RTCRtpReceiver.getCapabilities('video').codecs.filter(c => c.mimeType.toLowerCase() === mime);
    if (codecs.length === 0) throw new Error('this browser cannot receive ' + opts.codec);
    transceiver.setCodecPreferences(codecs);
    await pc.setLocalDescription(await pc.createOffer());
    await bounded(gathered(pc), Math.min(5000, left()), 'ICE gathering').catch(() => {});  // what it has
    result.offer = pc.localDescription.sdp;

    const posted = performance.now();
    let response;
    try {
      response = await fetch(opts.whep, { method: 'POST', mode: 'cors', cache: 'no-store',
        headers: { 'Content-Type': 'application/sdp', ...auth }, body: result.offer,
        signal: AbortSignal.timeout(Math.max(1, left())) });
    } catch (e) {  // a CORS refusal is a TypeError with no status
      result.status = e.name === 'TypeError' ? 'refused' : 'error';
      result.error = 'POST: ' + e.name + ': ' + e.message;
      return result;
    }
    result.postStatus = response.status;
    if (response.status === 401 || response.status === 403) {
      result.status = 'refused';
      result.error = 'POST answered ' + response.status;
      return result;
    }
    if (response.status !== 201) throw new Error('POST answered ' + response.status + ': ' + (await response.text()).slice(0, 200));
    const location = response.headers.get('Location');
    if (!location) throw new Error('201 without a Location the page can read (Access-Control-Expose-Headers)');
    session = new URL(location, opts.whep).href;
    result.location = location;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });

    const video = document.querySelector('#video');
    video.srcObject = new MediaStream([transceiver.receiver.track]);
    const counted = new Promise(resolve => {
      let first = null;
      const onFrame = now => {
        if (first === null) { first = now; result.firstFrameMs = Math.round(now - posted); }
        if (now - first >= opts.countMs) return resolve();
        result.frames += 1;
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    });
    await bounded(video.play(), left(), 'video.play()');
    await bounded(counted, left(), 'decoded frames');

    result.width = video.videoWidth;
    result.height = video.videoHeight;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0);
    result.rgb = Array.from(context.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data.slice(0, 3));
    Object.assign(result, await stats(pc));
    if (opts.status) {
      const r = await fetch(opts.status, { headers: auth, signal: AbortSignal.timeout(Math.max(1, left())) });
      result.whepViewers = (await r.json()).whepViewers;
    }
    result.status = 'ok';
  } catch (e) {
    result.status = 'error';
    result.error = e.name + ': ' + e.message;
  } finally {
    if (session && opts.delete) {
      try {
        const r = await fetch(session, { method: 'DELETE', mode: 'cors', headers: auth,
                                         signal: AbortSignal.timeout(Math.max(1000, Math.min(3000, left()))) });
        result.deleteStatus = r.status;
      } catch (e) {
        result.deleteStatus = e.name + ': ' + e.message;
      }
    }
    if (opts.delete) pc.close();
  }
  return result;
};
</script></body></html>"""


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != '/':
            return self.send_error(404)
        body = PAGE.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def problems(result, args):
    """Why the result does not meet the expectations (nothing: it does)."""
    if args.expect_refused:
        return [] if result['status'] == 'refused' else [f"the POST was not refused ({result['status']}: {result.get('error')})"]
    if result['status'] != 'ok':
        return [f"{result['status']}: {result.get('error')}"]
    found = []
    if result['frames'] < args.min_frames:
        found.append(f"{result['frames']} frames in {args.count_ms} ms, fewer than {args.min_frames}")
    if args.colour is not None:
        expected = [(args.colour >> 16) & 255, (args.colour >> 8) & 255, args.colour & 255]
        if max(abs(a - b) for a, b in zip(result['rgb'], expected)) > args.tolerance:
            found.append(f"the centre is {result['rgb']}, not {expected} (+-{args.tolerance})")
    if args.viewers is not None and result.get('whepViewers') != args.viewers:
        found.append(f"/api/status counted {result.get('whepViewers')} WHEP viewers while it played, not {args.viewers}")
    if args.delete and result.get('deleteStatus') != 200:
        found.append(f"DELETE answered {result.get('deleteStatus')}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('whep')
    parser.add_argument('codec', choices=['vp8', 'h264'])
    parser.add_argument('origin_port', type=int)
    parser.add_argument('--colour', type=lambda text: int(text, 16))
    parser.add_argument('--tolerance', type=int, default=24)
    parser.add_argument('--min-frames', type=int, default=1)
    parser.add_argument('--count-ms', type=int, default=2000)
    parser.add_argument('--timeout', type=float, default=30, help='seconds for the whole run in the page')
    parser.add_argument('--status')
    parser.add_argument('--viewers', type=int)
    parser.add_argument('--no-delete', dest='delete', action='store_false')
    parser.add_argument('--expect-refused', action='store_true')
    parser.add_argument('--save-offer')
    args = parser.parse_args()

    page = http.server.ThreadingHTTPServer(('127.0.0.1', args.origin_port), Page)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    options = Options()
    options.binary_location = '/usr/bin/chromium'
    # Loopback ICE: host candidates as addresses (no mDNS names), the loopback interface included.
    for argument in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                     '--disable-extensions', '--disable-background-networking', '--no-proxy-server',
                     '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection',
                     '--disable-features=WebRtcHideLocalIpsWithMdns']:
        options.add_argument(argument)
    opts = {'whep': args.whep, 'codec': args.codec, 'countMs': args.count_ms, 'timeoutMs': int(args.timeout * 1000),
            'delete': args.delete, 'status': args.status, 'token': os.environ.get('ACCESS_TOKEN')}
    driver = None
    try:
        driver = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)
        driver.set_page_load_timeout(10)
        driver.set_script_timeout(args.timeout + 10)  # the page ends by itself after args.timeout, DELETE included
        driver.get(f'http://127.0.0.1:{args.origin_port}/')
        result = driver.execute_async_script(
            'const done = arguments[arguments.length - 1];'
            'window.play(arguments[0]).then(done, e => done({status: "error", error: String(e)}));', opts)
        if not args.delete:
            result['closedAt'] = time.time()  # from just before: the cleanup time measured is never less
            driver.quit()  # the browser goes, its peer connection open, no DELETE sent
            driver = None
    except (WebDriverException, OSError) as error:
        print(f'whep_play: the browser failed: {getattr(error, "msg", None) or error}', file=sys.stderr)
        return 2
    finally:
        if driver is not None:
            try:
                driver.quit()
            except (WebDriverException, OSError):
                pass
        page.shutdown()
        page.server_close()
    offer = result.pop('offer', None)
    if args.save_offer and offer:
        with open(args.save_offer, 'w', newline='') as file:
            file.write(offer)
    print(json.dumps(result), flush=True)
    found = problems(result, args)
    for problem in found:
        print(f'whep_play: {args.codec}: {problem}', file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
