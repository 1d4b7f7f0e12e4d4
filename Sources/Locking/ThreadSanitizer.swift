// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Glibc

/// ThreadSanitizer's annotation interface, found at run time: present only in a sanitized process.
///
/// For hand-offs TSan cannot see by itself: the Swift runtime's futex under a contended `Mutex`, and
/// GLib's (a context given to GStreamer on one thread and used in a callback on another).
public enum ThreadSanitizer {
    @usableFromInline typealias Annotation = @convention(c) (UnsafeMutableRawPointer?) -> Void

    @usableFromInline static let acquireFunction: Annotation? = symbol("__tsan_acquire")
    @usableFromInline static let releaseFunction: Annotation? = symbol("__tsan_release")

    /// Whether this process runs under ThreadSanitizer.
    public static var isActive: Bool { acquireFunction != nil }

    /// Everything another thread did before ``release(_:)`` on `address` happens before what follows.
    @inlinable
    public static func acquire(_ address: UnsafeMutableRawPointer?) {
        if let address, let acquireFunction { acquireFunction(address) }
    }

    /// Publishes what this thread did so far to the next ``acquire(_:)`` on `address`.
    @inlinable
    public static func release(_ address: UnsafeMutableRawPointer?) {
        if let address, let releaseFunction { releaseFunction(address) }
    }

    private static func symbol(_ name: String) -> Annotation? {
        dlsym(nil, name).map { unsafeBitCast($0, to: Annotation.self) }
    }
}
