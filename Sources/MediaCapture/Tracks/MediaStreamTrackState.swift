/// W3C `MediaStreamTrackState`.
public enum MediaStreamTrackState: String, Sendable, Hashable {
    case live, ended
}
