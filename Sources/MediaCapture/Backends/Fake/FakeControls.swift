// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The fake camera's image-capture controls: the web-platform-tests mock camera's reference profile
/// (see the DocC article "Testing without a camera").
struct FakeControls: Sendable, Hashable {
    var capabilities = MediaTrackCapabilities()
    var settings = MediaTrackSettings()

    init(_ camera: FakeCamera, panTiltZoomGranted: Bool) {
        guard camera.controls == .reference else { return }
        capabilities.whiteBalanceMode = ["single-shot", "continuous"]
        capabilities.exposureMode = ["manual", "single-shot", "continuous"]
        capabilities.focusMode = ["manual", "single-shot"]
        capabilities.exposureCompensation = MediaSettingsRange(min: -200, max: 200, step: 33)
        capabilities.exposureTime = MediaSettingsRange(min: 100, max: 100000, step: 100)
        capabilities.colorTemperature = MediaSettingsRange(min: 2500, max: 6500, step: 1000)
        capabilities.iso = MediaSettingsRange(min: 100, max: 12000, step: 1)
        capabilities.brightness = MediaSettingsRange(min: 1, max: 10, step: 1)
        capabilities.contrast = MediaSettingsRange(min: 2, max: 9, step: 1)
        capabilities.saturation = MediaSettingsRange(min: 3, max: 8, step: 1)
        capabilities.sharpness = MediaSettingsRange(min: 4, max: 7, step: 1)
        capabilities.focusDistance = MediaSettingsRange(min: 1, max: 10, step: 1)
        capabilities.torch = camera.supportsTorch ? [false, true] : [false]

        settings.whiteBalanceMode = "continuous"
        settings.exposureMode = "manual"
        settings.focusMode = "manual"
        settings.pointsOfInterest = [Point2D(x: 0.4, y: 0.6)]
        settings.exposureCompensation = 33
        settings.exposureTime = 1000
        settings.colorTemperature = 6000
        settings.iso = 400
        settings.brightness = 5
        settings.contrast = 5
        settings.saturation = 6
        settings.sharpness = 7
        settings.focusDistance = 3
        settings.torch = false

        if panTiltZoomGranted {
            capabilities.pan = MediaSettingsRange(min: 0, max: 10, step: 2)
            capabilities.tilt = MediaSettingsRange(min: 0, max: 10, step: 2)
            capabilities.zoom = MediaSettingsRange(min: 0, max: 10, step: 5)
            settings.pan = 5
            settings.tilt = 5
            settings.zoom = 5
        }
    }
}
