// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// The W3C SelectSettings algorithm (mediacapture-main §"Constrainable Pattern") over a list of
/// candidate settings dictionaries.
enum SelectSettings {
    /// The outcome: the index of the chosen candidate, or the name of the required constraint that
    /// no candidate satisfies (`""` when only their combination fails).
    enum Outcome: Equatable {
        case selected(Int)
        case failed(constraint: String)
    }

    /// The system defaults used to break ties (W3C's "typical defaults": 640×480 at 30 Hz).
    static let defaults = MediaTrackConstraintSet(
        width: .range(ideal: 640), height: .range(ideal: 480), frameRate: .range(ideal: 30))

    /// Sum of the fitness distances of `set`'s members for one candidate.
    /// - Parameter only: when given, only these members count.
    static func fitnessDistance(
        _ settings: MediaTrackSettings, _ set: MediaTrackConstraintSet, inAdvanced: Bool, only: Set<String>? = nil
    ) -> Double {
        var total = 0.0
        for property in ConstrainableProperty.all where only?.contains(property.name) ?? true {
            guard let constraint = property.constraint(set, inAdvanced) else { continue }
            total += constraint.fitnessDistance(to: property.setting(settings))
            if total == .infinity { break }
        }
        return total
    }

    /// Runs SelectSettings.
    /// - Step 1–3: keep the candidates at a finite distance from the basic set (bare = ideal);
    ///   none → fail, naming a required constraint no candidate satisfies.
    /// - Step 4: for each advanced set in order, keep the candidates that satisfy it whole (bare = exact),
    ///   if any; otherwise skip the set.
    /// - Step 5: choose the smallest basic distance; ties go to the candidate nearest the defaults,
    ///   then to the earliest (the default device first).
    static func select(_ candidates: [MediaTrackSettings], _ constraints: MediaTrackConstraints) -> Outcome {
        var remaining: [(index: Int, distance: Double)] = candidates.indices.compactMap { index in
            let distance = fitnessDistance(candidates[index], constraints.basic, inAdvanced: false)
            return distance.isFinite ? (index, distance) : nil
        }
        guard !remaining.isEmpty else { return .failed(constraint: failedConstraint(candidates, constraints.basic)) }
        for set in constraints.advanced {
            let satisfying = remaining.filter { fitnessDistance(candidates[$0.index], set, inAdvanced: true).isFinite }
            if !satisfying.isEmpty { remaining = satisfying }
        }
        let best = remaining.min { lhs, rhs in
            if lhs.distance != rhs.distance { return lhs.distance < rhs.distance }
            let left = fitnessDistance(candidates[lhs.index], defaults, inAdvanced: false)
            let right = fitnessDistance(candidates[rhs.index], defaults, inAdvanced: false)
            return left != right ? left < right : lhs.index < rhs.index
        }
        return .selected(best!.index)  // `remaining` is not empty here
    }

    /// The first required basic constraint whose distance is infinite for every candidate, or "".
    static func failedConstraint(
        _ candidates: [MediaTrackSettings], _ basic: MediaTrackConstraintSet, only: Set<String>? = nil
    ) -> String {
        for property in ConstrainableProperty.all where only?.contains(property.name) ?? true {
            guard let constraint = property.constraint(basic, false), constraint.isRequired else { continue }
            let satisfiable = candidates.contains { constraint.fitnessDistance(to: property.setting($0)).isFinite }
            if !satisfiable { return property.name }
        }
        // Each required constraint is satisfiable alone, only not together: the spec says "".
        return ""
    }
}
