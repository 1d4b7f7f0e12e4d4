// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc

/// The EXIF block (a JPEG's APP1 segment) every photo carries, written by the library: a few dozen
/// bytes put after the encoder's JFIF header, instead of re-muxing each photo through GStreamer's
/// `jifmux`. Never a location.
///
/// The TIFF inside is big-endian: IFD0 (Make, Model, Orientation, Software, DateTime, the pointer to
/// the Exif IFD), then the Exif IFD (exposure, ISO, capture time with sub-seconds and offset, pixel
/// size, white balance, digital zoom, exposure bias, flash), each tag only when the camera has it.
struct ExifBlock: Sendable, Hashable {
    /// The device's vendor, when known.
    var make: String?
    var model: String?
    var software = "swift-media-capture"
    /// When the photo's frame was captured (the wall clock, local time with its UTC offset).
    var captured: ContinuousClock.Instant?
    var width: Int
    var height: Int
    /// Exposure time in seconds.
    var exposureTime: Double?
    var iso: Double?
    /// True for a manual white balance, false for an automatic one.
    var manualWhiteBalance: Bool?
    /// Exposure compensation in EV.
    var exposureBias: Double?
    /// Whether the flash fired; nil for a camera without one.
    var flashFired: Bool?
    /// The digital zoom the picture was taken with (1: none); nil when the camera has no digital zoom.
    var digitalZoomRatio: Double?

    /// The block from the settings in force when the frame was captured (the members the camera has).
    /// - Parameter digitalZoom: whether the settings' `zoom` is a digital zoom ratio.
    init(
        make: String? = nil, model: String?, captured: ContinuousClock.Instant?, width: Int, height: Int,
        settings: MediaTrackSettings?, flash: Bool?, digitalZoom: Bool = false
    ) {
        self.make = make
        self.model = model
        self.captured = captured
        self.width = width
        self.height = height
        // MediaTrackSettings' exposureTime is in 100 µs units (the spec's and V4L2's); under automatic
        // exposure the absolute value is the device's last manual one, not the photo's: left out.
        let automatic = ["continuous", "single-shot"].contains(settings?.exposureMode ?? "")
        exposureTime = automatic ? nil : settings?.exposureTime.map { $0 / 10_000 }
        iso = settings?.iso
        manualWhiteBalance = settings?.whiteBalanceMode.map { $0 == "manual" }
        exposureBias = settings?.exposureCompensation
        flashFired = flash
        // The picture is cropped by the ratio, never enlarged: below 1 is no zoom.
        digitalZoomRatio = digitalZoom ? settings?.zoom.flatMap { $0.isFinite ? max(1, $0) : nil } : nil
    }

    /// `jpeg` with the block inserted after its SOI and JFIF APP0 segment (`jpeg` unchanged when it
    /// does not start as a JPEG does).
    func inserted(into jpeg: [UInt8]) -> [UInt8] {
        guard jpeg.count > 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else { return jpeg }
        var at = 2
        // After an APP0 (JFIF) segment, where readers expect it.
        if jpeg[2] == 0xFF, jpeg[3] == 0xE0, jpeg.count > 6 {
            let length = Int(jpeg[4]) << 8 | Int(jpeg[5])
            if 2 + 2 + length <= jpeg.count { at = 2 + 2 + length }
        }
        let payload = Array("Exif\0\0".utf8) + tiff()
        guard payload.count + 2 <= 0xFFFF else { return jpeg }
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        return Array(jpeg[..<at]) + segment + Array(jpeg[at...])
    }

    // MARK: - TIFF

    private enum Kind: UInt16 {
        case ascii = 2, short = 3, long = 4, rational = 5, undefined = 7, signedRational = 10
    }

    private struct Entry {
        var tag: UInt16
        var kind: Kind
        var count: UInt32
        var value: [UInt8]
    }

