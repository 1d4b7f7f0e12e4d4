// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import TestSupport
import Testing

/// The standard Huffman tables a camera's own JPEG gets when it has none (many webcams' MJPEG frames).
@Suite("A camera's JPEG without Huffman tables", .timeLimit(.minutes(1)))
struct HuffmanTablesTests {
    /// The segments of `jpeg` up to its first scan: (marker, payload).
    static func segments(_ jpeg: [UInt8]) -> [(marker: UInt8, payload: ArraySlice<UInt8>)] {
        var found: [(UInt8, ArraySlice<UInt8>)] = [], at = 2
        while at + 4 <= jpeg.count, jpeg[at] == 0xFF, jpeg[at + 1] != 0xDA {
            let length = Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])
            found.append((jpeg[at + 1], jpeg[(at + 4)..<min(jpeg.count, at + 2 + length)]))
            at += 2 + length
        }
        return found
    }

    /// The tables in DHT payloads, by class and id.
    static func tables(_ payloads: [ArraySlice<UInt8>]) -> [UInt8: [UInt8]] {
        var tables: [UInt8: [UInt8]] = [:]
        for payload in payloads {
            var at = payload.startIndex
            while at + 17 <= payload.endIndex {
                let count = payload[(at + 1)...(at + 16)].reduce(0) { $0 + Int($1) }
                tables[payload[at]] = Array(payload[(at + 1)..<min(payload.endIndex, at + 17 + count)])
                at += 17 + count
            }
        }
        return tables
    }

    @Test("The tables are libjpeg's standard ones; a JPEG without them decodes to the same picture once completed")
    func standardTables() async throws {
        let track = try await openVideo()
        defer { track.stop() }
        let photo = try await within(10) { try await ImageCapture(track).takePhoto() }.bytes
        // jpegenc (libjpeg, no optimised tables) writes the standard tables.
        let own = Self.tables(Self.segments(photo).filter { $0.marker == 0xC4 }.map(\.payload))
        let standard = Dictionary(uniqueKeysWithValues: HuffmanTables.standard.map { ($0.classAndID, $0.counts + $0.symbols) })
        #expect(own.count == 4 && own == standard)
        for table in HuffmanTables.standard {
            #expect(table.counts.count == 16 && table.counts.reduce(0) { $0 + Int($1) } == table.symbols.count)
        }
        #expect(HuffmanTables.completed(photo) == photo)  // has its own: unchanged

        // Without its DHT segments, as a webcam sends it; completed, it decodes as the original.
        var stripped: [UInt8] = [0xFF, 0xD8], at = 2
        while at + 4 <= photo.count, photo[at + 1] != 0xDA {
            let end = at + 2 + (Int(photo[at + 2]) << 8 | Int(photo[at + 3]))
            if photo[at + 1] != 0xC4 { stripped += photo[at..<end] }
            at = end
        }
        stripped += photo[at...]
        #expect(Self.segments(stripped).allSatisfy { $0.marker != 0xC4 } && stripped.count < photo.count)
        let completed = HuffmanTables.completed(stripped)
        #expect(Self.segments(completed).filter { $0.marker == 0xC4 }.count == 1)
        let original = try await decodePixels(photo, format: "GRAY8", bytesPerPixel: 1)
        let restored = try await decodePixels(completed, format: "GRAY8", bytesPerPixel: 1)
        #expect(restored.width == original.width && restored.pixels == original.pixels)
        #expect(HuffmanTables.completed([0xFF, 0xD8, 0xFF]) == [0xFF, 0xD8, 0xFF])  // truncated: unchanged
    }
}
