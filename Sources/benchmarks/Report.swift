// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// What every measurement prints: one JSON line per result, read by scripts/bench/run.py.
import Glibc

/// One result: `tool` measured `metric` at `size`; `samples` are the raw values behind `value`.
struct Result {
    var metric: String
    var size: String = ""
    var value: Double
    var unit: String
    var samples: [Double] = []
    var extra: [String: Double] = [:]

    func emit() {
        var fields = [
            "\"tool\":\"library\"", "\"metric\":\"\(metric)\"", "\"size\":\"\(size)\"",
            "\"value\":\(json(value))", "\"unit\":\"\(unit)\"",
        ]
        for (key, number) in extra.sorted(by: { $0.key < $1.key }) { fields.append("\"\(key)\":\(json(number))") }
        if !samples.isEmpty { fields.append("\"samples\":[\(samples.map(json).joined(separator: ","))]") }
        let line = "{" + fields.joined(separator: ",") + "}\n"
        _ = line.withCString { Glibc.write(1, $0, strlen($0)) }  // unbuffered: the runner reads it at once
    }

    private func json(_ number: Double) -> String {
        number.isFinite ? "\((number * 1000).rounded() / 1000)" : "null"
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// Resident memory in kB (from /proc/self/statm).
func residentKilobytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, 256, file) != nil else { return 0 }
    let fields = String(decoding: line.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self).split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

/// CPU time (user + system) this process has used, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// "640x480" → (640, 480).
func parseSize(_ text: String) -> (Int, Int)? {
    let parts = text.split(separator: "x").compactMap { Int($0) }
    return parts.count == 2 ? (parts[0], parts[1]) : nil
}
