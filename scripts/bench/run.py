#!/usr/bin/python3
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""Runs the library's benchmarks beside its peers in one run, in interleaved rounds, and reports.

Peers: gst-launch-1.0 on the library's own graph (fakesink in place of the appsinks), PyGObject
(appsink pull loop, one copy per frame) and OpenCV (cv2.VideoCapture on GStreamer, read(), imencode).
Every measurement runs in a process of its own; peak RSS comes from wait4. Writes
.build/bench/results.jsonl, .build/bench/report.md and .build/bench/latency.png.

usage: run.py [--rounds N] [--quick] [--only mjpeg|record|publish] [--report RESULTS.jsonl]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, ".build", "bench")
LIBRARY = os.path.join(ROOT, ".build", "release", "benchmarks")
PEERS = [sys.executable, os.path.join(ROOT, "scripts", "bench", "peers.py")]
SIZES = ["640x480", "1280x720", "1920x1080"]
THROUGHPUT_FRAMES = {"320x240": 6000, "640x480": 3000, "1280x720": 1200, "1920x1080": 600}
results = []


def log(text):
    print(text, file=sys.stderr, flush=True)


def run(command, round_number):
    """Runs one measurement; returns its JSON lines (each tagged with the round and peak RSS)."""
    started = time.monotonic()
    process = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{process.stderr[-2000:]}")
    output = process.stdout
    lines = []
    for line in output.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            entry["round"] = round_number
            lines.append(entry)
    log(f"  {time.monotonic() - started:5.1f} s  {' '.join(os.path.basename(part) for part in command[-4:])}")
    return lines


def run_with_rss(command, round_number):
    """Like run, but also reports the process's peak RSS (ru_maxrss, from wait4)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    log(f"  {time.monotonic() - started:5.1f} s  {' '.join(os.path.basename(part) for part in command[-4:])}")
    return output, usage.ru_maxrss / 1024


# --- gst-launch-1.0 on the library's own graph ------------------------------------------------------

def library_graph(size, live, buffers, gate_open=True):
    """pipelines/fake-camera.pipeline in that mode, with fakesink in place of the appsinks."""
    width, height = size.split("x")
    text = open(os.path.join(ROOT, "pipelines", "fake-camera.pipeline")).read()
    text = text.replace("is-live=true", f"is-live={'true' if live else 'false'} num-buffers={buffers}")
    text = re.sub(r"width=640,height=480", f"width={width},height={height}", text)
    text = re.sub(r"appsink name=frames (caps=\S+) .*", r"capsfilter \1 ! fakesink sync=false", text)
    text = re.sub(r"appsink name=photo .*", "fakesink sync=false async=false", text)
    if not live:  # every frame converted, as a grab loop gets each: no leaky queue dropping them
        text = text.replace(" leaky=downstream", "")
    if not gate_open:
        text = text.replace("valve name=frames-gate", "valve name=frames-gate drop=true")
    return text.split()


def gst_throughput(size, round_number):
    frames = THROUGHPUT_FRAMES[size]
    output, rss = run_with_rss(["gst-launch-1.0"] + library_graph(size, False, frames + 50), round_number)
    # How long PLAYING lasted, as gst-launch reports it: the 50 extra frames stand for the warm-up.
    match = re.search(r"Execution ended after (\d+):(\d+):(\d+\.\d+)", output)
    seconds = int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3])
    results.append({"tool": "gst-launch", "metric": "throughput", "size": size,
                    "value": (frames + 50) / seconds, "unit": "fps", "round": round_number})
    results.append({"tool": "gst-launch", "metric": "peak-rss", "size": size, "value": rss,
                    "unit": "MiB", "round": round_number})


def cpu_of(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gst_cpu(metric, size, graph, warmup, seconds, round_number):
    """gst-launch-1.0 running `graph`: its CPU over `seconds` after `warmup` seconds, as `metric`."""
    process = subprocess.Popen(["gst-launch-1.0", "-q"] + graph, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(warmup)
        before = cpu_of(process.pid)
        time.sleep(seconds)
        used = cpu_of(process.pid) - before
    finally:
        process.terminate()
        process.wait(timeout=10)
    results.append({"tool": "gst-launch", "metric": metric, "size": size,
                    "value": used / seconds * 100, "unit": "%", "round": round_number})
    log(f"  {warmup + seconds:5.1f} s  gst-launch {metric} {size}")


def gst_idle_cpu(size, seconds, round_number):
    """The graph with both gates closed, as an open track nobody reads has it."""
    gst_cpu("idle-cpu", size, library_graph(size, True, -1, gate_open=False), 1, seconds, round_number)


# --- an MJPEG webcam, on the virtual camera -------------------------------------------------------------

FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "v4l2-devices")
WEBCAMS = {"c920": ["logitech-c920.ctrls.txt", "logitech-c920.formats.txt"],
           "brio": ["logitech-brio.ctrls.txt", "logitech-brio.formats.txt"]}


def on_camera(webcam, command):
    """`command` under scripts/with-virtual-camera.sh with that webcam's listings."""
    listings = [os.path.join(FIXTURES, name) for name in WEBCAMS[webcam]]
    return ["bash", os.path.join(ROOT, "scripts", "with-virtual-camera.sh")] + listings + ["--"] + command


