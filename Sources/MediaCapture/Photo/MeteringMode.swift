/// W3C `MeteringMode`, the values of `whiteBalanceMode`, `exposureMode` and `focusMode`.
public enum MeteringMode: String, Sendable, Hashable, CaseIterable {
    case none, manual
    case singleShot = "single-shot"
    case continuous
}

extension MeteringMode: Codable {}
