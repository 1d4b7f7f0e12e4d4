// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import Glibc
import MediaCapture

/// The tool's exit codes (sysexits.h where one fits), as `--help` and the README list them.
enum ExitStatus {
    /// The camera or the API refused: a `DOMException`.
    static let refused = ExitCode(1)
    /// A usage error (what swift-argument-parser exits with for a validation error).
    static let usage = ExitCode.validationFailure
    /// An output that could not be written (`EX_IOERR`).
    static let output = ExitCode(74)
}

/// Writes one line to stderr (status and errors never go to stdout, which may carry an image).
func status(_ line: String) { statusFragment(line + "\n") }

/// Writes text to stderr as it is (a live progress line rewrites itself with `\r`).
func statusFragment(_ text: String) { writeUnbuffered(text, to: 2) }

/// Writes text to stdout at once, past Swift's buffered `print`.
func standardOutput(_ text: String) { writeUnbuffered(text, to: 1) }

private func writeUnbuffered(_ text: String, to descriptor: Int32) {
    var written = 0
    let bytes = Array(text.utf8)
    while written < bytes.count {
        let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if count <= 0 { return }
        written += count
    }
}

/// Reports a `DOMException` the way a person can act on it, and gives the exit code for it.
func refused(_ error: DOMException, hint: String? = nil) -> ExitCode {
    status("imagecapture: \(error)")
    if let hint { status("  \(hint)") }
    return ExitStatus.refused
}

extension DOMException {
    /// What to try next, for the errors a person at a shell meets.
    var hint: String? {
        switch name {
        case .notFoundError: "See `imagecapture devices` for the cameras this machine has."
        case .notReadableError where message.contains("://"): nil  // a network camera's message says what to check
        case .notReadableError: "Another program may hold the camera: close it, or check `fuser /dev/video*`."
        case .overconstrainedError: "See `imagecapture controls` for each control's range and what it depends on."
        case .notSupportedError: "See `imagecapture capabilities` (photo sizes) and `imagecapture controls`."
        default: nil
        }
    }
}

/// Runs a command's body: a `DOMException` becomes its message, its hint and exit code 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as DOMException {
        throw refused(error, hint: error.hint)
    }
}
