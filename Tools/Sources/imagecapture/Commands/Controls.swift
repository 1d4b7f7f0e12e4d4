// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import MediaCapture

/// `imagecapture controls`: each control the camera has, its range and its value.
struct Controls: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The camera's controls: each one's capability (range, modes) and current value.")

    @OptionGroup var camera: CameraOptions

    @Flag(help: "Print {\"capabilities\": getCapabilities(), \"settings\": getSettings()} as a page would get them.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let track = try await camera.openTrack(controls: true)
            defer { track.stop() }
            printControls(track, json: json)
        }
    }
}

/// `imagecapture set`: `applyConstraints` with exact values, then the controls.
struct SetControls: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set controls (applyConstraints with exact values), then show them.",
        discussion: "Values are numbers, mode names (manual, continuous, ...) or true/false. Example: set exposureMode=manual exposureTime=100")

    @OptionGroup var camera: CameraOptions

    @Flag(help: "Print the result as `controls --json` does.")
    var json = false

    @Argument(help: ArgumentHelp("NAME=VALUE pairs; `imagecapture controls` lists the names.", valueName: "name=value"))
    var assignments: [String]

    func validate() throws {
        guard !assignments.isEmpty else { throw ValidationError("Give NAME=VALUE pairs, e.g. set exposureMode=manual exposureTime=100.") }
        do {
            _ = try ControlTable.exactConstraints(assignments)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        let constraints = try ControlTable.exactConstraints(assignments)
        try await reportingErrors {
            let track = try await camera.openTrack(controls: true)
            defer { track.stop() }
            do {
                try await track.applyConstraints(constraints)
            } catch let error as DOMException where error.name == .overconstrainedError {
                // What was asked against what the camera takes, for the control that refused.
                let row = ControlTable.rows(track).first { $0.name == error.constraint }
                let asked = assignments.first { $0.hasPrefix((error.constraint ?? "") + "=") }
                let hint = row.map {
                    "\($0.name): \(asked.map { "asked \($0.split(separator: "=", maxSplits: 1)[1]), " } ?? "")the camera takes \($0.capability) (now \($0.value)); see `imagecapture controls`."
                }
                throw refused(error, hint: hint ?? error.hint)
            }
            printControls(track, json: json)
        }
    }
}

/// The controls as a table (name, value, capability) or as the W3C dictionaries' JSON.
func printControls(_ track: MediaStreamTrack, json: Bool) {
    if json {
        struct Controls: Encodable {
            var capabilities: MediaTrackCapabilities
            var settings: MediaTrackSettings
        }
        print(MediaCaptureJSON.encode(Controls(capabilities: track.getCapabilities(), settings: track.getSettings()), pretty: true))
        return
    }
    let rows = ControlTable.rows(track)
    let width = (rows.map(\.name.count).max() ?? 0) + 2
    for row in rows {
        print(row.name + String(repeating: " ", count: width - row.name.count) + row.value + "    (" + row.capability + ")")
    }
}
