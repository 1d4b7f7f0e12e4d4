// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

/// W3C `BlobEvent` (MediaStream Recording §"BlobEvent"): a piece of a recording.
///
/// The concatenation of every `data` of one recording, in order, is a file that plays.
public struct BlobEvent: Sendable {
    /// The bytes gathered since the previous event, typed with the recorder's ``MediaRecorder/mimeType``.
    public var data: Blob
    /// Where the piece begins on the recording's timeline, in milliseconds (the first is 0; a paused
    /// span does not count).
    public var timecode: Double

    public init(data: Blob, timecode: Double) {
        self.data = data
        self.timecode = timecode
    }
}
