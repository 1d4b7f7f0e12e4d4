// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `FillLightMode`: `auto` fires when needed, `off` never, `flash` always for `takePhoto`.
public enum FillLightMode: String, Sendable, Hashable, CaseIterable {
    case auto, off, flash
}

extension FillLightMode: Codable {}
