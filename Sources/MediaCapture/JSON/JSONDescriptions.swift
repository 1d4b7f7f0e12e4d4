// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
// A browser's console shows a W3C dictionary as its JSON; `print` and string interpolation here do
// the same (members sorted, absent ones omitted, as MediaCaptureJSON writes them).

extension MediaTrackSettings: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension MediaTrackCapabilities: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension MediaTrackConstraints: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension MediaTrackConstraintSet: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension PhotoCapabilities: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension PhotoSettings: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension MediaSettingsRange: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension MediaDeviceInfo: CustomStringConvertible {
    public var description: String { MediaCaptureJSON.encode(self) }
}

extension MediaStreamTrackVideoStats: Encodable, CustomStringConvertible {
    private enum Key: String, CodingKey { case deliveredFrames, discardedFrames, totalFrames }

    /// With `totalFrames`, as the dictionary a browser returns has it.
    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Key.self)
        try object.encode(deliveredFrames, forKey: .deliveredFrames)
        try object.encode(discardedFrames, forKey: .discardedFrames)
        try object.encode(totalFrames, forKey: .totalFrames)
    }

    public var description: String { MediaCaptureJSON.encode(self) }
}

extension VideoFrameMetadata: Encodable, CustomStringConvertible {
    private enum Key: String, CodingKey { case captureTime, frameNumber, settings, photoOrigin }

    /// `captureTime` as the wall-clock time it was (UTC, ISO 8601 with milliseconds), as of encoding.
    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Key.self)
        try object.encodeIfPresent(captureTime.flatMap(WallClock.iso8601), forKey: .captureTime)
        try object.encodeIfPresent(frameNumber, forKey: .frameNumber)
        try object.encodeIfPresent(settings, forKey: .settings)
        try object.encodeIfPresent(photoOrigin, forKey: .photoOrigin)
    }

    public var description: String { MediaCaptureJSON.encode(self) }
}
