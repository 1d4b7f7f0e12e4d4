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
import socketserver
import subprocess
import sys
import tempfile
import threading

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
    browser = subprocess.Popen(
        ['chromium', '--headless=new', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
         '--user-data-dir=' + profile, 'http://127.0.0.1:%d/page.html' % server.server_address[1]],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finished = done.wait(60)
    browser.kill()
    browser.wait()
server.shutdown()
print(json.dumps(results if finished else {'timeout': True}))
