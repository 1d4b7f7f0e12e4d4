// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc
import MediaCapture

/// What `grab --json` and `photo --json` print for each image: one JSON object on one line (members
/// sorted, absent ones omitted, as ``MediaCaptureJSON`` writes the W3C dictionaries).
struct CaptureReport: Encodable {
    /// Where the image was written (the `-o` path as given).
    var output: String
    /// `png`, `jpeg` or `rgba`.
    var format: String
    /// Nil for a JPEG whose frame header could not be read.
    var width: Int?
    var height: Int?
    var byteCount: Int
    /// A frame's presentation time on the track's timeline, in seconds (frames only).
    var timestamp: Double?
    /// When the camera captured the frame: wall-clock UTC, ISO 8601 with milliseconds.
    var captureTime: String?
    var frameNumber: UInt64?
    /// The settings in force at the capture, as the library's JSON.
    var settings: MediaTrackSettings?
    /// For a photo: which frame it is (`heldFrame` with zero shutter lag, `nextFrame`...).
    var photoOrigin: String?

    init(output: String, format: ImageFormat, width: Int?, height: Int?, byteCount: Int, timestamp: Duration?, metadata: VideoFrameMetadata?) {
        self.output = output
        self.format = format.rawValue
        self.width = width
        self.height = height
        self.byteCount = byteCount
        self.timestamp = timestamp.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        captureTime = metadata?.captureTime.flatMap(WallClock.iso8601)
        frameNumber = metadata?.frameNumber
        settings = metadata?.settings
        photoOrigin = metadata?.photoOrigin?.rawValue
    }

    /// Prints the report as one line on stdout.
    func print() { standardOutput(MediaCaptureJSON.encode(self) + "\n") }

    /// A JPEG's size from its frame header (SOF0...SOF15); nil when the bytes hold none.
    static func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var at = 2
        while at + 9 <= bytes.count, bytes[at] == 0xFF {
            let marker = bytes[at + 1]
            // DHT (C4), JPG (C8) and DAC (CC) share the range but are not frame headers.
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (Int(bytes[at + 7]) << 8 | Int(bytes[at + 8]), Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]))
            }
            at += 2 + (Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]))
        }
        return nil
    }
}
