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

/// Decodes `blob` in a test pipeline (`filesrc ! jpegdec ! videoconvert ! appsink`); fails the test
/// when it is not a JPEG that decodes.
func decodeJPEG(_ blob: Blob) async throws -> DecodedJPEG {
    #expect(blob.type == "image/jpeg")
    #expect(blob.bytes.prefix(2) == [0xFF, 0xD8] && blob.bytes.suffix(2) == [0xFF, 0xD9])
    let path = "/tmp/media-capture-photo-\(Identifiers.random()).jpg"
    let file = try #require(fopen(path, "wb"))
    fwrite(blob.bytes, 1, blob.bytes.count, file)
    fclose(file)
    defer { unlink(path) }
    let pipeline = try Pipeline(
        description: "filesrc name=src ! jpegdec ! videoconvert ! appsink name=sink caps=video/x-raw,format=GRAY8 sync=false",
        name: "decoder")
    try #require(pipeline.element(named: "src")).set("location", path)
    let sink = try #require(pipeline.element(named: "sink").flatMap(AppSink.init))
    let decoded = AsyncStream.makeStream(of: Sample.self)
    let errors = AsyncStream.makeStream(of: GStreamerError.self)
    sink.setCallbacks(onSample: { decoded.continuation.yield($0) })
    pipeline.onMessage { if case .error(let error) = $0 { errors.continuation.yield(error) } }
    try await pipeline.play()
    let sample = try await within(20, "decoding the JPEG") { () async throws -> Sample in
        for await sample in decoded.stream { return sample }
        throw TimedOut(what: "decoder", seconds: 0)
    }
    await pipeline.stop()
    let layout = try #require(sample.videoLayout)
    // Row by row with memcpy: a debug build's element-wise copy of 8 megapixels would hold a
    // cooperative thread for seconds and starve the other tests.
    let gray = try sample.withMappedBytes { bytes in
        [UInt8](unsafeUninitializedCapacity: layout.width * layout.height) { target, count in
            for row in 0..<layout.height {
                memcpy(target.baseAddress! + row * layout.width,
                       bytes.baseAddress! + layout.planeOffset + row * layout.bytesPerRow, layout.width)
            }
            count = layout.width * layout.height
        }
    }
    return DecodedJPEG(width: layout.width, height: layout.height, gray: gray)
}
