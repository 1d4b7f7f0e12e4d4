// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import MediaCapture

/// `imagecapture capabilities`: `getPhotoCapabilities()`.
struct Capabilities: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The photo capabilities (getPhotoCapabilities): sizes, fill light, red-eye reduction.")

    @OptionGroup var camera: CameraOptions

    @Flag(help: "Print the PhotoCapabilities JSON a page would get.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let track = try await camera.openTrack()
            defer { track.stop() }
            let capabilities = try await ImageCapture(track).getPhotoCapabilities()
            if json { return print(MediaCaptureJSON.encode(capabilities, pretty: true)) }
            print("imageWidth       \(describe(capabilities.imageWidth))")
            print("imageHeight      \(describe(capabilities.imageHeight))")
            print("fillLightMode    \((capabilities.fillLightMode ?? []).map(\.rawValue).joined(separator: ", "))")
            print("redEyeReduction  \(capabilities.redEyeReduction?.rawValue ?? "-")")
        }
    }

    private func describe(_ range: MediaSettingsRange?) -> String {
        guard let range else { return "-" }
        return "\(range.min?.formatted ?? "?") ... \(range.max?.formatted ?? "?")" + (range.step.map { " step \($0.formatted)" } ?? "")
    }
}

/// `imagecapture settings`: `getPhotoSettings()`.
struct Settings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The photo settings (getPhotoSettings) the next photo would use.")

    @OptionGroup var camera: CameraOptions

    @Flag(help: "Print the PhotoSettings JSON a page would get.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let track = try await camera.openTrack()
            defer { track.stop() }
            let settings = try await ImageCapture(track).getPhotoSettings()
            if json { return print(MediaCaptureJSON.encode(settings, pretty: true)) }
            print("imageWidth       \(settings.imageWidth?.formatted ?? "-")")
            print("imageHeight      \(settings.imageHeight?.formatted ?? "-")")
            print("fillLightMode    \(settings.fillLightMode?.rawValue ?? "-")")
            print("redEyeReduction  \(settings.redEyeReduction.map(\.description) ?? "-")")
        }
    }
}
