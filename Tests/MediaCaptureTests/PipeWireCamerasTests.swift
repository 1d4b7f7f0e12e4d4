// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import GStreamerWrapper
@testable import MediaCapture
import PipeWire
import Testing

/// PipeWire's formats (SPA choices) as caps and modes: what PipeWire writes that GStreamer's caps
/// parser refuses must not cost a camera its modes. No daemon needed.
@Suite("PipeWire formats")
struct PipeWireCamerasTests {
    typealias Registry = PipeWireRegistry

    static func modes(_ formats: [Registry.VideoFormat]) -> [String] {
        let node = Registry.Node(id: 7, properties: ["node.name": "cam", "object.serial": "9"], isSource: true, formats: formats)
        return DeviceDescription(pipeWire: node).pipeWireModes.map {
            "\($0.width)x\($0.height)@\($0.frameRate.numerator)/\($0.frameRate.denominator)"
        }
    }

    static func raw(
        _ sizes: Registry.Values<Registry.Size>, _ rates: Registry.Values<Registry.Rate>, formats: [String] = ["YUY2"]
    ) -> Registry.VideoFormat {
        Registry.VideoFormat(subtype: "raw", pixelFormats: .list(formats), sizes: sizes, rates: rates)
    }

    static func size(_ width: Int, _ height: Int) -> Registry.Size { .init(width: width, height: height) }
    static func rate(_ numerator: Int, _ denominator: Int = 1) -> Registry.Rate { .init(numerator: numerator, denominator: denominator) }

    @Test("A list of sizes is that list, not every width with every height")
    func listedSizes() {
        let modes = Self.modes([Self.raw(.list([Self.size(640, 480), Self.size(1280, 720)]), .list([Self.rate(30), Self.rate(15)]))])
        #expect(Set(modes) == ["640x480@30/1", "640x480@15/1", "1280x720@30/1", "1280x720@15/1"])
    }

    @Test("A stepwise range whose step is its largest size (as PipeWire's V4L2 plugin writes it) keeps the usual sizes")
    func stepIsTheLargestSize() {
        let format = Self.raw(.steps(min: Self.size(32, 32), max: Self.size(2592, 1944), step: Self.size(2592, 1944)), .list([Self.rate(30)]))
        let modes = Self.modes([format])
        #expect(modes.contains("640x480@30/1") && modes.contains("2592x1944@30/1"), "\(modes)")
        #expect(!modes.contains { $0.hasPrefix("0x") }, "\(modes)")
    }

    @Test("Equal range ends, a zero denominator and a non-positive size are dropped or made plain, not the whole node's modes")
    func degenerateValues() {
        #expect(
            Self.modes([Self.raw(.range(min: Self.size(640, 480), max: Self.size(640, 480)), .range(min: Self.rate(30), max: Self.rate(30)))]) == [
                "640x480@30/1"
            ])
        #expect(Self.modes([Self.raw(.list([Self.size(640, 480)]), .list([Self.rate(30, 0), Self.rate(15)]))]) == ["640x480@15/1"])
        let good = Self.raw(.list([Self.size(320, 240)]), .list([Self.rate(30)]))
        #expect(Self.modes([Self.raw(.list([Self.size(0, 0)]), .list([Self.rate(30)])), good]) == ["320x240@30/1"])
        #expect(Self.modes([Self.raw(.list([Self.size(640, 480)]), .list([Self.rate(30, 0)])), good]) == ["320x240@30/1"])
    }

    @Test("Pixel format names that are not a caps word are left out; MJPEG and unknown subtypes give no raw mode")
    func names() {
        #expect(Self.modes([Self.raw(.list([Self.size(640, 480)]), .list([Self.rate(30)]), formats: ["YUY2\", x=(int)1"])]).isEmpty)
        let mjpeg = Registry.VideoFormat(subtype: "mjpg", pixelFormats: .none, sizes: .list([Self.size(640, 480)]), rates: .list([Self.rate(30)]))
        let h264 = Registry.VideoFormat(subtype: "h264", pixelFormats: .none, sizes: .list([Self.size(640, 480)]), rates: .list([Self.rate(30)]))
        #expect(Self.modes([mjpeg, h264]).isEmpty)
        #expect(DeviceDescription(pipeWire: Registry.Node(id: 1, properties: [:], isSource: true, formats: [mjpeg])).caps != nil)
    }
}
