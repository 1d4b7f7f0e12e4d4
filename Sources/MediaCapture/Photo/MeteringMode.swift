// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MeteringMode`, the values of `whiteBalanceMode`, `exposureMode` and `focusMode`.
public enum MeteringMode: String, Sendable, Hashable, CaseIterable {
    case none, manual
    case singleShot = "single-shot"
    case continuous
}

extension MeteringMode: Codable {}