def descendant_cpu(pid):
    """CPU seconds of `pid` and every process below it (the wrapper script's gst-launch-1.0)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += cpu_of(current)
            for task in os.listdir(f"/proc/{current}/task"):
                pending += [int(child) for child in open(f"/proc/{current}/task/{task}/children").read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def gst_mjpeg_cpu(name, size, rate, tail, seconds, round_number):
    """gst-launch-1.0 on the virtual camera's MJPEG mode: `v4l2src ! caps ! TAIL`, CPU over `seconds`."""
    width, height = size.split("x")
    caps = f"image/jpeg,width={width},height={height},framerate={rate}/1"
    process = subprocess.Popen(on_camera("c920", ["gst-launch-1.0", "-q", "v4l2src", "device=$VIRTUAL_CAMERA", "!", caps,
                                                  "!"] + tail.split()),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(2)
        before = descendant_cpu(process.pid)
        time.sleep(seconds)
        used = descendant_cpu(process.pid) - before
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=10)
    results.append({"tool": "gst-launch", "metric": name, "size": size, "value": used / seconds * 100, "unit": "%",
                    "round": round_number, "graph": tail})
    log(f"  {2 + seconds:5.1f} s  gst-launch {name} {size}")


def mjpeg_rows(number, quick):
    seconds, count = ("3", "15") if quick else ("6", "45")
    results.extend(run(on_camera("c920", [LIBRARY, "mjpeg-idle-cpu", "1920x1080", "30", seconds]), number))
    gst_mjpeg_cpu("mjpeg-idle-cpu", "1920x1080", 30, "fakesink", int(seconds), number)
    results.extend(run(on_camera("c920", [LIBRARY, "mjpeg-reader-cpu", "1920x1080", "30", seconds]), number))
    gst_mjpeg_cpu("mjpeg-reader-cpu", "1920x1080", 30, "jpegdec ! videoconvert ! fakesink", int(seconds), number)
    gst_mjpeg_cpu("mjpeg-reader-rgba-cpu", "1920x1080", 30,
                  "jpegdec ! videoconvert ! video/x-raw,format=RGBA ! fakesink", int(seconds), number)
    results.extend(run(on_camera("c920", [LIBRARY, "mjpeg-photo", "1920x1080", "30", count]), number))
    results.extend(run(on_camera("brio", [LIBRARY, "mjpeg-frame-age", "3840x2160", "30", count]), number))


# --- recording (MediaRecorder's defaults: VP8 in WebM) ----------------------------------------------------

RECORD_SIZE = "1280x720"


def recording_graph(size, bits):
    """pipelines/recording-webm.pipeline at `size`: the frames gate closed (an open track nobody reads),
    fakesink in place of the appsinks."""
    width, height = size.split("x")
    text = open(os.path.join(ROOT, "pipelines", "recording-webm.pipeline")).read()
    text = text.replace("width=640,height=480", f"width={width},height={height}")
    text = text.replace("target-bitrate=921600", f"target-bitrate={bits}")
    text = text.replace("valve name=frames-gate", "valve name=frames-gate drop=true")
    text = re.sub(r"appsink name=(\S+) .*", r"fakesink name=\1 sync=false async=false", text)
    return text.split()


