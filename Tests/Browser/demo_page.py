# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""The "Grab Frame - Take Photo" page in a real headless Chromium (Debian's chromium and
chromium-driver, driven by Debian's python3-selenium).

Usage: demo_page.py URL SCREENSHOT.png COLOUR (0xRRGGBB, the fake camera's solid colour)
Exits 0 when every check holds; prints what failed otherwise.
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

url, screenshot, colour = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
# A server started with a token: the API calls carry it, the page opens as URL#access_token=TOKEN.
token = os.environ.get("ACCESS_TOKEN")
authorization = {"Authorization": "Bearer " + token} if token else {}
expected = [(colour >> 16) & 255, (colour >> 8) & 255, colour & 255]
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


def wait_for(predicate, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if predicate():
                return True
        except Exception:  # the page may still be loading
            pass
        time.sleep(0.1)
    check(False, what + f" (within {seconds} s)")
    return False


def close_to(pixel, rgb, tolerance=14):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], rgb)) and pixel[3] == 255


def request(path, body=None, headers=None):
    """(status, content type, body bytes) of a request to the server; GET without a body, else POST."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    post = data is not None or path.startswith("/api/grab") or path.startswith("/api/record")
    try:
        with urllib.request.urlopen(urllib.request.Request(url + path.lstrip("/"), data=data,
                                                           headers={**authorization, **(headers or {})},
                                                           method="POST" if post else "GET"), timeout=30) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def refused(answer, status, name):
    """The answer is `status` with the DOMException JSON named `name`."""
    try:
        return answer[0] == status and answer[1] == "application/json" and json.loads(answer[2])["name"] == name
    except (ValueError, KeyError):
        return False


# The JSON API: its errors and its load, before the browser opens the page.
status, kind, body = request("/api/take-photo", {"imageWidth": 99999})
check(status == 422 and kind == "application/json" and json.loads(body)["name"] == "NotSupportedError",
      f"take-photo with imageWidth 99999: 422 NotSupportedError ({status} {body[:120]!r})")
status, kind, body = request("/api/take-photo", bytes(range(256)) + bytes(44))
check(status == 400 and json.loads(body)["name"] == "TypeError", f"300 bytes that are not JSON: 400 TypeError ({status})")
status, _, body = request("/api/constraints", b"x" * 70000)
check(status == 413, f"a body over 64 KiB: 413 ({status})")
results = []
threads = [threading.Thread(target=lambda: results.append(request("/api/grab-frame", b""))) for _ in range(20)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
check(len(results) == 20 and all(r[0] == 200 and r[1] == "image/png" and r[2][:4] == b"\x89PNG" for r in results),
      f"20 parallel grab-frame requests all succeed ({sorted(r[0] for r in results)})")
status, _, body = request("/api/photo-capabilities")
check(status == 200 and json.loads(body)["imageWidth"]["max"] == 3264, "the server keeps serving after bad requests")

# Recording: one at a time, a stop needs a start, a type the recorder does not record is refused.
answer = request("/api/record/stop")
check(refused(answer, 409, "InvalidStateError"), f"record/stop without a start: 409 InvalidStateError ({answer[0]} {answer[2][:120]!r})")
answer = request("/api/record/start", {"mimeType": "video/ogg"})
check(refused(answer, 422, "NotSupportedError"), f"record/start of video/ogg: 422 NotSupportedError ({answer[0]} {answer[2][:120]!r})")
answer = request("/api/record/start?mimeType=image/png")
check(refused(answer, 422, "NotSupportedError"), f"record/start?mimeType=image/png: 422 NotSupportedError ({answer[0]})")
answer = request("/api/record/start", {"mimeType": 3})
check(refused(answer, 400, "TypeError"), f"record/start with a mimeType that is not a string: 400 TypeError ({answer[0]})")
status, kind, body = request("/api/record/start")
started = json.loads(body) if status == 200 else {}
check(status == 200 and started.get("mimeType") == "video/webm;codecs=vp8" and started.get("maximumDuration") == 60,
      f"record/start: 200 with the recorder's type and its limit ({status} {body[:120]!r})")
answer = request("/api/record/start")
check(refused(answer, 409, "InvalidStateError"), f"a second record/start while one runs: 409 InvalidStateError ({answer[0]})")
check(request("/api/grab-frame", b"")[0] == 200, "grab-frame works while recording")
time.sleep(1)
status, kind, body = request("/api/record/stop")
check(status == 200 and kind == "video/webm;codecs=vp8" and body[:4] == b"\x1a\x45\xdf\xa3" and len(body) > 1000,
      f"record/stop: 200, the recorder's type and a WebM file ({status} {kind} {len(body)} bytes {body[:4]!r})")
answer = request("/api/record/stop")
check(refused(answer, 409, "InvalidStateError"), f"a second record/stop: 409 InvalidStateError ({answer[0]})")

options = Options()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1100",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_script_timeout(20)
try:
    driver.get(url + ("#access_token=" + token if token else ""))
    check(driver.title == "Grab Frame - Take Photo", "the page's title")
    grab = driver.find_element(By.ID, "grabFrameButton")
    take = driver.find_element(By.ID, "takePhotoButton")
    record = driver.find_element(By.ID, "recordButton")
    wait_for(lambda: driver.execute_script("return document.body.dataset.live") == "playing", 20, "the live view plays")
    via = driver.execute_script("return document.body.dataset.liveVia")
    check(via == "webrtc", f"the live view plays through WebRTC from the WHEP endpoint ({via!r}; {driver.find_element(By.ID, 'liveInfo').text!r})")
    status = json.loads(request("/api/status")[2])
    check(status.get("whepViewers") == 1, f"the server counts the page as its WHEP viewer ({status})")
    check(grab.is_enabled() and take.is_enabled() and record.is_enabled(), "the buttons are enabled once the live view plays")

    pixel = "const c = document.querySelector(arguments[0]); return Array.from(c.getContext('2d').getImageData(arguments[1], arguments[2], 1, 1).data);"
    # 640x480 drawn into 360x240: scaled by 0.5 to 320x240, centred, bars of 20 px left and right.
    for button, canvas in [(grab, "#grabFrameCanvas"), (take, "#takePhotoCanvas")]:
        button.click()
        wait_for(lambda: driver.execute_script(f"return document.querySelector('{canvas}').dataset.drawn") == "1", 20,
                 f"{canvas} is drawn")
        centre = driver.execute_script(pixel, canvas, 180, 120)
        check(close_to(centre, expected), f"{canvas}: the centre is the camera's colour ({centre})")
        for x in (25, 334):
            inside = driver.execute_script(pixel, canvas, x, 120)
            check(close_to(inside, expected), f"{canvas}: x={x} is inside the picture ({inside})")
        for x in (5, 355):
            bar = driver.execute_script(pixel, canvas, x, 120)
            check(bar[3] == 0, f"{canvas}: x={x} is in drawCanvas's letterbox bar, left clear ({bar})")
        size = driver.execute_script(f"const c = document.querySelector('{canvas}'); return [c.width, c.height];")
        check(size == [360, 240], f"{canvas}: sized from its CSS box ({size})")

    # The live view's picture (the <video>, or the <img> of the MJPEG fallback), read back through a
    # canvas (same origin, or a MediaStream, so not tainted).
    live_mean = """
        const webrtc = document.body.dataset.liveVia === 'webrtc';
        const live = document.querySelector(webrtc ? '#liveVideo' : '#liveImage'), c = document.createElement('canvas');
        c.width = webrtc ? live.videoWidth : live.naturalWidth; c.height = webrtc ? live.videoHeight : live.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(live, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let sum = 0; for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
        return sum / (d.length / 4);"""
    before = driver.execute_script(live_mean)
    wait_for(lambda: driver.execute_script("return document.querySelector('#control-brightness') !== null"), 10,
             "the panel has a brightness slider")
    driver.execute_script("""
        const s = document.querySelector('#control-brightness');
        s.value = s.max; s.dispatchEvent(new Event('change'));""")
    wait_for(lambda: abs(driver.execute_script(live_mean) - before) > 20, 10,
             f"the live view brightens after the brightness slider moved (mean {before:.0f})")
    check(abs(driver.execute_script(live_mean) - before) > 20, "the live view's pixels changed with brightness")
    wait_for(lambda: '"brightness": 10' in driver.find_element(By.ID, "settings").text, 5, "getSettings() shows brightness 10")

    # A photo of the size typed in the panel.
    driver.execute_script("document.querySelector('#photoWidth').value = 320; document.querySelector('#photoHeight').value = 240;")
    take.click()
    wait_for(lambda: driver.execute_script("return document.querySelector('#takePhotoCanvas').dataset.photoWidth") == "320", 20,
             "the photo is 320 wide")
    height = driver.execute_script("return document.querySelector('#takePhotoCanvas').dataset.photoHeight")
    check(height == "240", f"the photo is 240 high ({height})")
    info = driver.find_element(By.ID, "takePhotoInfo").text
    check(info.startswith("captured ") and ", frame " in info and info.endswith("nextFrame"), f"the photo's capture time, frame and origin are shown ({info!r})")

    # Zero shutter lag: once switched on, a photo is of a frame captured before the click.
    driver.find_element(By.ID, "zeroShutterLag").click()
    time.sleep(0.5)
    take.click()
    wait_for(lambda: driver.execute_script("return document.querySelector('#takePhotoInfo').dataset.origin") == "heldFrame", 20,
             "a zero-shutter-lag photo is of a held frame")
    origin = driver.execute_script("return document.querySelector('#takePhotoInfo').dataset.origin")
    check(origin == "heldFrame", f"the zero-shutter-lag switch gives a held frame ({origin!r})")
    grab_info = driver.find_element(By.ID, "grabFrameInfo").text
    check(grab_info.startswith("captured ") and ", frame " in grab_info, f"the grabbed frame's capture time and number are shown ({grab_info!r})")

    # Record, Stop: about 2 s of video plays in the page's <video> and is offered as a download. Then
    # 5 s, which Chromium's <video> alone would show as lasting Infinity (a WebM written as it went has
    # no duration; a 2 s one is read to its end at once): the page finds its duration.
    video = "document.querySelector('#recording')"
    for seconds, shortest, longest in [(2, 1, 4), (5, 4, 7)]:
        check(record.text == "Record", f"the record button says Record ({record.text!r})")
        record.click()
        wait_for(lambda: record.text == "Stop" and record.is_enabled(), 10, "the record button turns into Stop")
        time.sleep(seconds)
        record.click()
        wait_for(lambda: record.text == "Record" and record.is_enabled(), 25, "the record button turns back into Record")
        wait_for(lambda: driver.execute_script(f"return {video}.readyState") >= 2 and
                 driver.execute_script(f"return {video}.duration") not in (None, float("inf")) and
                 driver.execute_script(f"return {video}.currentTime") == 0, 10,
                 f"the {seconds} s recording loads in the <video>, with its duration found")
        width, height, duration, source = driver.execute_script(
            f"const v = {video}; return [v.videoWidth, v.videoHeight, v.duration, v.src];")
        check(width == 640 and height == 480, f"the recording is 640x480 ({width}x{height})")
        check(isinstance(duration, (int, float)) and shortest <= duration <= longest,
              f"the recording lasts about {seconds} s ({duration})")
        driver.execute_script(f"{video}.muted = true; window.recordingEnded = false; "
                              f"{video}.addEventListener('ended', () => window.recordingEnded = true, {{ once: true }}); {video}.play();")
        wait_for(lambda: driver.execute_script("return window.recordingEnded"), seconds + 10, "the recording plays to its end")
        played = driver.execute_script(f"return {video}.currentTime")
        check(driver.execute_script("return window.recordingEnded") and shortest <= played <= longest,
              f"the recording played to its end ({played} s)")
        link = driver.find_element(By.ID, "recordDownload")
        href, download, shown = link.get_attribute("href"), link.get_attribute("download"), link.is_displayed()
        check(href == source and href.startswith("blob:") and download == "recording.webm" and shown,
              f"the download link: the recording's blob: URL, named recording.webm, shown ({href!r} {download!r} {shown})")
        info = driver.find_element(By.ID, "recordInfo").text
        check(info.startswith("video/webm;codecs=vp8, ") and info.endswith(" KiB"), f"the recording's type and size are shown ({info!r})")

    log = driver.find_element(By.ID, "log").text
    check(log == "", f"no error on the page ({log!r})")
    driver.save_screenshot(screenshot)
    print(f"screenshot: {screenshot}")

    # Leaving the page ends its WHEP session (a DELETE sent with keepalive as it goes).
    driver.get("about:blank")
    if wait_for(lambda: json.loads(request("/api/status")[2]).get("whepViewers") == 0, 5,
                "the page's WHEP session ends when the page is left"):
        check(True, "the page's WHEP session ended when the page was left")

    # The MJPEG live view: forced by ?live=mjpeg, and taken when WebRTC fails (here the POST to /whep
    # blocked in the browser, as a refusal or a network that lets no WebRTC through would).
    for block in (False, True):
        if block:
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/whep"]})
        driver.get(url + ("" if block else "?live=mjpeg") + ("#access_token=" + token if token else ""))
        what = "with /whep blocked" if block else "with ?live=mjpeg"
        wait_for(lambda: driver.execute_script("return document.body.dataset.live") == "playing", 20, f"the live view plays {what}")
        via, info = driver.execute_script("return [document.body.dataset.liveVia, document.querySelector('#liveInfo').textContent]")
        size = driver.execute_script("const i = document.querySelector('#liveImage'); return [i.naturalWidth, i.naturalHeight, i.hidden];")
        check(via == "mjpeg" and size == [640, 480, False], f"{what} the live view is the MJPEG stream ({via!r} {size} {info!r})")
        viewers = json.loads(request("/api/status")[2]).get("whepViewers")
        check(viewers == 0, f"{what} the page is no WHEP viewer ({viewers})")
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
finally:
    driver.quit()

# Nobody watches or calls any more: the camera closes 10 s after its last use.
closed = wait_for(lambda: json.loads(request("/api/status")[2]) == {"cameraOpen": False, "whepViewers": 0}, 20,
                  "the camera closes after its last viewer left")
if closed:
    check(True, "the camera closed after its last viewer left")

# A recording, with nothing else using the camera, keeps it open past those 10 s; it closes after.
status, _, _ = request("/api/record/start")
check(status == 200, f"record/start with nobody watching ({status})")
time.sleep(12)
check(json.loads(request("/api/status")[2]) == {"cameraOpen": True, "whepViewers": 0}, "the camera stays open while it records, 12 s on")
status, kind, body = request("/api/record/stop")
check(status == 200 and body[:4] == b"\x1a\x45\xdf\xa3" and len(body) > 10000,
      f"the 12 s recording stops ({status} {kind} {len(body)} bytes)")
wait_for(lambda: json.loads(request("/api/status")[2]) == {"cameraOpen": False, "whepViewers": 0}, 20, "the camera closes after the recording")

if failures:
    print(f"{len(failures)} check(s) failed", flush=True)
    sys.exit(1)
