# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""Plays recordings in a real headless Chromium (Debian's chromium; no driver needed): each file in a
<video> to its end, one after the other, from a loopback HTTP server on a free port. The page posts
what the element saw back to the server.

Usage: play_recordings.py DIRECTORY FILE...
Prints one JSON object: for each file, {width, height, currentTime, frames} at its `ended` event
(frames: getVideoPlaybackQuality().totalVideoFrames), or {error}; {"timeout": true} after 60 s.
"""
import http.server
import json
import os
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

directory, files = sys.argv[1], sys.argv[2:]
results = {}
done = threading.Event()
PAGE = """<!doctype html><html><body><script>
const files = %s;
async function play(name) {
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.src = name; document.body.appendChild(video);
  return await new Promise(resolve => {
    video.addEventListener('ended', () => {
      const quality = video.getVideoPlaybackQuality();
      resolve({width: video.videoWidth, height: video.videoHeight, currentTime: video.currentTime,
               frames: quality.totalVideoFrames});
    });
    video.addEventListener('error', () => resolve({error: video.error ? video.error.code + ' ' + video.error.message : 'error'}));
  });
}
(async () => {
  const all = {};
  for (const name of files) all[name] = await play(name);
  await fetch('/result', {method: 'POST', body: JSON.stringify(all)});
})();
</script></body></html>""" % json.dumps(files)


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != '/page.html':
            return super().do_GET()
        body = PAGE.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        results.update(json.loads(self.rfile.read(int(self.headers['Content-Length']))))
        self.send_response(204)
        self.end_headers()
        done.set()


server = socketserver.TCPServer(('127.0.0.1', 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
with tempfile.TemporaryDirectory() as profile:
    # A process group of its own: Chromium's renderer, GPU and crash handler processes go with it, and
    # none still writes to the profile while it is removed (killing only the browser left them doing
    # so: "Directory not empty: 'Default'", about one run in five).
    browser = subprocess.Popen(
        ['chromium', '--headless=new', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
         '--user-data-dir=' + profile, 'http://127.0.0.1:%d/page.html' % server.server_address[1]],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    finished = done.wait(60)
    os.killpg(browser.pid, signal.SIGKILL)
    browser.wait()
    for _ in range(500):  # until every process of the group is gone, at most 5 s
        try:
            os.killpg(browser.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
server.shutdown()
print(json.dumps(results if finished else {'timeout': True}))
