// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

@testable import MediaCapture
import Testing

@Suite("SelectSettings and fitness distance")
struct SelectSettingsTests {
    let modes: [MediaTrackSettings] = [(640, 480, 30.0), (640, 480, 15), (1280, 720, 30), (1920, 1080, 30)].map {
        MediaTrackSettings(
            width: $0.0, height: $0.1, aspectRatio: Double($0.0) / Double($0.1), frameRate: $0.2,
            resizeMode: "none", deviceId: "d")
    }

    @Test("Ideal distance is |actual − ideal| / max(|actual|, |ideal|)")
    func idealDistance() {
        let constraint = NormalizedConstraint.numeric(min: nil, max: nil, exact: nil, ideal: 1000)
        #expect(constraint.fitnessDistance(to: .number(500)) == 0.5)
        #expect(constraint.fitnessDistance(to: .number(1000)) == 0)
        #expect(constraint.fitnessDistance(to: nil) == 1)
        #expect(NormalizedConstraint.numeric(min: 1, max: nil, exact: nil, ideal: nil).fitnessDistance(to: nil) == .infinity)
        #expect(NormalizedConstraint.strings(exact: nil, ideal: ["a", "b"]).fitnessDistance(to: .string("b")) == 0)
        #expect(NormalizedConstraint.existence(true).fitnessDistance(to: nil) == 1)
        #expect(NormalizedConstraint.existence(false).fitnessDistance(to: nil) == 0)
    }

    @Test("Empty constraints pick the default 640×480 at 30")
    func defaults() {
        #expect(SelectSettings.select(modes, MediaTrackConstraints()) == .selected(0))
    }

    @Test("An advanced set that no candidate satisfies is skipped; one that some satisfy narrows")
    func advancedSets() {
        let impossible = MediaTrackConstraints(advanced: [MediaTrackConstraintSet(width: 4000)])
        #expect(SelectSettings.select(modes, impossible) == .selected(0))
        let narrowing = MediaTrackConstraints(advanced: [MediaTrackConstraintSet(width: 1920), MediaTrackConstraintSet(width: 640)])
        #expect(SelectSettings.select(modes, narrowing) == .selected(3))
    }

    @Test("Required constraints that fail together but not alone name no constraint")
    func combinedFailure() {
        let constraints = MediaTrackConstraints(width: .exact(640), height: .exact(720))
        #expect(SelectSettings.select(modes, constraints) == .failed(constraint: ""))
        #expect(SelectSettings.select(modes, MediaTrackConstraints(height: .range(max: 100))) == .failed(constraint: "height"))
    }

    @Test("An empty string list is no constraint; a list is any of its members")
    func stringLists() {
        #expect(SelectSettings.select(modes, MediaTrackConstraints(deviceId: .value([]))) == .selected(0))
        #expect(SelectSettings.select(modes, MediaTrackConstraints(deviceId: .parameters(exact: ["x", "d"]))) == .selected(0))
        #expect(SelectSettings.select(modes, MediaTrackConstraints(resizeMode: .exact("crop-and-scale"))) == .failed(constraint: "resizeMode"))
    }
}
