// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// W3C `DeviceChangeEvent`: fired at `MediaDevices` when a camera appears or goes away (see
/// ``MediaDevices/devicechange``), with the devices as `enumerateDevices()` lists them afterwards.
public struct DeviceChangeEvent: Sendable {
    /// The devices after the change.
    public let devices: [MediaDeviceInfo]
    /// Devices that were not there before the change (W3C `userInsertedDevices`, here every new one).
    public let userInsertedDevices: [MediaDeviceInfo]
}
