// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
@testable import MediaCapture
import TestSupport
import Testing

/// Exiting cleanly is part of the contract: a process that opened and stopped a track of every kind
/// (fake, recorded, virtual V4L2, PipeWire, RTSP, a caller's pipeline), with ``MediaDevices/shutdown()``
/// or without it, exits with status 0 and no complaint from glibc or GLib, under glibc's heap checks.
/// Each run is a process of its own; `MEDIA_CAPTURE_EXIT_RUNS` sets how many (3 by default;
/// scripts/check-services.sh asks for 50).
@Suite(
    "Exiting after every kind of source", .serialized, .timeLimit(.minutes(10)),
    .enabled(if: PrivatePipeWire.unavailable == nil && RTSPServer.unavailable == nil))
struct ExitTests {
    static let runs = getenv("MEDIA_CAPTURE_EXIT_RUNS").flatMap { Int(String(cString: $0)) } ?? 3
    /// What glibc and GLib say when something is wrong, beyond the fatal markers.
    static let complaints = ProcessResult.fatalMarkers + ["-WARNING **", "GStreamer-WARNING", "GLib-GObject-WARNING"]

    @Test(
        "A process that used a track of every kind exits with status 0 and no complaint, each run in a row",
        .enabled(if: isolatedRun == nil), arguments: [true, false])
    func everyKind(shutdown: Bool) async throws {
        let server = try await RTSPServer()
        defer { server.stop() }
        try await PipeWireTests.withPrivatePipeWire { runtime in
            try await VirtualCameraTests.withCamera("logitech-c920") { camera, _ in
                for run in 1...Self.runs {
                    let output = try await runTestChild(
                        "exit_everyKind",
                        environment: PipeWireTests.environment(runtime) + camera + [
                            "MEDIA_CAPTURE_ISOLATED_TEST=exit", "EXIT_RTSP_URL=\(server.url())", "EXIT_SHUTDOWN=\(shutdown ? 1 : 0)",
                        ],
                        seconds: 60)
                    let text = output.stdoutText + output.stderr
                    let complaint = text.split(separator: "\n").first { line in Self.complaints.contains { line.contains($0) } }
                    let clean = output.status == 0 && output.stdoutText.contains("exit every kind: done") && complaint == nil
                    #expect(clean, "run \(run) of \(Self.runs) (shutdown: \(shutdown)): \(complaint.map { "\($0)\n" } ?? "")\(output.report)")
                    if !clean { break }
                }
            }
        }
    }

    // MARK: - In the child

    @Test("(exit) every kind", .enabled(if: isolatedRun == "exit"))
    func exit_everyKind() async throws {
        let provider = try PipeWireTests.startProvider()
        defer { PipeWireTests.stopProvider(provider) }
        let fixtures = repositoryRoot + "/Tests/Fixtures/v4l2-devices/"
        let url = String(cString: getenv("EXIT_RTSP_URL"))
        let devices: [CaptureDevice] = [
            .fake(),
            .recorded(
                controls: try #require(readFile(fixtures + "logitech-c920.ctrls.txt")),
                formats: readFile(fixtures + "logitech-c920.formats.txt")),
            .v4l2(path: String(cString: getenv("VIRTUAL_CAMERA"))),
            .network(url: url),
            .pipeline("videotestsrc is-live=true pattern=ball ! videoconvert", label: "Caller pipeline"),
            // Last: its device watch is still stopping when the process shuts down or exits.
            .pipeWire(node: "VirtualCam"),
        ]
        _ = try await PipeWireTests.virtualCam(MediaDevices(devices: [], includeSystemDevices: true))
        for device in devices {
            let track = try await openVideo(MediaDevices(devices: [device], timing: .test))
            #expect(try await nextFrame(track, seconds: 10).width > 0, "\(track.label)")
            track.stop()
        }
        if getenv("EXIT_SHUTDOWN").map({ String(cString: $0) }) == "1" { await MediaDevices.shutdown() }
        print("exit every kind: done")
    }
}