def gst_record_cpu(size, bits, seconds, round_number):
    """gst-launch-1.0 running the recording graph, CPU over `seconds` after 2 s."""
    gst_cpu("record-cpu", size, recording_graph(size, bits), 2, seconds, round_number)


def frames_lost(path, rate=30):
    """Frames missing from a recording: the capture times in the file, each 1/rate apart when none was
    lost, read by GStreamer's own demuxer (no decode). Returns (frames, lost)."""
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst
    Gst.init(None)
    pipeline = Gst.parse_launch("filesrc name=file ! matroskademux ! appsink name=sink sync=false")
    pipeline.get_by_name("file").set_property("location", path)
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    times = []
    while True:
        sample = sink.emit("try-pull-sample", 5 * Gst.SECOND)
        if sample is None:
            break
        times.append(sample.get_buffer().pts)
    pipeline.set_state(Gst.State.NULL)
    times.sort()
    interval = Gst.SECOND / rate
    lost = sum(max(0, round((later - earlier) / interval) - 1) for earlier, later in zip(times, times[1:]))
    return len(times), lost


def record_rows(number, quick):
    seconds = 3 if quick else 6
    width, height = RECORD_SIZE.split("x")
    bits = int(width) * int(height) * 30 // 10  # the recorder's default: a tenth of a bit per pixel
    path = os.path.join(OUT, "recording.webm")
    lines = run([LIBRARY, "record-cpu", RECORD_SIZE, str(seconds), path], number)
    frames, lost = frames_lost(path)
    for line in lines:
        line.update({"frames": frames, "lost": lost})
    results.extend(lines)
    results.append({"tool": "library", "metric": "record-lost", "size": RECORD_SIZE, "value": lost, "unit": "frames",
                    "round": number, "frames": frames})
    gst_record_cpu(RECORD_SIZE, bits, seconds, number)
    results.extend(run([LIBRARY, "record-grab", RECORD_SIZE, "15" if quick else "40"], number))


# --- publishing (imagecapture publish: RTSP and WHEP) ----------------------------------------------------

TOOL = os.path.join(ROOT, "Tools", ".build", "release", "imagecapture")
WHEP_PLAYER = ["/usr/bin/python3", os.path.join(ROOT, "Tests", "Browser", "whep_play.py")]  # check-browser's player; selenium: Debian's
PUBLISH_SIZE = "640x480"
CAMERA_LINGER = 10  # the tool closes the camera this long after its last viewer


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def thread_names(pid):
    names = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            names.append(open(f"/proc/{pid}/task/{task}/comm").read().strip())
        except FileNotFoundError:
            pass
    return names


def encoder_threads(pid):
    """The encoding branches running in the tool: each has one queue thread, named after the element
    ("swift-media-capture-encoder-…", cut to 15 characters)."""
    return sum(name.startswith("swift-media-cap") for name in thread_names(pid))


def camera_open(pid):
    """Whether the tool's camera runs: its frames branch's queue thread exists."""
    return any(name.startswith("frames-queue") for name in thread_names(pid))


class Children:
    """Processes started for a measurement, each in a session of its own: all of them are ended on
    leaving (SIGINT, then SIGKILL after 5 s), whatever happened."""

    def __init__(self):
        self.processes = []

    def start(self, command, **options):
        process = subprocess.Popen(command, start_new_session=True, **options)
        self.processes.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            os.killpg(process.pid, 2)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=5)
        if process in self.processes:
            self.processes.remove(process)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        for process in list(self.processes):
            try:
                self.stop(process)
            except ProcessLookupError:
                pass


