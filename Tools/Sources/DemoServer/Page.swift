// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The "Grab Frame - Take Photo" page: the layout and flow of MDN's ImageCapture sample (a live view,
/// played through WebRTC from the server's WHEP endpoint where the browser can, the MJPEG stream in
/// an `<img>` otherwise; two buttons that wait for it, two canvases drawn by `drawCanvas`), with a small `ImageCapture`
/// client over the JSON API so that the sample's handlers run as written, a Record/Stop button whose
/// recording plays in a `<video>` and downloads, and a settings panel made from the camera's capabilities.
enum Page {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Grab Frame - Take Photo</title>
        <style>
          body { font-family: sans-serif; margin: 1em; }
          .live, canvas, #recording { width: 360px; height: 240px; border: 1px solid #888; background: #eee; vertical-align: top; }
          .live { object-fit: contain; }
          .row { display: flex; gap: 1em; flex-wrap: wrap; margin: 0.5em 0; }
          .row > div { display: flex; flex-direction: column; gap: 0.3em; }
          #panel label { display: grid; grid-template-columns: 13em 14em 6em; align-items: center; gap: 0.5em; }
          #settings { background: #f6f6f6; padding: 0.5em; font-size: 12px; max-width: 60em; white-space: pre-wrap; }
          #log { color: #a00; }
        </style>
        </head>
        <body>
        <h1>Grab Frame - Take Photo</h1>
        <div class="row">
          <div><video id="liveVideo" class="live" muted playsinline hidden></video><img id="liveImage" class="live" alt="The camera's live view" hidden><span id="liveInfo">Live view</span></div>
          <div><canvas id="grabFrameCanvas"></canvas><button id="grabFrameButton" disabled>Grab Frame</button><span id="grabFrameInfo"></span></div>
          <div><canvas id="takePhotoCanvas"></canvas><button id="takePhotoButton" disabled>Take Photo</button><span id="takePhotoInfo"></span></div>
          <div><video id="recording" controls></video><button id="recordButton" disabled>Record</button><span id="recordInfo">stops by itself after \(RecordingSession.maximumDuration.components.seconds) s or \(RecordingSession.maximumBytes / 1_048_576) MiB</span><a id="recordDownload" download="recording.webm" hidden>Download the recording</a></div>
        </div>
        <p id="log"></p>
        <section id="panel">
          <h2>Photo</h2>
          <label>imageWidth <input id="photoWidth" type="number" min="1"> <span></span></label>
          <label>imageHeight <input id="photoHeight" type="number" min="1"> <span></span></label>
          <label><input id="zeroShutterLag" type="checkbox"> zero shutter lag (the newest frame captured before the click)</label>
          <h2>Camera</h2>
          <div id="controls"></div>
          <h2>getSettings()</h2>
          <pre id="settings"></pre>
        </section>
        <script>
        'use strict';

        // A server started with a token: the page's URL carries it as #access_token=..., sent with
        // every request (the MJPEG live view, an <img>, cannot send a header: it gets it in its query).
        const accessToken = new URLSearchParams(location.hash.slice(1)).get('access_token');
        if (accessToken) {
          const plainFetch = window.fetch.bind(window);
          window.fetch = (url, init = {}) => plainFetch(url,
            { ...init, headers: { ...(init.headers || {}), Authorization: 'Bearer ' + accessToken } });
        }

        // The live view: WebRTC from the WHEP endpoint (POST an offer, play the answer's track in the
        // <video>) where the browser has RTCPeerConnection, unless the URL says ?live=mjpeg; the MJPEG
        // stream in the <img> when WebRTC fails (the POST refused, no frame within 5 s, the connection
        // failed). The session is DELETEd when the page goes (fetch with keepalive: sendBeacon cannot DELETE).
        const liveVideo = document.querySelector('#liveVideo');
        const liveImage = document.querySelector('#liveImage');
        let whep = null;  // { pc, session: the session's URL once the POST answered }

        function showMjpeg(reason) {
          endWhep(false);
          liveVideo.hidden = true;
          liveImage.hidden = false;
          liveImage.src = '/live.mjpeg' + (accessToken ? '?access_token=' + encodeURIComponent(accessToken) : '');
          document.body.dataset.liveVia = 'mjpeg';
          document.querySelector('#liveInfo').textContent = 'Live view (MJPEG' + (reason ? ': ' + reason : '') + ')';
          if (reason) console.warn('live view: MJPEG, as WebRTC failed: ' + reason);
        }

