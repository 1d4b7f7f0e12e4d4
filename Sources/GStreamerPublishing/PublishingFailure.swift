// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// Why a server, mount or viewer could not be set up, in words a user can act on. The public layer
/// (MediaPublishing) turns it into a `DOMException`.
package struct PublishingFailure: Error, Sendable, CustomStringConvertible {
    package enum Kind: Sendable { case unavailable, invalid, timedOut }
    package var kind: Kind
    package var message: String
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    package var description: String { message }
}
