// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import Testing

@Suite("The table of constrainable members")
struct ConstrainablePropertyTests {
    static func labels(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label) }

    @Test("Every member of the W3C dictionaries has its row, in the dictionaries' order")
    func everyMemberHasARow() {
        let names = ConstrainableProperty.all.map(\.name)
        #expect(Self.labels(MediaTrackSettings()) == names)
        #expect(Self.labels(MediaTrackConstraintSet()) == names)
        // W3C defines no capability for pointsOfInterest.
        #expect(Self.labels(MediaTrackCapabilities()) == names.filter { $0 != "pointsOfInterest" })
        #expect(MediaDevices(devices: []).getSupportedConstraints() == MediaTrackSupportedConstraints(names: Set(names)))
    }

    @Test("Copy, overlay and filter move every control member and no mode member")
    func copyOverlayFilter() {
        var full = MediaTrackSettings(width: 640, height: 480, deviceId: "d")
        for property in ConstrainableProperty.controls {
            let value: SettingValue =
                switch property.setting(
                    MediaTrackSettings(
                        whiteBalanceMode: "", exposureMode: "", focusMode: "", pointsOfInterest: [], exposureCompensation: 0,
                        exposureTime: 0, colorTemperature: 0, iso: 0, brightness: 0, contrast: 0, saturation: 0, sharpness: 0,
                        focusDistance: 0, pan: 0, tilt: 0, zoom: 0, torch: false))
                {
                case .string?: .string("manual")
                case .bool?: .bool(true)
                case .points?: .points([Point2D(x: 0.5, y: 0.5)])
                default: .number(7)
                }
            property.assign(&full, value)
        }
        #expect(ConstrainableProperty.controls.allSatisfy { $0.setting(full) != nil })
        var copied = MediaTrackSettings()
        ControlMembers.copyControls(from: full, to: &copied)
        #expect(copied.width == nil && copied.deviceId == nil)
        #expect(ConstrainableProperty.controls.allSatisfy { $0.setting(copied) == $0.setting(full) })
        let withoutPTZ = ControlMembers.filter(full, panTiltZoom: false)
        #expect(withoutPTZ.pan == nil && withoutPTZ.tilt == nil && withoutPTZ.zoom == nil && withoutPTZ.torch == true)
        var target = MediaTrackSettings(brightness: 1, contrast: 2)
        ControlMembers.overlay(MediaTrackSettings(brightness: 9), on: &target)
        #expect(target.brightness == 9 && target.contrast == 2)
    }

    @Test("NAME=VALUE: strict values, named errors")
    func assignments() throws {
        let set = try ControlTable.exactConstraints(["exposureMode=manual", "exposureTime=100", "torch=true", "zoom=2"]).basic
        #expect(set.exposureMode == .exact("manual") && set.exposureTime == .exact(100))
        #expect(set.torch == .parameters(exact: true) && set.zoom == .double(.exact(2)))
        for bad in ["=", "torch=yes", "exposureTime=nan", "exposureTime=inf", "width=640", "nonsense=1", "brightness="] {
            #expect(throws: DOMException.self, "\(bad)") { _ = try ControlTable.exactConstraints([bad]) }
        }
    }
}