def publish(children, whep_origin=None):
    """Starts `imagecapture publish` on free ports; returns the process and the URLs it printed
    (RTSP, then WHEP with `whep_origin`), read within 20 s."""
    import select
    if not os.access(TOOL, os.X_OK):
        raise SystemExit(f"no {TOOL}: build it with (cd Tools && swift build -c release --product imagecapture)")
    command = [TOOL, "publish", "--rtsp-port", "0", "--pattern", "ball"]  # a moving picture: the encoder works
    if whep_origin:
        command += ["--whep-port", "0", "--allow-origin", whep_origin]
    process = children.start(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    wanted, text, deadline = 2 if whep_origin else 1, b"", time.monotonic() + 20
    while text.count(b"\n") < wanted:
        left = deadline - time.monotonic()
        if left <= 0 or process.poll() is not None:
            raise SystemExit(f"imagecapture publish printed no URL within 20 s: {text!r}")
        if select.select([process.stdout], [], [], left)[0]:
            text += os.read(process.stdout.fileno(), 4096)
    return process, text.decode().split("\n")[:wanted]


def rtsp_client(children, url):
    """An RTSP client over TCP that depayloads and decodes nothing."""
    return children.start(["gst-launch-1.0", "-q", "rtspsrc", f"location={url}", "protocols=tcp", "!", "rtph264depay",
                           "!", "fakesink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def publish_rtsp_cpu(number, seconds):
    """The tool's CPU (its process alone) with 1 and with 4 RTSP clients, `seconds` each after a 4 s
    warm-up, in one process: 1 then 4 in odd rounds, 4 then 1 in even ones."""
    with Children() as children:
        tool, (url,) = publish(children)
        clients, cpu, encoders = [], {}, {}
        for count in ([1, 4] if number % 2 else [4, 1]):
            while len(clients) < count:
                clients.append(rtsp_client(children, url))
            while len(clients) > count:
                children.stop(clients.pop())
            time.sleep(4)
            before = cpu_of(tool.pid)
            time.sleep(seconds)
            cpu[count] = (cpu_of(tool.pid) - before) / seconds * 100
            encoders[count] = encoder_threads(tool.pid)
            dead = [client.returncode for client in clients if client.poll() is not None]
            if dead:
                raise SystemExit(f"an RTSP client ended during the measurement (status {dead})")
    for count in [1, 4]:
        results.append({"tool": "library", "metric": "publish-rtsp-cpu", "size": str(count), "value": cpu[count],
                        "unit": "%", "round": number, "encoders": encoders[count]})
    log(f"  {2 * (seconds + 4):5.1f} s  imagecapture publish, 1 and 4 RTSP clients")


def whep_first_frame(url, codec, origin_port):
    """One viewer in headless Chromium: ms from its POST to its first decoded frame."""
    command = WHEP_PLAYER + [url, codec, str(origin_port), "--min-frames", "30", "--count-ms", "1500", "--timeout", "20"]
    process = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{process.stdout}{process.stderr[-2000:]}")
    return json.loads(process.stdout.splitlines()[0])["firstFrameMs"]


def publish_whep_first_frame(number, warm_count):
    """WHEP POST to Chromium's first decoded frame, VP8 and H.264: `warm_count` times each with the
    camera kept open by an RTSP client (which also keeps the H.264 encode running), then once each
    cold: the camera closed (its linger over, checked from the tool's threads) before the POST."""
    started, origin_port = time.monotonic(), free_port()
    codecs = ["vp8", "h264"] if number % 2 else ["h264", "vp8"]
    with Children() as children:
        tool, (rtsp, whep) = publish(children, f"http://127.0.0.1:{origin_port}")
        holder = rtsp_client(children, rtsp)
        time.sleep(3)
        whep_first_frame(whep, "vp8", origin_port)  # untimed: the first viewer loads webrtcbin and the encoders
        for codec in codecs * warm_count:
            results.append({"tool": "library", "metric": "whep-first-frame", "size": f"{codec} open",
                            "value": whep_first_frame(whep, codec, origin_port), "unit": "ms", "round": number})
        children.stop(holder)
        for codec in codecs:
            deadline = time.monotonic() + CAMERA_LINGER + 10
            while camera_open(tool.pid):
                if time.monotonic() > deadline:
                    raise SystemExit("the camera did not close after its last viewer left")
                time.sleep(0.5)
            time.sleep(1)
            results.append({"tool": "library", "metric": "whep-first-frame", "size": f"{codec} cold",
                            "value": whep_first_frame(whep, codec, origin_port), "unit": "ms", "round": number})
    log(f"  {time.monotonic() - started:5.1f} s  imagecapture publish, {len(codecs) * (warm_count + 1)} timed WHEP viewers")


def publish_rows(number, quick):
    seconds = 5 if quick else 10
    publish_rtsp_cpu(number, seconds)
    publish_whep_first_frame(number, 1 if quick else 2)
    results.extend(run([LIBRARY, "publish-idle-cpu", PUBLISH_SIZE, "3" if quick else "5"], number))


# --- the rounds ---------------------------------------------------------------------------------------

def one_round(number, quick):
    log(f"round {number}")
    counts = {"first": 3 if quick else 10, "latency": 10 if quick else 30, "photo": 12 if quick else 45}
    for size in ["320x240"] + SIZES:
        frames = str(THROUGHPUT_FRAMES[size])
        output, rss = run_with_rss([LIBRARY, "throughput", size, frames], number)
        for line in output.splitlines():
            results.append(dict(json.loads(line), round=number))
        results.append({"tool": "library", "metric": "peak-rss", "size": size, "value": rss, "unit": "MiB",
                        "round": number})
        gst_throughput(size, number)
        for tool in ["pygobject", "opencv"]:
            results.extend(run(PEERS + [tool, "throughput", size, frames], number))
    for size in SIZES:
        results.extend(run([LIBRARY, "first-frame", size, str(counts["first"])], number))
        for tool in ["pygobject", "opencv"]:
            results.extend(run(PEERS + [tool, "first-frame", size, str(counts["first"])], number))
    for size in SIZES:
        results.extend(run([LIBRARY, "latency", size, str(counts["latency"])], number))
        for tool in ["pygobject", "opencv"]:
            results.extend(run(PEERS + [tool, "latency", size, str(counts["latency"])], number))
    # What reading a frame's metadata adds to a held grab (its size does not matter: no pixel work).
    results.extend(run([LIBRARY, "metadata", "640x480", str(counts["latency"])], number))
    for size in SIZES:
        results.extend(run([LIBRARY, "photo", size, str(counts["photo"])], number))
        for tool in ["pygobject", "opencv"]:
            results.extend(run(PEERS + [tool, "photo", size, str(counts["photo"])], number))
    results.extend(run([LIBRARY, "native-still", "2"], number))
    for size, rate in [("640x480", "5"), ("1920x1080", "30")]:
        results.extend(run([LIBRARY, "zero-shutter-lag", size, rate, "10" if quick else "30"], number))
    results.extend(run([LIBRARY, "idle-cpu", "1920x1080", "4"], number))
    gst_idle_cpu("1920x1080", 4, number)
    for count in [1, 2, 4, 8]:
        results.extend(run([LIBRARY, "tracks", str(count), "2"], number))
        results.extend(run(PEERS + ["pygobject", "tracks", str(count), "2"], number))
    mjpeg_rows(number, quick)
    record_rows(number, quick)
    publish_rows(number, quick)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer samples and no 100 000-grab memory run")
    parser.add_argument("--report", metavar="RESULTS", help="only remake the report and chart from a results.jsonl")
    parser.add_argument("--only", choices=["mjpeg", "record", "publish"],
                        help="only the MJPEG webcam's rows (on the virtual camera), the recorder's, or the publishers'")
    options = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    suffix = f"-{options.only}" if options.only else ""  # a partial run keeps a full run's files
    started = time.monotonic()
    if options.report:
        with open(options.report) as file:
            results.extend(json.loads(line) for line in file if line.strip())
        elapsed = results[-1].get("elapsed", 0) if results else 0
    elif options.only:
        rows = {"mjpeg": mjpeg_rows, "record": record_rows, "publish": publish_rows}[options.only]
        for number in range(1, options.rounds + 1):
            log(f"round {number}")
            rows(number, options.quick)
        elapsed = time.monotonic() - started
    else:
        for number in range(1, options.rounds + 1):
            one_round(number, options.quick)
        grabs, photos = ("10000", "100") if options.quick else ("100000", "1000")
        log("memory")
        results.extend(run([LIBRARY, "memory", grabs, photos], 1))
    if not options.report:
        elapsed = time.monotonic() - started
        results[-1]["elapsed"] = elapsed
        with open(os.path.join(OUT, f"results{suffix}.jsonl"), "w") as file:
            for entry in results:
                file.write(json.dumps(entry) + "\n")
    import report
    markdown = report.markdown(results, elapsed, options)
    with open(os.path.join(OUT, f"report{suffix}.md"), "w") as file:
        file.write(markdown)
    if not options.only:
        report.chart(results, os.path.join(OUT, "latency.png"))
    for entry in results:
        print(json.dumps({key: value for key, value in entry.items() if key != "samples"}))
    print(markdown)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
