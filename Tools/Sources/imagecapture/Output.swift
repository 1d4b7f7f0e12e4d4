// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import Glibc

/// Where an image goes: a file, or stdout for `-` (then nothing else is written to stdout).
struct Output {
    let path: String

    var isStandardOutput: Bool { path == "-" }

    /// The file's extension, lowercased (`jpg`), nil for stdout or a name without one.
    var fileExtension: String? {
        guard !isStandardOutput, let dot = path.lastIndex(of: "."), !path[dot...].contains("/"),
            dot != path.startIndex, path[path.index(before: dot)] != "/"
        else { return nil }
        return path[path.index(after: dot)...].lowercased()
    }

    /// Writes every byte, checking each write and the close.
    /// - Throws: exit code 74 after saying on stderr what failed.
    func write(_ bytes: [UInt8]) throws {
        if isStandardOutput {
            try writeAll(bytes, to: 1, name: "stdout")
            return
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot open \(path)") }
        do {
            try writeAll(bytes, to: descriptor, name: path)
        } catch {
            close(descriptor)
            throw error
        }
        // A full disk or a network file system may report the failure only here.
        guard close(descriptor) == 0 else { throw failure("cannot finish writing \(path)") }
    }

    private func writeAll(_ bytes: [UInt8], to descriptor: Int32, name: String) throws {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw failure("cannot write \(name)") }
            written += count
        }
    }

    private func failure(_ what: String) -> ExitCode {
        status("imagecapture: \(what): \(String(cString: strerror(errno)))")
        return ExitStatus.output
    }
}

/// The image formats `grab` writes, by extension or `--format`.
enum ImageFormat: String, ExpressibleByArgument, CaseIterable {
    case png, jpeg, rgba

    init?(extension name: String) {
        switch name {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        case "rgba": self = .rgba
        default: return nil
        }
    }

    /// From `--format` and the output's extension, which must agree.
    static func resolve(_ format: ImageFormat?, _ output: Output, allowed: [ImageFormat]) throws -> ImageFormat {
        let byName = output.fileExtension.flatMap(ImageFormat.init(extension:))
        if let format, let byName, format != byName {
            throw ValidationError(
                "--format \(format.rawValue) does not match \(output.path); name the file .\(format.rawValue == "jpeg" ? "jpg" : format.rawValue).")
        }
        // No extension (stdout, /dev/full, a fifo): the command's first format unless --format says.
        guard let chosen = format ?? byName ?? (output.fileExtension == nil ? allowed.first : nil) else {
            throw ValidationError(
                "\(output.path): .\(output.fileExtension ?? "") is not a format this command writes; name it \(allowed.map { ".\($0 == .jpeg ? "jpg" : $0.rawValue)" }.joined(separator: ", ")) or give --format."
            )
        }
        guard allowed.contains(chosen) else {
            throw ValidationError("\(output.path): this command writes \(allowed.map(\.rawValue).joined(separator: " or ")), not \(chosen.rawValue).")
        }
        return chosen
    }

    /// `--json` prints to stdout, so the image must go to a file.
    static func checkJSON(_ json: Bool, _ output: Output) throws {
        if json, output.isStandardOutput {
            throw ValidationError("--json prints to stdout, where -o - would write the image; give -o a file.")
        }
    }
}
