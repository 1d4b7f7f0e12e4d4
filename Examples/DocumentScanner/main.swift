// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// A document scanner: watches the last frames and keeps the sharpest (the most detail: the sum of
// squared differences between neighbouring pixels), then writes it as PNG.
// `swift run document-scanner [OUT.png] [FRAMES]`.
import Glibc
import MediaCapture

let arguments = Array(CommandLine.arguments.dropFirst())
let output = arguments.first ?? "scan.png"
let frames = arguments.count > 1 ? Int(arguments[1]) ?? 30 : 30

let devices = MediaDevices(devices: [.fake(FakeCamera(pattern: .checkers1))])
let track = try await devices.getUserMedia(MediaStreamConstraints(video: true)).getVideoTracks()[0]
defer { track.stop() }

/// Detail in the green channel, along rows, every 4th row.
func sharpness(_ frame: ImageBitmap) throws -> Int {
    try frame.withUnsafeBytes { pixels in
        var total = 0
        for row in stride(from: 0, to: frame.height, by: 4) {
            let start = row * frame.bytesPerRow
            for x in 1..<frame.width {
                let difference = Int(pixels[start + 4 * x + 1]) - Int(pixels[start + 4 * (x - 1) + 1])
                total += difference * difference
            }
        }
        return total
    }
}

var best: (frame: ImageBitmap, score: Int)?
var seen = 0
for await frame in track.frames() {
    let score = try sharpness(frame)
    if score > best?.score ?? -1 { best = (frame, score) }
    seen += 1
    if seen == frames { break }
}
guard let best else { fatalError("no frame") }
let png = try await best.frame.encode(type: "image/png")
guard let file = fopen(output, "wb") else { fatalError("cannot write \(output)") }
fwrite(png.bytes, 1, png.bytes.count, file)
fclose(file)
print("\(output): the sharpest of \(seen) frames (frame \(best.frame.metadata.frameNumber ?? 0), detail \(best.score))")
