// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// A mode a camera can stream in: a size and a frame rate.
public struct VideoMode: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var frameRate: Double

    public init(width: Int, height: Int, frameRate: Double = 30) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
    }

    public var description: String { "\(width)x\(height)@\(frameRate.formatted)" }
}

extension Double {
    /// "30" for 30.0, "7.5" for 7.5: how frame rates read in labels and messages.
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
