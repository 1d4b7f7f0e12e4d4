// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

internal import GStreamerWrapper

/// What the publishers need installed.
enum Publishing {
    static func hasElements(_ factories: [String]) -> Bool { factories.allSatisfy(GStreamer.hasElement) }
}
