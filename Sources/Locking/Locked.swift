// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Synchronization

/// A `Synchronization.Mutex` whose hand-offs ThreadSanitizer sees.
///
/// On Linux a contended `Mutex` waits and wakes through a futex inside the Swift runtime, which is
/// not instrumented: TSan then reports accesses made under the lock as races (a ten-line program
/// with one `Mutex` and two threads does). Each critical section here tells TSan that it acquires
/// and releases the lock; outside a sanitized build that costs one branch on a nil function pointer.
/// Use it wherever a `Mutex` would go: one per object, for the state GStreamer's threads touch.
///
/// `@unchecked Sendable`: the token is never dereferenced; only its address is given to TSan.
///
/// Public, not `package`, for speed only (no product exports the module): Swift 6.3 neither inlines
/// nor specializes a `package` `@inlinable` function in another module, so every `withLock` was a call
/// to the generic body, which looked `Locked<Value>`'s metadata up in the runtime's cache, and every
/// `init` another (a quarter of a held grab with everything in cache, a tenth of one after a sleep).
public struct Locked<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    @usableFromInline let mutex: Mutex<Value>
    /// The address TSan tracks this lock's hand-offs on (nil when TSan is not running).
    @usableFromInline let token: UnsafeMutableRawPointer?

    @inlinable
    public init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
        token = ThreadSanitizer.isActive ? UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1) : nil
    }

    deinit { token?.deallocate() }

    /// `Mutex.withLock`, annotated for TSan.
    @inlinable
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        let token = self.token
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            ThreadSanitizer.acquire(token)
            defer { ThreadSanitizer.release(token) }
            return try body(&value)
        }
    }
}
