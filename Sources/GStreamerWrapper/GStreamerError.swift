// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import CGStreamer

/// An error reported by GStreamer: a bus error message, a failed state change or a failed parse.
/// Carries what `GError` carries plus the debug text and the element that posted it.
package struct GStreamerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `GError` domain, for the domains GStreamer defines.
    package enum Domain: String, Sendable, Hashable {
        case core = "gst-core-error-quark"
        case library = "gst-library-error-quark"
        case resource = "gst-resource-error-quark"
        case stream = "gst-stream-error-quark"
        case parse = "gst_parse_error"
        case other
    }

    /// `GstResourceError` codes (the ones that decide a DOMException name).
    package enum ResourceCode: Int32, Sendable {
        case failed = 1, tooLazy, notFound, busy, openRead, openWrite, openReadWrite, close, read, write,
            seek, sync, settings, noSpaceLeft, notAuthorized
    }

    package var domain: Domain
    package var domainName: String
    package var code: Int32
    package var message: String
    package var debug: String
    /// The name of the element that posted the error, if any.
    package var source: String?

    package init(domain: Domain, code: Int32 = 1, message: String, debug: String = "", source: String? = nil) {
        self.domain = domain
        self.domainName = domain.rawValue
        self.code = code
        self.message = message
        self.debug = debug
        self.source = source
    }

    /// Adopts a `GError` (frees it) and the debug string (frees it).
    init(adopting error: UnsafeMutablePointer<GError>?, debug: UnsafeMutablePointer<gchar>?, source: String?) {
        defer {
            if let error { g_error_free(error) }
            if let debug { g_free(debug) }
        }
        let name = error.flatMap { g_quark_to_string($0.pointee.domain).map { String(cString: $0) } } ?? "unknown"
        self.domainName = name
        self.domain = Domain(rawValue: name) ?? .other
        self.code = error?.pointee.code ?? 0
        self.message = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown GStreamer error"
        self.debug = debug.map { String(cString: $0) } ?? ""
        self.source = source
    }

    /// The resource error code when the domain is `.resource`.
    package var resourceCode: ResourceCode? {
        domain == .resource ? ResourceCode(rawValue: code) : nil
    }

    package var description: String {
        let from = source.map { "\($0): " } ?? ""
        return "\(from)\(message) [\(domainName) \(code)]" + (debug.isEmpty ? "" : " (\(debug))")
    }

    /// A bounded wait of the wrapper ran out (a state change that did not complete).
    package static func timeout(_ message: String) -> GStreamerError {
        GStreamerError(domain: .core, code: timeoutCode, message: message)
    }

    private static let timeoutCode: Int32 = -1

    package var isTimeout: Bool { domain == .core && code == Self.timeoutCode }

    /// The task awaiting a state change was cancelled (the change itself goes on).
    package static var cancelled: GStreamerError {
        GStreamerError(domain: .core, code: cancelledCode, message: "the wait for the state change was cancelled")
    }

    private static let cancelledCode: Int32 = -2

    package var isCancelled: Bool { domain == .core && code == Self.cancelledCode }

    /// An error the wrapper raises itself (timeouts, missing elements), in the core domain.
    package static func wrapper(_ message: String) -> GStreamerError {
        GStreamerError(domain: .core, message: message)
    }
}
