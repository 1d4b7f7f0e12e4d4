// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `MediaDeviceInfo` / `InputDeviceInfo`: one device as `enumerateDevices()` reports it.
public struct MediaDeviceInfo: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case audioinput, audiooutput, videoinput
    }

    /// Stable for the same device across calls and runs.
    public var deviceId: String
    public var kind: Kind
    public var label: String
    /// Shared by devices that belong to the same physical product.
    public var groupId: String
    let capabilities: MediaTrackCapabilities
    /// Beyond W3C: the modes the camera itself streams in (size and frame rate, raw or compressed),
    /// largest first; empty for a microphone and for a source whose modes are known only once it runs.
    /// ``getCapabilities()`` reports the ranges a track can be asked for instead (with
    /// `crop-and-scale`, any size up to the largest mode).
    public internal(set) var modes: [VideoMode] = []

    public init(
        deviceId: String, kind: Kind, label: String, groupId: String,
        capabilities: MediaTrackCapabilities = MediaTrackCapabilities()
    ) {
        self.deviceId = deviceId
        self.kind = kind
        self.label = label
        self.groupId = groupId
        self.capabilities = capabilities
    }

    /// W3C `InputDeviceInfo.getCapabilities()`: what a track opened on this device would report.
    public func getCapabilities() -> MediaTrackCapabilities { capabilities }
}