    func tiff() -> [UInt8] {
        let time = Self.wallClock(captured)
        var zeroth: [Entry] = []
        if let make { zeroth.append(Self.ascii(0x010F, make)) }
        if let model { zeroth.append(Self.ascii(0x0110, model)) }
        zeroth.append(Self.short(0x0112, 1))  // Orientation: top-left (the frames are upright)
        zeroth.append(Self.ascii(0x0131, software))
        if let time { zeroth.append(Self.ascii(0x0132, time.dateTime)) }
        var exif: [Entry] = []
        if let exposureTime, exposureTime.isFinite, exposureTime > 0 { exif.append(Self.rational(0x829A, exposureTime)) }
        if let iso, iso.isFinite, iso >= 0 { exif.append(Self.short(0x8827, UInt16(min(iso.rounded(), 65535)))) }
        exif.append(Entry(tag: 0x9000, kind: .undefined, count: 4, value: Array("0232".utf8)))  // ExifVersion
        if let time {
            exif.append(Self.ascii(0x9003, time.dateTime))  // DateTimeOriginal
            exif.append(Self.ascii(0x9011, time.offset))  // OffsetTimeOriginal
        }
        if let exposureBias, exposureBias.isFinite { exif.append(Self.signedRational(0x9204, exposureBias)) }
        exif.append(Self.short(0x9209, flashFired.map { $0 ? 0x0001 : 0x0000 } ?? 0x0020))  // Flash: fired, not, no flash
        if let time { exif.append(Self.ascii(0x9291, time.subSeconds)) }  // SubSecTimeOriginal
        exif.append(Self.short(0xA001, 1))  // ColorSpace: sRGB
        exif.append(Self.long(0xA002, UInt32(clamping: width)))  // PixelXDimension
        exif.append(Self.long(0xA003, UInt32(clamping: height)))  // PixelYDimension
        if let manualWhiteBalance { exif.append(Self.short(0xA403, manualWhiteBalance ? 1 : 0)) }
        if let digitalZoomRatio { exif.append(Self.rational(0xA404, digitalZoomRatio)) }

        // IFD0 at 8, its data, then the Exif IFD and its data; IFD0's size does not depend on the
        // pointer's value, so one pass with a placeholder sizes it.
        let header: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08]  // "MM", 42, IFD0 at 8
        let sized = Self.directory(zeroth + [Self.long(0x8769, 0)], at: 8)
        let exifOffset = UInt32(8 + sized.count)
        let first = Self.directory(zeroth + [Self.long(0x8769, exifOffset)], at: 8)
        return header + first + Self.directory(exif, at: Int(exifOffset))
    }

    /// One IFD at `offset` (from the TIFF header), entries sorted by tag, no next IFD, followed by the
    /// values longer than four bytes (each at an even offset).
    private static func directory(_ entries: [Entry], at offset: Int) -> [UInt8] {
        let sorted = entries.sorted { $0.tag < $1.tag }
        var table = bytes(UInt16(sorted.count))
        var data: [UInt8] = []
        let dataStart = offset + 2 + 12 * sorted.count + 4
        for entry in sorted {
            table += bytes(entry.tag) + bytes(entry.kind.rawValue) + bytes(entry.count)
            if entry.value.count <= 4 {
                table += entry.value + [UInt8](repeating: 0, count: 4 - entry.value.count)
            } else {
                table += bytes(UInt32(dataStart + data.count))
                data += entry.value
                if data.count % 2 == 1 { data.append(0) }
            }
        }
        return table + bytes(UInt32(0)) + data
    }

    private static func bytes(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    private static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func ascii(_ tag: UInt16, _ text: String) -> Entry {
        // Printable ASCII only (a label may hold anything), NUL-terminated.
        let value = text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? UInt8($0.value) : UInt8(ascii: "?") }
        let clipped = Array(value.prefix(255)) + [0]
        return Entry(tag: tag, kind: .ascii, count: UInt32(clipped.count), value: clipped)
    }

    private static func short(_ tag: UInt16, _ value: UInt16) -> Entry { Entry(tag: tag, kind: .short, count: 1, value: bytes(value)) }
    private static func long(_ tag: UInt16, _ value: UInt32) -> Entry { Entry(tag: tag, kind: .long, count: 1, value: bytes(value)) }

    /// A positive value as an exact fraction of microseconds' precision, reduced (1/250 s, 33/10000 s).
    private static func rational(_ tag: UInt16, _ value: Double) -> Entry {
        var numerator = UInt64(min(value, 4000) * 1_000_000 + 0.5), denominator: UInt64 = 1_000_000
        var (a, b) = (numerator, denominator)
        while b != 0 { (a, b) = (b, a % b) }
        if a > 1 { numerator /= a; denominator /= a }
        return Entry(tag: tag, kind: .rational, count: 1, value: bytes(UInt32(numerator)) + bytes(UInt32(denominator)))
    }

    /// A signed value in hundredths (exposure bias: -2.33 EV).
    private static func signedRational(_ tag: UInt16, _ value: Double) -> Entry {
        let hundredths = Int32(clamping: Int64((max(min(value, 1_000_000), -1_000_000) * 100).rounded()))
        return Entry(tag: tag, kind: .signedRational, count: 1, value: bytes(UInt32(bitPattern: hundredths)) + bytes(UInt32(100)))
    }

    /// The capture's wall-clock time, local, as EXIF writes it: "YYYY:MM:DD HH:MM:SS", the
    /// milliseconds, and the UTC offset "+HH:MM". Nil without a capture time.
    private static func wallClock(_ instant: ContinuousClock.Instant?) -> (dateTime: String, subSeconds: String, offset: String)? {
        guard let instant else { return nil }
        let nanoseconds = WallClock.unixNanoseconds(instant)
        var seconds = time_t(nanoseconds / 1_000_000_000)
        let milliseconds = Int((nanoseconds % 1_000_000_000) / 1_000_000)
        var local = tm()
        guard localtime_r(&seconds, &local) != nil else { return nil }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let dateTime =
            "\(local.tm_year + 1900):\(two(local.tm_mon + 1)):\(two(local.tm_mday)) "
            + "\(two(local.tm_hour)):\(two(local.tm_min)):\(two(local.tm_sec))"
        let offsetMinutes = Int32(local.tm_gmtoff / 60)
        let offset = (offsetMinutes < 0 ? "-" : "+") + two(abs(offsetMinutes) / 60) + ":" + two(abs(offsetMinutes) % 60)
        let subSeconds = String(1000 + milliseconds).dropFirst()  // three digits
        return (dateTime, String(subSeconds), offset)
    }
}
