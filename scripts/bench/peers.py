#!/usr/bin/python3
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""The peers' side of scripts/bench.sh: the same measurements as the library's `benchmarks` binary,
done the way an application would with PyGObject (python3-gi) or OpenCV (python3-opencv).

usage: peers.py TOOL MEASUREMENT [ARGS]   (TOOL: pygobject | opencv; one JSON line per result)
"""
import json
import resource
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)


def emit(tool, metric, size, value, unit, samples=None, **extra):
    line = {"tool": tool, "metric": metric, "size": size, "value": round(value, 3), "unit": unit}
    line.update({key.replace("_", "-"): round(number, 3) for key, number in extra.items()})
    if samples:
        line["samples"] = [round(sample, 3) for sample in samples]
    print(json.dumps(line), flush=True)


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def phases(count, interval=1 / 30):
    """Request phases spread evenly over one frame interval, in a scrambled order (as the library's)."""
    return [((index * 7919) % count + 0.5) / count * interval for index in range(count)]


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def source(width, height, live, buffers=-1):
    return (f"videotestsrc is-live={'true' if live else 'false'} num-buffers={buffers} pattern=smpte"
            f" ! video/x-raw,format=I420,width={width},height={height},framerate=30/1")


# --- PyGObject: an appsink pull loop with one copy of each frame -----------------------------------

class Sink:
    """parse → PLAYING, and pull from an RGBA appsink (one copy per frame, as an application keeps it)."""

    def __init__(self, width, height, live, buffers=-1, keep_all=False):
        drop = "false" if keep_all else "true"
        self.pipeline = Gst.parse_launch(
            source(width, height, live, buffers) + " ! videoconvert ! video/x-raw,format=RGBA"
            f" ! appsink name=sink sync=false max-buffers=1 drop={drop}")
        self.sink = self.pipeline.get_by_name("sink")
        self.pipeline.set_state(Gst.State.PLAYING)

    def pull(self):
        sample = self.sink.emit("try-pull-sample", 5 * Gst.SECOND)
        if sample is None:
            raise RuntimeError("no sample within 5 s")
        buffer = sample.get_buffer()
        return buffer.extract_dup(0, buffer.get_size())

    def close(self):
        self.pipeline.set_state(Gst.State.NULL)


def throughput(tool, read, width, height, frames):
    """Frames per second through `read`, after 50 frames of warm-up."""
    for _ in range(50):
        read()
    start = time.perf_counter()
    for _ in range(frames):
        read()
    emit(tool, "throughput", f"{width}x{height}", frames / (time.perf_counter() - start), "fps")


def first_frame(tool, open_source, width, height, count):
    """Open → first frame, `count` times after one warm-up open; `open_source` returns (read, close)."""
    samples = []
    for index in range(count + 1):
        start = time.perf_counter()
        read, close = open_source()
        read()
        if index > 0:
            samples.append((time.perf_counter() - start) * 1000)
        close()
    emit(tool, "first-frame", f"{width}x{height}", median(samples), "ms", samples)


def gi_throughput(width, height, frames):
    sink = Sink(width, height, live=False, buffers=frames + 50, keep_all=True)
    throughput("pygobject", sink.pull, width, height, frames)
    sink.close()


def gi_first_frame(width, height, count):
    def open_source():
        sink = Sink(width, height, live=True)
        return sink.pull, sink.close
    first_frame("pygobject", open_source, width, height, count)


def latency(tool, read, width, height, count):
    held, waiting = [], []
    read()
    for phase in phases(count):
        time.sleep(0.045)
        start = time.perf_counter()
        read()
        held.append((time.perf_counter() - start) * 1000)
        read()
        time.sleep(phase)
        start = time.perf_counter()
        read()
        waiting.append((time.perf_counter() - start) * 1000)
    size = f"{width}x{height}"
    emit(tool, "grab-held", size, median(held), "ms", held)
    emit(tool, "grab-waiting", size, median(waiting), "ms", waiting)


def gi_latency(width, height, count):
    sink = Sink(width, height, live=True)
    latency("pygobject", sink.pull, width, height, count)
    sink.close()


def gi_photo(width, height, count):
    """A valve before jpegenc, opened per photo; the first JPEG of a frame taken after the call."""
    pipeline = Gst.parse_launch(
        source(width, height, live=True) + " ! tee name=t t. ! queue ! fakesink sync=false"
        " t. ! valve name=shutter drop=true ! queue ! jpegenc quality=90"
        " ! appsink name=photo sync=false async=false max-buffers=1 drop=true")
    valve, sink = pipeline.get_by_name("shutter"), pipeline.get_by_name("photo")
    pipeline.set_state(Gst.State.PLAYING)
    pipeline.get_state(5 * Gst.SECOND)
    clock, base = pipeline.get_clock(), pipeline.get_base_time()
    samples = []
    for index, phase in enumerate([0.0] * 3 + phases(count)):
        time.sleep(phase)
        start = time.perf_counter()
        asked = clock.get_time() - base
        valve.set_property("drop", False)
        while True:
            sample = sink.emit("try-pull-sample", 5 * Gst.SECOND)
            if sample is None:
                raise RuntimeError("no photo within 5 s")
            if sample.get_buffer().pts >= asked:
                break
        valve.set_property("drop", True)
        jpeg = sample.get_buffer().extract_dup(0, sample.get_buffer().get_size())
        assert jpeg[:2] == b"\xff\xd8"
        if index >= 3:
            samples.append((time.perf_counter() - start) * 1000)
    pipeline.set_state(Gst.State.NULL)
    emit("pygobject", "takePhoto", f"{width}x{height}", median(samples), "ms", samples)


def gi_tracks(count, seconds):
    sinks = [Sink(1280, 720, live=True) for _ in range(count)]
    counts = [0] * count
    state = {"counting": False, "running": True}

    def read(index):
        while state["running"]:
            sinks[index].pull()
            if state["counting"]:
                counts[index] += 1

    threads = [threading.Thread(target=read, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    before = cpu_seconds()
    state["counting"] = True
    time.sleep(seconds)
    state["counting"] = False
    used = cpu_seconds() - before
    state["running"] = False
    for thread in threads:
        thread.join()
    for sink in sinks:
        sink.close()
    rates = [frames / seconds for frames in counts]
    emit("pygobject", "tracks", f"{count}x1280x720", min(rates), "fps", rates, cpu=used / seconds * 100)


# --- OpenCV: cv2.VideoCapture on a GStreamer pipeline, read(), cv2.imencode ------------------------

def cv_capture(width, height, live, buffers=-1):
    import cv2
    capture = cv2.VideoCapture(
        source(width, height, live, buffers) + " ! videoconvert ! video/x-raw,format=BGR ! appsink sync=false",
        cv2.CAP_GSTREAMER)
    if not capture.isOpened():
        raise RuntimeError("OpenCV could not open the pipeline (is python3-opencv built with GStreamer?)")
    return capture


def cv_read(capture):
    ok, frame = capture.read()
    if not ok:
        raise RuntimeError("read() failed")
    return frame


def cv_throughput(width, height, frames):
    capture = cv_capture(width, height, live=False, buffers=frames + 50)
    throughput("opencv", lambda: cv_read(capture), width, height, frames)
    capture.release()


def cv_first_frame(width, height, count):
    def open_source():
        capture = cv_capture(width, height, live=True)
        return (lambda: cv_read(capture)), capture.release
    first_frame("opencv", open_source, width, height, count)


def cv_latency(width, height, count):
    capture = cv_capture(width, height, live=True)
    latency("opencv", lambda: cv_read(capture), width, height, count)
    capture.release()


def cv_photo(width, height, count):
    import cv2
    capture = cv_capture(width, height, live=True)
    cv_read(capture)
    samples = []
    for index, phase in enumerate([0.0] * 3 + phases(count)):
        time.sleep(phase)
        start = time.perf_counter()
        ok, jpeg = cv2.imencode(".jpg", cv_read(capture), [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
        if index >= 3:
            samples.append((time.perf_counter() - start) * 1000)
    capture.release()
    emit("opencv", "takePhoto", f"{width}x{height}", median(samples), "ms", samples)


MEASUREMENTS = {
    ("pygobject", "throughput"): gi_throughput, ("pygobject", "first-frame"): gi_first_frame,
    ("pygobject", "latency"): gi_latency, ("pygobject", "photo"): gi_photo, ("pygobject", "tracks"): gi_tracks,
    ("opencv", "throughput"): cv_throughput, ("opencv", "first-frame"): cv_first_frame,
    ("opencv", "latency"): cv_latency, ("opencv", "photo"): cv_photo,
}

if __name__ == "__main__":
    tool, measurement, *rest = sys.argv[1:]
    numbers = []
    for argument in rest:
        numbers.extend(int(part) for part in argument.split("x"))
    MEASUREMENTS[(tool, measurement)](*numbers)
