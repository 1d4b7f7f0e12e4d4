// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import GStreamerWrapper
@testable import MediaCapture
import TestSupport
import Testing

/// A JPEG decoded by GStreamer's `jpegdec`, to grey levels: what a viewer would see.
struct DecodedJPEG {
    var width: Int
    var height: Int
    var gray: [UInt8]  // tightly packed

    func at(_ x: Int, _ y: Int) -> Int { Int(gray[y * width + x]) }
}

/// Decodes `blob` to grey levels; fails the test when it is not a JPEG that decodes.
func decodeJPEG(_ blob: Blob) async throws -> DecodedJPEG {
    #expect(blob.type == "image/jpeg")
    #expect(blob.bytes.prefix(2) == [0xFF, 0xD8] && blob.bytes.suffix(2) == [0xFF, 0xD9])
    let (width, height, gray) = try await decodePixels(blob.bytes, format: "GRAY8", bytesPerPixel: 1)
    return DecodedJPEG(width: width, height: height, gray: gray)
}

/// Decodes an image file's bytes in a test pipeline (`filesrc ! decodebin ! videoconvert ! appsink`)
/// to tightly packed pixels of `format`.
func decodePixels(_ bytes: [UInt8], format: String, bytesPerPixel: Int) async throws -> (width: Int, height: Int, pixels: [UInt8]) {
    let path = "/tmp/media-capture-image-\(Identifiers.random())"
    let file = try #require(fopen(path, "wb"))
    fwrite(bytes, 1, bytes.count, file)
    fclose(file)
    defer { unlink(path) }
    let pipeline = try Pipeline(
        description: "filesrc name=src ! decodebin ! videoconvert ! appsink name=sink caps=video/x-raw,format=\(format) sync=false",
        name: "decoder")
    try #require(pipeline.element(named: "src")).set("location", path)
    let sink = try #require(pipeline.element(named: "sink").flatMap(AppSink.init))
    let decoded = AsyncStream.makeStream(of: Sample.self)
    sink.setCallbacks(onSample: { decoded.continuation.yield($0) })
    try await pipeline.play()
    let sample = try await within(20, "decoding the image") { () async throws -> Sample in
        for await sample in decoded.stream { return sample }
        throw TimedOut(what: "decoder", seconds: 0)
    }
    await pipeline.stop()
    let layout = try #require(sample.videoLayout)
    let rowBytes = layout.width * bytesPerPixel
    // Row by row with memcpy: a debug build's element-wise copy of 8 megapixels would hold a
    // cooperative thread for seconds and starve the other tests.
    let pixels = try sample.withMappedBytes { source in
        [UInt8](unsafeUninitializedCapacity: rowBytes * layout.height) { target, count in
            for row in 0..<layout.height {
                memcpy(target.baseAddress! + row * rowBytes, source.baseAddress! + layout.planeOffset + row * layout.bytesPerRow, rowBytes)
            }
            count = rowBytes * layout.height
        }
    }
    return (layout.width, layout.height, pixels)
}
