// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import ArgumentParser
import MediaCapture

/// `imagecapture devices`: the cameras (and microphones), with each camera's own modes.
struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the fake camera and microphone and this machine's V4L2 cameras, with each camera's modes.")

    @Flag(help: "Print JSON: each MediaDeviceInfo (as a page's JSON.stringify writes it) plus its modes.")
    var json = false

    func run() async throws {
        ToolLogging.start(verbose: false)  // stdout carries the listing
        try await reportingErrors {
            let devices = MediaDevices(devices: [.fake(), .fakeMicrophone()], includeSystemDevices: true)
            let found = try await devices.enumerateDevices()
            if json {
                print(MediaCaptureJSON.encode(found.map(DeviceListing.init), pretty: true))
                return
            }
            for device in found {
                print("\(device.kind.rawValue)\t\(device.label)\n\tdeviceId \(device.deviceId)")
                for size in DeviceListing(device).modes {
                    print("\t\(size.width)x\(size.height) at \(size.frameRates.map(\.formatted).joined(separator: ", ")) fps")
                }
            }
        }
    }
}

/// A device as `devices --json` prints it: the W3C members and the modes by size.
struct DeviceListing: Encodable {
    struct Size: Encodable {
        var width: Int
        var height: Int
        var frameRates: [Double]
    }

    var deviceId: String
    var groupId: String
    var kind: MediaDeviceInfo.Kind
    var label: String
    var modes: [Size]

    init(_ device: MediaDeviceInfo) {
        deviceId = device.deviceId
        groupId = device.groupId
        kind = device.kind
        label = device.label
        var sizes: [Size] = []
        for mode in device.modes {
            if let index = sizes.firstIndex(where: { $0.width == mode.width && $0.height == mode.height }) {
                sizes[index].frameRates.append(mode.frameRate)
            } else {
                sizes.append(Size(width: mode.width, height: mode.height, frameRates: [mode.frameRate]))
            }
        }
        modes = sizes
    }
}

extension Double {
    /// `30`, `7.5`.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
