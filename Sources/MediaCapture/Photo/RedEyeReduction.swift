// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `RedEyeReduction`: not available, always on, or controllable through `PhotoSettings`.
public enum RedEyeReduction: String, Sendable, Hashable, CaseIterable {
    case never, always, controllable
}

extension RedEyeReduction: Codable {}
