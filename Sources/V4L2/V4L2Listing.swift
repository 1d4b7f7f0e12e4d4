// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// Parsers for `v4l2-ctl` output: `--list-ctrls-menus`, `--list-ctrls` (standard menus filled in from
/// the kernel's, see ``V4L2StandardMenu``) or the controls part of `--all`, and
/// `--list-formats-ext`. They accept both kernels' control names, tabs or spaces, `flags=` lists,
/// and skip lines they do not know.
package enum V4L2Listing {
    /// The controls with their current values.
    package static func controls(_ text: String) -> [(control: V4L2Control, value: Int64)] {
        var result: [(V4L2Control, Int64)] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.trimmingCharacters(in: " \t")
            if line.hasPrefix("#") { continue }
            // A menu item: "1: Manual Mode" (belongs to the control before it).
            if let colon = line.firstIndex(of: ":"), let index = Int64(line[..<colon]), !result.isEmpty {
                let label = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
                result[result.count - 1].0.menu[index] = label
                continue
            }
            // "name 0x00980900 (int)    : min=0 max=255 step=1 default=128 value=128 flags=inactive"
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count == 3, parts[1].hasPrefix("0x"), let id = UInt32(parts[1].dropFirst(2), radix: 16),
                let open = parts[2].firstIndex(of: "("),
                let close = parts[2][open...].firstIndex(of: ")"),  // after the "(", or the range is inverted
                let kind = V4L2Control.Kind(rawValue: String(parts[2][parts[2].index(after: open)..<close])),
                let colon = parts[2].firstIndex(of: ":")
            else { continue }
            let fields = keyValues(String(parts[2][parts[2].index(after: colon)...]))
            let flags = Set((fields["flags"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ") })
            let isBoolean = kind == .boolean
            let control = V4L2Control(
                id: id, name: String(parts[0]), kind: kind,
                minimum: fields["min"].flatMap { Int64($0) } ?? 0,
                maximum: fields["max"].flatMap { Int64($0) } ?? (isBoolean ? 1 : 0),
                step: fields["step"].flatMap { Int64($0) } ?? 1,
                defaultValue: fields["default"].flatMap { Int64($0) } ?? 0, menu: [:],
                isReadOnly: flags.contains("read-only"), isInactive: flags.contains("inactive"))
            result.append((control, fields["value"].flatMap { Int64($0) } ?? control.defaultValue))
        }
        // `--list-ctrls` prints no menu items: a standard menu control gets the kernel's own.
        for index in result.indices where result[index].0.kind == .menu && result[index].0.menu.isEmpty {
            let control = result[index].0
            result[index].0.menu = V4L2StandardMenu.items(for: control.id, minimum: control.minimum, maximum: control.maximum)
        }
        return result
    }

    /// `key=value` pairs; `flags=` takes the rest of the line (a comma-separated list); a value's
    /// parenthesised label (`value=3 (Aperture Priority Mode)`) is dropped.
    private static func keyValues(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        var rest = Substring(text)
        if let flags = rest.firstRange(of: "flags=") {
            fields["flags"] = String(rest[flags.upperBound...])
            rest = rest[..<flags.lowerBound]
        }
        for token in rest.split(separator: " ") {
            let pair = token.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        return fields
    }

    /// One frame format of a `--list-formats-ext` listing.
    package struct Mode: Sendable, Hashable {
        /// The V4L2 fourcc: `YUYV`, `NV12`, `MJPG`...
        package var fourcc: String
        package var width: Int
        package var height: Int
        /// Frames per second, as the listing prints it (`30.000`).
        package var frameRate: Double
    }

    /// The modes of a `--list-formats-ext` listing, every fourcc included.
    package static func modes(_ text: String) -> [Mode] {
        var modes: [Mode] = []
        var fourcc: String?
        var size: (Int, Int)?
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: " \t")
            if line.hasPrefix("["), let quote = line.firstIndex(of: "'") {
                fourcc = String(line[line.index(after: quote)...].prefix(4))
                size = nil
            } else if line.hasPrefix("Size: Discrete "), let dimensions = line.split(separator: " ").last {
                let numbers = dimensions.split(separator: "x").compactMap { Int($0) }
                size = numbers.count == 2 ? (numbers[0], numbers[1]) : nil
            } else if line.hasPrefix("Interval: Discrete"), let fourcc, let size,
                let open = line.firstIndex(of: "("), let fps = Double(line[line.index(after: open)...].prefix { $0 != " " }),
                fps.isFinite, fps > 0, size.0 > 0, size.1 > 0
            {
                modes.append(Mode(fourcc: fourcc, width: size.0, height: size.1, frameRate: fps))
            }
        }
        return modes
    }

    /// The device name in a listing's `# Device: NAME (...)` header line, if any.
    package static func deviceName(_ text: String) -> String? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("# Device:") }) else { return nil }
        let name = line.dropFirst("# Device:".count).prefix { $0 != "(" }.trimmingCharacters(in: " ")
        return name.isEmpty ? nil : name
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    package func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }),
            let last = lastIndex(where: { !characters.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