        function endWhep(keepalive) {
          if (!whep) return;
          const { pc, session } = whep;
          whep = null;
          pc.close();
          liveVideo.srcObject = null;
          if (session) fetch(session, { method: 'DELETE', keepalive }).catch(() => {});
        }

        function within(ms, promise, what) {
          let timer;
          const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(what + ' within ' + ms / 1000 + ' s')), ms); });
          return Promise.race([promise, late]).finally(() => clearTimeout(timer));
        }

        async function playWhep() {
          const pc = new RTCPeerConnection();
          whep = { pc, session: null };
          const attempt = whep;
          pc.addEventListener('connectionstatechange', () => {
            if (whep === attempt && pc.connectionState === 'failed') showMjpeg('the WebRTC connection failed');
          });
          const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
          await pc.setLocalDescription(await pc.createOffer());
          // Every candidate in the offer (the endpoint takes no trickle ICE); host candidates come at once.
          await within(2000, new Promise(resolve => {
            if (pc.iceGatheringState === 'complete') return resolve();
            pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
          }), 'ICE gathering').catch(() => {});
          const response = await within(5000, fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' },
                                                             body: pc.localDescription.sdp }), 'the WHEP answer');
          if (response.status !== 201) throw new Error('POST /whep answered ' + response.status);
          const session = new URL(response.headers.get('Location'), location.href).href;
          if (whep !== attempt) { fetch(session, { method: 'DELETE' }).catch(() => {}); return; }
          attempt.session = session;
          await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
          liveVideo.srcObject = new MediaStream([transceiver.receiver.track]);
          liveVideo.hidden = false;
          liveImage.hidden = true;
          await within(5000, liveVideo.play().then(() => new Promise(resolve => liveVideo.requestVideoFrameCallback(() => resolve()))),
                       'no frame');
          if (whep !== attempt) return;
          document.body.dataset.liveVia = 'webrtc';
          document.querySelector('#liveInfo').textContent = 'Live view (WebRTC)';
        }

        if ('RTCPeerConnection' in window && new URLSearchParams(location.search).get('live') !== 'mjpeg') {
          playWhep().catch(error => showMjpeg(error.message));
        } else {
          showMjpeg();
        }
        window.addEventListener('pagehide', () => endWhep(true));

        // ImageCapture over the server's JSON API: the same methods and Promises as the W3C interface.
        class RemoteImageCapture {
          grabFrame() {
            return fetch('/api/grab-frame', { method: 'POST' }).then(checked).then(r => showMetadata(r, '#grabFrameInfo'))
              .then(r => r.blob()).then(createImageBitmap);
          }
          takePhoto(photoSettings) {
            const lagless = document.querySelector('#zeroShutterLag').checked ? '?zeroShutterLag=true' : '';
            return fetch('/api/take-photo' + lagless, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                               body: JSON.stringify(photoSettings || {}) }).then(checked)
              .then(r => showMetadata(r, '#takePhotoInfo')).then(r => r.blob());
          }
          getPhotoCapabilities() { return fetch('/api/photo-capabilities').then(checked).then(r => r.json()); }
          getPhotoSettings() { return fetch('/api/photo-settings').then(checked).then(r => r.json()); }
        }

        // MediaRecorder over the server's JSON API: start records a clone of the track on the server;
        // stop resolves with the whole recording as a Blob of the recorder's type.
        const remoteRecorder = {
          start(mimeType) {
            return fetch('/api/record/start', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                                body: JSON.stringify({ mimeType }) }).then(checked).then(r => r.json());
          },
          stop() {
            return fetch('/api/record/stop', { method: 'POST' }).then(checked)
              .then(r => { recordInfo.dataset.limit = r.headers.get('X-Recording-Limit') || ''; return r.blob(); });
          },
        };

        // The track's side: its capabilities, settings and applyConstraints.
        const track = {
          getCapabilities() { return fetch('/api/capabilities').then(checked).then(r => r.json()); },
          getSettings() { return fetch('/api/settings').then(checked).then(r => r.json()); },
          applyConstraints(constraints) {
            return fetch('/api/constraints', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                               body: JSON.stringify(constraints) }).then(checked).then(r => r.json());
          },
        };

        // A failed call rejects with the server's DOMException, name and message as the library gave them.
        function checked(response) {
          if (response.ok) return response;
          return response.json().then(error => { throw new DOMException(error.message, error.name); });
        }

        // When the frame was captured (the server says how long before its response), its number,
        // and for a photo which frame it is.
        function showMetadata(response, selector) {
          const age = Number(response.headers.get('X-Capture-Age'));
          const parts = [];
          if (response.headers.has('X-Capture-Age')) {
            const captured = new Date(Date.now() - age);
            parts.push('captured ' + captured.toLocaleTimeString([], { hour12: false }) + '.' + String(captured.getMilliseconds()).padStart(3, '0'));
          }
          if (response.headers.has('X-Frame-Number')) parts.push('frame ' + response.headers.get('X-Frame-Number'));
          if (response.headers.has('X-Photo-Origin')) parts.push(response.headers.get('X-Photo-Origin'));
          const info = document.querySelector(selector);
          info.textContent = parts.join(', ');
          info.dataset.captureAge = age;
          info.dataset.origin = response.headers.get('X-Photo-Origin') || '';
          return response;
        }

        // Switched on, the server starts holding frames at once, so the next photo has one; off, it stops.
        document.querySelector('#zeroShutterLag').onchange = event => {
          fetch('/api/zero-shutter-lag' + (event.target.checked ? '' : '?on=false'), { method: 'POST' }).then(checked).catch(report);
        };

        function report(error) {
          document.querySelector('#log').textContent = error.name + ': ' + error.message;
          console.error(error);
        }

        const imageCapture = new RemoteImageCapture();
        const grabFrameButton = document.querySelector('#grabFrameButton');
        const takePhotoButton = document.querySelector('#takePhotoButton');
        const recordButton = document.querySelector('#recordButton');
        const recordInfo = document.querySelector('#recordInfo');

        // The sample's handlers.
        function onGrabFrameButtonClick() {
          imageCapture.grabFrame()
            .then(imageBitmap => {
              const canvas = document.querySelector('#grabFrameCanvas');
              drawCanvas(canvas, imageBitmap);
            })
            .catch(report);
        }

        function onTakePhotoButtonClick() {
          imageCapture.takePhoto(photoSettings())
            .then(blob => createImageBitmap(blob))
            .then(imageBitmap => {
              const canvas = document.querySelector('#takePhotoCanvas');
              canvas.dataset.photoWidth = imageBitmap.width;
              canvas.dataset.photoHeight = imageBitmap.height;
              drawCanvas(canvas, imageBitmap);
            })
            .catch(report);
        }

        // Record, then Stop: the recording plays on the page and downloads. The server stops a
        // recording by itself at its limits; the page asks for it then.
        let recordingLimit;
        function onRecordButtonClick() {
          recordButton.disabled = true;
          if (recordButton.textContent === 'Record') {
            remoteRecorder.start('video/webm')
              .then(started => {
                recordButton.textContent = 'Stop';
                recordInfo.textContent = 'recording ' + started.mimeType + ', at most ' + started.maximumDuration + ' s or '
                  + Math.round(started.maximumBytes / 1048576) + ' MiB';
                recordingLimit = setTimeout(onRecordButtonClick, started.maximumDuration * 1000 + 1000);
              })
              .catch(report)
              .finally(() => { recordButton.disabled = false; });
          } else {
            clearTimeout(recordingLimit);
            remoteRecorder.stop()
              .then(showRecording)
              .catch(report)
              .finally(() => { recordButton.textContent = 'Record'; recordButton.disabled = false; });
          }
        }

        // The recording in the <video> and behind the download link, as one object URL.
        function showRecording(blob) {
          const video = document.querySelector('#recording');
          const link = document.querySelector('#recordDownload');
          if (link.href) URL.revokeObjectURL(link.href);
          const url = URL.createObjectURL(blob);
          // A recording written as it went (WebM, fragmented MP4) does not say how long it is: seeking
          // past its end makes the element read it through, so its duration and timeline are right.
          video.addEventListener('loadedmetadata', () => {
            if (video.duration !== Infinity) return;
            video.addEventListener('durationchange', () => { video.currentTime = 0; }, { once: true });
            video.currentTime = 1e9;
          }, { once: true });
          video.src = url;
          link.href = url;
          link.download = 'recording.' + ({ 'video/mp4': 'mp4', 'video/x-matroska': 'mkv' }[blob.type.split(';')[0]] || 'webm');
          link.hidden = false;
          const limit = recordInfo.dataset.limit ? ', stopped at its ' + recordInfo.dataset.limit + ' limit' : '';
          recordInfo.textContent = blob.type + ', ' + Math.round(blob.size / 1024) + ' KiB' + limit;
        }

        // Centred and scaled to fit, the bars left clear.
        function drawCanvas(canvas, img) {
          canvas.width = getComputedStyle(canvas).width.split('px')[0];
          canvas.height = getComputedStyle(canvas).height.split('px')[0];
          const ratio = Math.min(canvas.width / img.width, canvas.height / img.height);
          const x = (canvas.width - img.width * ratio) / 2;
          const y = (canvas.height - img.height * ratio) / 2;
          canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
          canvas.getContext('2d').drawImage(img, 0, 0, img.width, img.height, x, y, img.width * ratio, img.height * ratio);
          canvas.dataset.drawn = Number(canvas.dataset.drawn || 0) + 1;
        }

        grabFrameButton.onclick = onGrabFrameButtonClick;
        takePhotoButton.onclick = onTakePhotoButtonClick;
        recordButton.onclick = onRecordButtonClick;

        // The buttons wait for the live view to play.
        function livePlaying() {
          const via = document.body.dataset.liveVia;
          if ((via === 'webrtc' && liveVideo.videoWidth > 0) || (via === 'mjpeg' && liveImage.naturalWidth > 0)) {
            grabFrameButton.disabled = false;
            takePhotoButton.disabled = false;
            recordButton.disabled = false;
            document.body.dataset.live = 'playing';
          } else {
            setTimeout(livePlaying, 100);
          }
        }
        livePlaying();

        // The photo size inputs, within getPhotoCapabilities().
        function photoSettings() {
          const settings = {};
          const width = Number(document.querySelector('#photoWidth').value);
          const height = Number(document.querySelector('#photoHeight').value);
          if (width > 0) settings.imageWidth = width;
          if (height > 0) settings.imageHeight = height;
          return settings;
        }

        imageCapture.getPhotoCapabilities().then(capabilities => {
          for (const [id, name] of [['#photoWidth', 'imageWidth'], ['#photoHeight', 'imageHeight']]) {
            const input = document.querySelector(id), range = capabilities[name];
            if (!range) continue;
            input.min = range.min; input.max = range.max; input.step = range.step || 1;
            input.nextElementSibling.textContent = range.min + '–' + range.max;
          }
        }).catch(report);

        // One input per control the camera has: a slider for a range, a select for a list.
        const modeMembers = ['width', 'height', 'aspectRatio', 'frameRate', 'facingMode', 'resizeMode', 'deviceId', 'groupId'];
        const inputs = {};
        track.getCapabilities().then(capabilities => {
          const panel = document.querySelector('#controls');
          for (const name of Object.keys(capabilities).sort()) {
            if (modeMembers.includes(name)) continue;
            const capability = capabilities[name];
            const label = document.createElement('label');
            label.textContent = name + ' ';
            let input;
            if (Array.isArray(capability)) {
              input = document.createElement('select');
              for (const option of capability) input.add(new Option(String(option), String(option)));
            } else if (capability && typeof capability.min === 'number') {
              input = document.createElement('input');
              input.type = 'range';
              input.min = capability.min; input.max = capability.max; input.step = capability.step || 'any';
            } else {
              continue;
            }
            input.id = 'control-' + name;
            const shown = document.createElement('span');
            input.addEventListener('change', () => {
              const value = input.type === 'range' ? Number(input.value)
                : (capability.every(v => typeof v === 'boolean') ? input.value === 'true' : input.value);
              track.applyConstraints({ [name]: { exact: value } }).then(showSettings).catch(report);
            });
            label.append(input, shown);
            panel.append(label);
            inputs[name] = { input, shown };
          }
          return track.getSettings().then(showSettings);
        }).catch(report);

        // The current settings, refreshed as they change (here or in another browser).
        function showSettings(settings) {
          document.querySelector('#settings').textContent = JSON.stringify(settings, null, 1);
          for (const [name, { input, shown }] of Object.entries(inputs)) {
            if (!(name in settings) || document.activeElement === input) continue;
            input.value = String(settings[name]);
            shown.textContent = String(settings[name]);
          }
        }
        setInterval(() => track.getSettings().then(showSettings).catch(() => {}), 1000);
        </script>
        </body>
        </html>
        """
}
