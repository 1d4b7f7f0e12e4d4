# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""The report of a benchmark run: a Markdown table of medians [min-max] over rounds with the ratios
and targets of issue 9, and a chart of the latency distributions."""
import statistics

TWO_FRAMES_1080P_MIB = 2 * 1920 * 1080 * 4 / 1048576


def per_round(results, tool, metric, size, key="value"):
    return [entry[key] for entry in results
            if entry["tool"] == tool and entry["metric"] == metric and entry["size"] == size
            and entry.get(key) is not None]


def middle(values):
    return statistics.median(values) if values else None


def spread(values, digits=2):
    if not values:
        return "–"
    form = f"{{:.{digits}f}}"
    if len(values) == 1:
        return form.format(values[0])
    return f"{form.format(middle(values))} [{form.format(min(values))}–{form.format(max(values))}]"


def sizes_of(results, metric):
    seen = []
    for entry in results:
        if entry["metric"] == metric and entry["size"] not in seen:
            seen.append(entry["size"])
    return seen


def verdict(ratio, target, higher_is_better=False):
    if ratio is None:
        return "–"
    met = ratio >= target if higher_is_better else ratio <= target
    return f"{ratio:.2f}x ({'≥' if higher_is_better else '≤'} {target}x: {'met' if met else 'missed'})"


def markdown(results, elapsed, options):
    rows = []
    head = "| Measurement | Size | Library | gst-launch | PyGObject | OpenCV | Ratio (target) |"
    rows += [head, "|---|---|---|---|---|---|---|"]

    def row(name, size, metric, unit, ratio_text, tools=("library", "gst-launch", "pygobject", "opencv"), digits=2):
        cells = [spread(per_round(results, tool, metric, size), digits) for tool in tools]
        rows.append(f"| {name} ({unit}) | {size} | " + " | ".join(cells) + f" | {ratio_text} |")

    def ratio_to(peer, metric, size):
        """The library's median over the peer's, for one metric and size (None when either is missing)."""
        library, other = middle(per_round(results, "library", metric, size)), middle(per_round(results, peer, metric, size))
        return library / other if library and other else None

    for size in sizes_of(results, "first-frame"):
        row("getUserMedia → first frame", size, "first-frame", "ms",
            verdict(ratio_to("pygobject", "first-frame", size), 2) + " vs PyGObject")
    for size in sizes_of(results, "throughput"):
        row("Non-live grab throughput", size, "throughput", "fps",
            verdict(ratio_to("gst-launch", "throughput", size), 0.95, True) + " vs gst-launch", digits=0)
    for size in sizes_of(results, "grab-held"):
        row("grabFrame, frame held", size, "grab-held", "ms p50", "–", digits=3)
    for size in sizes_of(results, "metadata"):
        read = per_round(results, "library", "metadata", size, "read")
        alone = per_round(results, "library", "metadata", size, "grab-held")
        rows.append(f"| Metadata per frame: held grab, then reading its `metadata` (ms p50) | {size} | "
                    f"{spread(per_round(results, 'library', 'metadata', size), 3)} | – | – | – | "
                    f"the read {spread(read, 4)} ms of it, the grab {spread(alone, 3)} ms; keeping it on every frame:"
                    f" `compare.py` against the build before it (docs/PERFORMANCE.md) |")
    for size in sizes_of(results, "grab-waiting"):
        row("grabFrame, waiting for the next", size, "grab-waiting", "ms p50", "–")
    for size in sizes_of(results, "takePhoto"):
        wait = per_round(results, "library", "takePhoto", size, "frame-wait")
        after = per_round(results, "library", "takePhoto", size, "after-frame")
        encode = per_round(results, "library", "takePhoto", size, "jpegenc")
        ratio = None
        if wait and after and encode:
            ratio = (middle(wait) + middle(after)) / (middle(wait) + middle(encode))
        row("takePhoto, live 30 fps, phases spread over the interval", size, "takePhoto", "ms p50",
            verdict(ratio, 1.05) + f": frame wait {spread(wait)} + after the frame {spread(after)} ms,"
            f" vs the same wait + one jpegenc {spread(encode)} ms")
    for size in sizes_of(results, "photo-processing"):
        values = per_round(results, "library", "photo-processing", size)
        encoder = per_round(results, "library", "photo-processing", size, "jpegenc")
        alone = per_round(results, "library", "photo-processing", size, "branch-alone")
        ratio = middle(values) / middle(encoder) if values and encoder else None
        rows.append(f"| Photo branch's own processing, in the camera's pipeline (ms of its thread's CPU) | {size} | "
                    f"{spread(values)} | – | – | – | {verdict(ratio, 1.3)} vs jpegenc alone {spread(encoder)} ms;"
                    f" the branch's elements alone {spread(alone)} ms |")
    for size in sizes_of(results, "takePhoto-zero-shutter-lag"):
        values = per_round(results, "library", "takePhoto-zero-shutter-lag", size)
        without = per_round(results, "library", "takePhoto-zero-shutter-lag", size, "without")
        encode = per_round(results, "library", "takePhoto-zero-shutter-lag", size, "jpegenc")
        if size.endswith("@30"):
            ratio = middle(values) / middle(encode) if values and encode else None
            target = verdict(ratio, 1.1) + f" vs one jpegenc {spread(encode)} ms"
        else:
            target = f"{'met' if values and middle(values) < 40 else 'missed'} (under 40 ms)"
        rows.append(f"| takePhoto with zero shutter lag, phases spread over the interval (ms p50) | {size} | "
                    f"{spread(values)} | – | – | – | {target}; without it {spread(without)} ms |")
    for size in sizes_of(results, "native-still"):
        values = per_round(results, "library", "native-still", size)
        gaps = per_round(results, "library", "native-still", size, "longest-frame-gap")
        rows.append(f"| Native still from a 640x480 track (ms) | {size} | {spread(values, 0)} | – | – | – | "
                    f"longest frame gap {spread(gaps, 0)} ms |")
    for size in sizes_of(results, "idle-cpu"):
        row("Open 30 fps track nobody reads, CPU", size, "idle-cpu", "% of a core",
            verdict(ratio_to("gst-launch", "idle-cpu", size), 1.1) + " vs gst-launch")
    for size in sizes_of(results, "peak-rss"):
        library, peer = middle(per_round(results, "library", "peak-rss", size)), middle(
            per_round(results, "gst-launch", "peak-rss", size))
        text = "–"
        if size == "1920x1080" and library and peer:
            budget = peer + TWO_FRAMES_1080P_MIB
            text = (f"{library - budget:+.1f} MiB vs gst-launch + two RGBA frames ({budget:.1f} MiB): "
                    f"{'met' if library <= budget else 'missed'}")
        row("Peak RSS, non-live grab loop", size, "peak-rss", "MiB", text, tools=("library", "gst-launch"), digits=1)
        rows[-1] = rows[-1].replace(f" | {text} |", f" | – | – | {text} |")
    for size in sizes_of(results, "tracks"):
        library = per_round(results, "library", "tracks", size, "cpu")
        peer = per_round(results, "pygobject", "tracks", size, "cpu")
        ratio = middle(library) / middle(peer) if library and peer else None
        rows.append(f"| Tracks at 720p30 each: slowest track's fps; CPU % | {size.split('x')[0]} | "
                    f"{spread(per_round(results, 'library', 'tracks', size), 1)}; {spread(library, 0)} % | – | "
                    f"{spread(per_round(results, 'pygobject', 'tracks', size), 1)}; {spread(peer, 0)} % | – | "
                    f"CPU {ratio:.2f}x PyGObject |" if ratio else "")
    # An MJPEG webcam (the C920's 1080p30, the BRIO's 4K30) on the virtual camera, whose JPEGs decode
    # as a webcam's; gst-launch-1.0 on the same camera in the same run.
    for size in sizes_of(results, "mjpeg-idle-cpu"):
        row("MJPEG camera, open track nobody reads, CPU", size, "mjpeg-idle-cpu", "% of a core",
            verdict(ratio_to("gst-launch", "mjpeg-idle-cpu", size), 1.2) + " vs `v4l2src ! fakesink`",
            tools=("library", "gst-launch"))
        rows[-1] = rows[-1].replace(" | " + rows[-1].split(" | ")[-1], " | – | – | " + rows[-1].split(" | ")[-1])
    for size in sizes_of(results, "mjpeg-reader-cpu"):
        rgba = per_round(results, "gst-launch", "mjpeg-reader-rgba-cpu", size)
        library = middle(per_round(results, "library", "mjpeg-reader-cpu", size))
        fps = per_round(results, "library", "mjpeg-reader-cpu", size, "fps")
        rgba_ratio = library / middle(rgba) if library and rgba else None
        row("MJPEG camera, one reader of every frame (RGBA), CPU", size, "mjpeg-reader-cpu", "% of a core",
            verdict(ratio_to("gst-launch", "mjpeg-reader-cpu", size), 1.05) + " vs `jpegdec ! videoconvert ! fakesink`"
            f" (which converts nothing); {rgba_ratio:.2f}x vs the same to RGBA ({spread(rgba)} %); {spread(fps, 1)} fps read"
            if rgba_ratio else "–", tools=("library", "gst-launch"))
        rows[-1] = rows[-1].replace(" | " + rows[-1].split(" | ")[-1], " | – | – | " + rows[-1].split(" | ")[-1])
    for size in sizes_of(results, "mjpeg-photo"):
        values = per_round(results, "library", "mjpeg-photo", size)
        half = per_round(results, "library", "mjpeg-photo", size, "half-interval")
        after = per_round(results, "library", "mjpeg-photo", size, "after-capture")
        budget = middle(half) + 1 if half else None
        met = "met" if values and budget and middle(values) <= budget else "missed"
        rows.append(f"| MJPEG camera, takePhoto at the stream's size: the camera's JPEG, phases spread (ms p50) | {size} | "
                    f"{spread(values)} | – | – | – | ≤ half an interval + 1 ms ({budget:.1f}): {met}; from the frame's"
                    f" capture to the photo in hand {spread(after)} ms |")
    for size in sizes_of(results, "mjpeg-frame-age"):
        values = per_round(results, "library", "mjpeg-frame-age", size)
        p90 = per_round(results, "library", "mjpeg-frame-age", size, "p90")
        interval = per_round(results, "library", "mjpeg-frame-age", size, "interval")
        fps = per_round(results, "library", "mjpeg-frame-age", size, "distinct-fps")
        met = "met" if values and interval and middle(values) <= 2 * middle(interval) else "missed"
        rows.append(f"| MJPEG 4K camera, grabFrame: age of the frame returned (ms p50) | {size} | {spread(values)} | – | – | – |"
                    f" ≤ 2 frame intervals ({2 * middle(interval):.1f} ms): {met}; p90 {spread(p90)} ms;"
                    f" distinct frames a second {spread(fps, 1)} |")
    # The recorder's defaults (VP8 in WebM) on a live 720p30 fake camera; gst-launch-1.0 runs
    # pipelines/recording-webm.pipeline at the same size and bit rate in the same run.
    for size in sizes_of(results, "record-cpu"):
        row("Recording 30 fps VP8/WebM, open track nobody reads, CPU", size, "record-cpu", "% of a core",
            verdict(ratio_to("gst-launch", "record-cpu", size), 1.05) + " vs `pipelines/recording-webm.pipeline`",
            tools=("library", "gst-launch"))
        rows[-1] = rows[-1].replace(" | " + verdict(ratio_to("gst-launch", "record-cpu", size), 1.05),
                                    " | – | – | " + verdict(ratio_to("gst-launch", "record-cpu", size), 1.05))
    for size in sizes_of(results, "record-lost"):
        lost = per_round(results, "library", "record-lost", size)
        frames = per_round(results, "library", "record-lost", size, "frames")
        rows.append(f"| Recording: frames lost to the encoder (gaps in the file's capture times) | {size} | {spread(lost, 0)} |"
                    f" – | – | – | 0: {'met' if lost and max(lost) == 0 else 'missed'} ({spread(frames, 0)} frames a recording) |")
    for size in sizes_of(results, "record-grab-held"):
        values = per_round(results, "library", "record-grab-held", size)
        without = per_round(results, "library", "record-grab-held", size, "without")
        ratio = middle(values) / middle(without) if values and without else None
        rows.append(f"| grabFrame, frame held, while recording (ms p50) | {size} | {spread(values, 3)} | – | – | – |"
                    f" {verdict(ratio, 1.1)} vs without a recording {spread(without, 3)} ms |")
    # Publishing: `imagecapture publish` on the fake camera (640x480 at 30 fps), RTSP clients
    # (`rtspsrc ! rtph264depay ! fakesink`) and headless Chromium as a WHEP player; the tool's CPU only.
    one, four = per_round(results, "library", "publish-rtsp-cpu", "1"), per_round(results, "library", "publish-rtsp-cpu", "4")
    if one and four:
        encoders = sorted(set(per_round(results, "library", "publish-rtsp-cpu", "4", "encoders")))
        rows.append(f"| Publishing over RTSP, the tool's CPU with 4 clients (% of a core) | 640x480 | {spread(four)} | – | – | – |"
                    f" {verdict(middle(four) / middle(one), 1.1)} vs 1 client {spread(one)} %;"
                    f" encoding branches with 4 clients: {', '.join(str(count) for count in encoders)} |")
    for state in ["open", "cold"]:
        for codec in ["vp8", "h264"]:
            values = per_round(results, "library", "whep-first-frame", f"{codec} {state}")
            if values:
                camera = "camera open (an RTSP client holds it)" if state == "open" else "camera closed"
                rows.append(f"| WHEP POST → Chromium's first decoded frame, {codec.upper().replace('H264', 'H.264')},"
                            f" {camera} (ms) | 640x480 | {spread(values, 0)} | – | – | – |"
                            f" ≤ 500 ms: {'met' if middle(values) <= 500 else 'missed'} ({len(values)} viewers) |")
    for size in sizes_of(results, "publish-idle-cpu"):
        values = per_round(results, "library", "publish-idle-cpu", size)
        without = per_round(results, "library", "publish-idle-cpu", size, "without")
        encoder = per_round(results, "library", "publish-idle-cpu", size, "encoder")
        ratio = middle(values) / middle(without) if values and without else None
        rows.append(f"| Published camera nobody watches (RTSP + WHEP publishers, no client), a grab loop reading every frame,"
                    f" CPU (% of a core) | {size} | {spread(values)} | – | – | – | {verdict(ratio, 1.1)} vs the same"
                    f" without publishers {spread(without)} %; "
                    f"{'an encoder plugin was loaded or an encoding branch ran' if any(encoder) else 'no encoder plugin loaded, no encoding branch'} |")
    growth = [entry for entry in results if entry["metric"] == "rss-growth"]
    for entry in growth:
        checkpoints = ", ".join(f"{value:+.1f}" for value in entry.get("samples", []))
        met = "met" if entry["value"] <= 1 else "missed"
        warm = entry.get("warm-rss")
        rows.append(f"| RSS growth over 100 000 grabs + 1 000 photos after warm-up (MiB), by tenth of the run "
                    f"| {entry['size']} | {entry['value']:+.2f} | – | – | – | ≤ 1 MiB: {met} (RSS after warm-up "
                    f"{warm:.1f} MiB; checkpoints {checkpoints}) |")
    rounds = max((entry.get("round", 1) for entry in results), default=0)
    return (f"Medians over {rounds} interleaved rounds [min–max of the rounds' values]; "
            f"{elapsed / 60:.1f} minutes{' (--quick)' if options.quick else ''}.\n\n" + "\n".join(rows) + "\n")


def chart(results, path):
    """Box plots of grabFrame-waiting and takePhoto latencies per tool and size, all rounds pooled."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plot
    except ImportError:
        return
    figure, axes = plot.subplots(1, 2, figsize=(12, 4.5))
    for axis, metric, title in [(axes[0], "grab-waiting", "grabFrame waiting for the next frame, phases spread (live 30 fps)"),
                                (axes[1], "takePhoto", "takePhoto, phases spread over the interval (live 30 fps)")]:
        labels, data = [], []
        for size in sizes_of(results, metric):
            for tool in ["library", "pygobject", "opencv"]:
                samples = [sample for entry in results if entry["tool"] == tool and entry["metric"] == metric
                           and entry["size"] == size for sample in entry.get("samples", [])]
                if samples:
                    labels.append(f"{tool}\n{size}")
                    data.append(samples)
        axis.boxplot(data, showfliers=False)
        axis.set_xticks(range(1, len(labels) + 1), labels, fontsize=7)
        axis.set_ylabel("ms")
        axis.set_title(title, fontsize=10)
        axis.grid(axis="y", alpha=0.3)
    figure.suptitle("Latency per call, all rounds (box: quartiles and median; whiskers: 1.5 IQR)", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
