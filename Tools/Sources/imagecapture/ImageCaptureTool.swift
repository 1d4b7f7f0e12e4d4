// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// imagecapture: grab frames and take photos from a camera (or the built-in fake camera) from the shell.
import ArgumentParser
import MediaCapture

@main
struct ImageCaptureTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imagecapture",
        abstract: "Grab frames and take photos with the W3C Image Capture API, from a camera or the built-in fake one.",
        discussion: """
            Every capture command takes --device: fake (default), /dev/videoN, a deviceId that \
            `imagecapture devices` prints, recorded:CONTROLS.txt[,FORMATS.txt] (a webcam replayed from its \
            v4l2-ctl listings) or pipeline:FILE (a GStreamer source description read from FILE). Images and \
            JSON go to stdout or the -o file; status lines go to stderr.

            Exit codes: 0 success; 1 the camera or the API refused (the W3C error name and what to do on \
            stderr); 64 a usage error; 74 an output that could not be written.
            """,
        version: "0.1.0",
        subcommands: [
            Devices.self, Grab.self, Photo.self, Capabilities.self, Settings.self, Controls.self, SetControls.self,
            RecordStills.self, Record.self, Demo.self, Serve.self, Publish.self, Selftest.self,
        ])
}
