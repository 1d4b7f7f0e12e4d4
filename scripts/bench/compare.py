#!/usr/bin/python3
# Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
"""Before and after a change, in one run: the library's benchmarks binary of two builds, interleaved
round by round (held grab, waiting grab, metadata read, photo, opening, native still), medians of the rounds' medians.

    git worktree add /tmp/before <commit> && (cd /tmp/before && swift build -c release --product benchmarks)
    swift build -c release --product benchmarks
    python3 scripts/bench/compare.py /tmp/before/.build/release/benchmarks .build/release/benchmarks [--rounds 5] [--only latency]
"""
import argparse, json, math, statistics, subprocess

RUNS = [["first-frame", "640x480", "10"], ["latency", "640x480", "40"], ["latency", "1920x1080", "40"],
        ["metadata", "640x480", "40"], ["photo", "640x480", "30"], ["photo", "1920x1080", "20"], ["native-still", "2"],
        ["zero-shutter-lag", "1920x1080", "30", "20"]]
# "metadata" (held grab + reading the frame's metadata) exists only in builds since frames carry it;
# "zero-shutter-lag" only since photos can use a held frame.
METRICS = ["first-frame", "grab-held", "metadata", "grab-waiting", "takePhoto", "native-still", "takePhoto-zero-shutter-lag"]


def run(binary, arguments):
    output = subprocess.run([binary] + arguments, capture_output=True, text=True, timeout=300).stdout
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="only these measurements (first-frame, latency, metadata, photo, native-still, zero-shutter-lag)")
    options = parser.parse_args()
    runs = [run for run in RUNS if not options.only or run[0] in options.only]
    values = {}
    for number in range(options.rounds):
        # Alternate which build goes first, so neither always runs on a warmer machine.
        order = [("before", options.before), ("after", options.after)]
        for name, binary in (order if number % 2 == 0 else order[::-1]):
            for arguments in runs:
                for result in run(binary, arguments):
                    if result["metric"] in METRICS:
                        values.setdefault((result["metric"], result["size"], name), []).append(result["value"])
    print("| metric | size | before (ms) | after (ms) | after / before |")
    print("|---|---|---|---|---|")
    for metric, size in sorted({(m, s) for (m, s, _) in values}, key=lambda k: (METRICS.index(k[0]), k[1])):
        before = statistics.median(values.get((metric, size, "before"), [float("nan")]))
        after = statistics.median(values.get((metric, size, "after"), [float("nan")]))
        cells = ["–" if math.isnan(value) else f"{value:.3f}" for value in (before, after)]
        ratio = "–" if math.isnan(before) or math.isnan(after) else f"{after / before:.2f}"
        print(f"| {metric} | {size} | {cells[0]} | {cells[1]} | {ratio} |")


if __name__ == "__main__":
    main()
