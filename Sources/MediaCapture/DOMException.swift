// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The one error type of the library: a W3C `DOMException` (or, for `TypeError`, the WebIDL error
/// a browser would throw), with the exact WebIDL name.
///
/// `OverconstrainedError` is modelled as a name plus ``constraint``, so typed throws keep one error type.
public struct DOMException: Error, Sendable, Hashable, CustomStringConvertible {
    /// An exact WebIDL error name. The raw value is what a browser reports (`"InvalidStateError"`).
    public struct Name: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let notSupportedError = Name(rawValue: "NotSupportedError")
        public static let invalidStateError = Name(rawValue: "InvalidStateError")
        public static let unknownError = Name(rawValue: "UnknownError")
        public static let operationError = Name(rawValue: "OperationError")
        public static let notFoundError = Name(rawValue: "NotFoundError")
        public static let notReadableError = Name(rawValue: "NotReadableError")
        public static let notAllowedError = Name(rawValue: "NotAllowedError")
        public static let overconstrainedError = Name(rawValue: "OverconstrainedError")
        public static let abortError = Name(rawValue: "AbortError")
        public static let typeError = Name(rawValue: "TypeError")
        public static let securityError = Name(rawValue: "SecurityError")
        public static let timeoutError = Name(rawValue: "TimeoutError")
    }

    public var name: Name
    /// What happened and what to do about it.
    public var message: String
    /// For `OverconstrainedError`: the constraint that could not be satisfied (`""` when unknown).
    public var constraint: String?
    /// The underlying GStreamer error text, when there is one (for logs, not for matching).
    public var debugDescription: String?

    public init(_ name: Name, _ message: String = "", constraint: String? = nil) {
        self.name = name
        self.message = message
        self.constraint = constraint
        if name == .overconstrainedError && constraint == nil { self.constraint = "" }
    }

    /// The `AbortError` of a call whose Swift task was cancelled.
    static var aborted: DOMException {
        DOMException(.abortError, "The operation was cancelled (its Swift task was cancelled).")
    }

    /// An `OverconstrainedError` naming the constraint that failed.
    public static func overconstrained(_ constraint: String, _ message: String) -> DOMException {
        DOMException(.overconstrainedError, message, constraint: constraint)
    }

    public var description: String {
        var text = "\(name.rawValue): \(message)"
        if let constraint, !constraint.isEmpty { text += " (constraint: \(constraint))" }
        return text
    }
}
