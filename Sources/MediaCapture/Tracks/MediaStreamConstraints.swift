// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaStreamConstraints`: which kinds of media `getUserMedia` should open, and how.
public struct MediaStreamConstraints: Sendable, Hashable {
    /// W3C `(boolean or MediaTrackConstraints)`: `true`, `false`, or `.constraints(...)`.
    public enum Request: Sendable, Hashable, ExpressibleByBooleanLiteral {
        case requested(Bool)
        case constraints(MediaTrackConstraints)

        public init(booleanLiteral value: Bool) { self = .requested(value) }

        /// The constraints when the kind is requested, nil when it is not.
        var requestedConstraints: MediaTrackConstraints? {
            switch self {
            case .requested(true): MediaTrackConstraints()
            case .requested(false): nil
            case .constraints(let constraints): constraints
            }
        }
    }

    public var video: Request
    public var audio: Request

    public init(video: Request = false, audio: Request = false) {
        self.video = video
        self.audio = audio
    }
}
