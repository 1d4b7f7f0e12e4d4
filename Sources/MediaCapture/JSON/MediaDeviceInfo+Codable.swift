// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// `MediaDeviceInfo.toJSON()`: `deviceId`, `kind`, `label` and `groupId`.
extension MediaDeviceInfo: Codable {
    private enum Key: String, CodingKey { case deviceId, kind, label, groupId }

    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: Key.self)
        self.init(
            deviceId: try object.decode(String.self, forKey: .deviceId), kind: try object.decode(Kind.self, forKey: .kind),
            label: try object.decode(String.self, forKey: .label), groupId: try object.decode(String.self, forKey: .groupId))
    }

    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Key.self)
        try object.encode(deviceId, forKey: .deviceId)
        try object.encode(kind, forKey: .kind)
        try object.encode(label, forKey: .label)
        try object.encode(groupId, forKey: .groupId)
    }
}

extension MediaDeviceInfo.Kind: Codable {}
