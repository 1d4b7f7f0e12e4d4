// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The camera controls as text, as the `imagecapture` tool lists and sets them: a track's controls as
/// rows (name, capability, value), and `NAME=VALUE` text (a command line, a configuration file) as
/// exact constraints. Built from the library's one table of constrainable members, so every control
/// the W3C names is here.
public enum ControlTable {
    /// One control a track has: its capability and current value as text.
    public struct Row: Sendable, Hashable {
        public let name: String
        /// `3 ... 2047 step 1`, `manual, continuous`, `false, true`.
        public let capability: String
        /// `-` when the track reports no value.
        public let value: String
    }

    /// The names of the control members, in the table's order.
    public static var names: [String] { ConstrainableProperty.controls.map(\.name) }

    /// The controls `track` has (its capabilities name them), with their current values.
    public static func rows(_ track: MediaStreamTrack) -> [Row] {
        let capabilities = track.getCapabilities(), settings = track.getSettings()
        return ConstrainableProperty.controls.compactMap { property in
            guard let capability = property.describeCapability(capabilities) else { return nil }
            return Row(name: property.name, capability: capability, value: property.setting(settings).map(describe) ?? "-")
        }
    }

    /// `NAME=VALUE` assignments as one set of exact constraints.
    /// - Throws: `TypeError` for an unknown name, an empty name or value, or a value not of the
    ///   member's type (a finite number, a mode name, `true` or `false`).
    public static func exactConstraints(_ assignments: [String]) throws(DOMException) -> MediaTrackConstraints {
        var set = MediaTrackConstraintSet()
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw DOMException(.typeError, "'\(assignment)' is not NAME=VALUE; for example exposureTime=100.")
            }
            guard let property = ConstrainableProperty.byName[parts[0]], !property.isModeMember,
                property.name != "pointsOfInterest"
            else {
                throw DOMException(
                    .typeError,
                    "'\(parts[0])' is not a control; the controls are \(names.filter { $0 != "pointsOfInterest" }.joined(separator: ", ")).")
            }
            guard property.parseExact(&set, parts[1]) else {
                throw DOMException(.typeError, "'\(parts[1])' is not a value for \(property.name): give a number, a mode name, or true/false.")
            }
        }
        return MediaTrackConstraints(basic: set)
    }

    /// A bracket from `NAME=V1,V2,...` (`exposureCompensation=-2,0,2`): one exact set per value.
    /// - Throws: `TypeError` as ``exactConstraints(_:)``, or for an empty list.
    public static func bracketSets(_ text: String) throws(DOMException) -> [MediaTrackConstraintSet] {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            throw DOMException(.typeError, "'\(text)' is not NAME=V1,V2,...; for example exposureCompensation=-2,0,2.")
        }
        var sets: [MediaTrackConstraintSet] = []
        for value in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
            sets.append(try exactConstraints(["\(parts[0])=\(value)"]).basic)
        }
        return sets
    }

    private static func describe(_ value: SettingValue) -> String {
        switch value {
        case .number(let number): text(number)
        case .string(let string): string
        case .bool(let bool): bool.description
        case .points(let points): points.map { "(\(text($0.x)), \(text($0.y)))" }.joined(separator: " ")
        }
    }

    private static func text(_ value: Double) -> String { value.formatted }
}
