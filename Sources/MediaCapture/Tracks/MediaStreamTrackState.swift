// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaStreamTrackState`.
public enum MediaStreamTrackState: String, Sendable, Hashable {
    case live, ended
}
