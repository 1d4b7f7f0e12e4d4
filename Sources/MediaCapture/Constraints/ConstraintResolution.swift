// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).
/// SelectSettings for a live track: the spec's algorithm over the settings the track can take.
///
/// The mode members (width, height, aspectRatio, frameRate, resizeMode, deviceId, groupId, facingMode)
/// come from a finite list of candidates (the device's modes). The control members are independent,
/// each with a domain from the capabilities (a range, a list), so their candidates are the product of
/// those domains: required constraints narrow each domain, an advanced set applies whole (every member
/// still satisfiable) or is skipped, and ideals then pick the nearest value. Members no constraint
/// mentions are not touched (nothing is reset). Values are range-checked, not snapped to `step`.
struct ConstraintResolution: Equatable {
    /// The chosen mode candidate.
    var modeIndex: Int
    /// The control members to write (only those the constraints mention).
    var changes: MediaTrackSettings

    static let modeMembers: Set<String> = Set(ConstrainableProperty.all.filter(\.isModeMember).map(\.name))

    /// A control member's remaining values.
    enum Domain: Equatable {
        case range(Double, Double)
        case strings([String])
        case bools([Bool])
        /// pointsOfInterest: any list of points (fixed to one list by an exact constraint).
        case points(exact: [Point2D]?)

        var isEmpty: Bool {
            switch self {
            case .range(let low, let high): low > high
            case .strings(let values): values.isEmpty
            case .bools(let values): values.isEmpty
            case .points: false
            }
        }

        /// The domain narrowed by the required part of `constraint` (nil: not satisfiable at all).
        func narrowed(by constraint: NormalizedConstraint) -> Domain {
            switch (self, constraint) {
            case (.range(var low, var high), .numeric(let min, let max, let exact, _)):
                if let min { low = Swift.max(low, min) }
                if let max { high = Swift.min(high, max) }
                if let exact {
                    guard exact >= low && exact <= high else { return .range(1, 0) }
                    (low, high) = (exact, exact)
                }
                return .range(low, high)
            case (.strings(let values), .strings(let exact?, _)): return .strings(values.filter(exact.contains))
            case (.bools(let values), .boolean(let exact?, _)): return .bools(values.filter { $0 == exact })
            case (.points, .points(let exact?, _)): return .points(exact: exact)
            case (_, .existence): return self
            case (_, let constraint) where !constraint.isRequired: return self
            default: return .range(1, 0)  // a constraint of another type: unsatisfiable
            }
        }
    }

    /// Runs the resolution.
    /// - Parameters:
    ///   - modes: the mode candidates (mode members only); `current` is the one in use, and
    ///     `sameSourceMode` those the camera can give without switching modes (preferred on ties).
    ///   - capabilities: the control members' capabilities (what exists on this track).
    ///   - settings: the control members' current values.
    /// - Returns: the choice, or the name of the required constraint that cannot be satisfied.
    static func resolve(
        _ constraints: MediaTrackConstraints, modes: [MediaTrackSettings], current: Int, sameSourceMode: Set<Int> = [],
        capabilities: MediaTrackCapabilities, settings: MediaTrackSettings
    ) -> Result<ConstraintResolution, DOMException> {
        // Modes: the required mode constraints of the basic set.
        var modeIndices = modes.indices.filter {
            SelectSettings.fitnessDistance(modes[$0], constraints.basic, inAdvanced: false, only: modeMembers).isFinite
        }
        if modeIndices.isEmpty {
            let name = SelectSettings.failedConstraint(modes, constraints.basic, only: modeMembers)
            return .failure(.overconstrained(name, "The camera has no mode that satisfies '\(name)'."))
        }
        // Controls: each domain narrowed by the basic set's required constraints.
        var domains = domains(capabilities, settings)
        for property in ConstrainableProperty.controls {
            guard let constraint = property.constraint(constraints.basic, false), constraint.isRequired else { continue }
            guard let domain = domains[property.name] else {
                return .failure(.overconstrained(property.name, "This track has no '\(property.name)' control."))
            }
            let narrowed = domain.narrowed(by: constraint)
            if narrowed.isEmpty {
                return .failure(.overconstrained(property.name, "'\(property.name)' cannot take that value on this camera; see getCapabilities()."))
            }
            domains[property.name] = narrowed
        }
        // Advanced sets: whole or skipped (bare values are exact there).
        var mentioned = Set<String>()
        for set in constraints.advanced {
            let setModes = modeIndices.filter {
                SelectSettings.fitnessDistance(modes[$0], set, inAdvanced: true, only: modeMembers).isFinite
            }
            var setDomains = domains
            var satisfiable = !setModes.isEmpty
            var setMembers = Set<String>()
            for property in ConstrainableProperty.controls where satisfiable {
                guard let constraint = property.constraint(set, true) else { continue }
                setMembers.insert(property.name)
                // `pan: true/false` only weighs on the distance (0 or 1), never makes a set fail.
                if case .existence = constraint { continue }
                guard let domain = setDomains[property.name] else {
                    satisfiable = false
                    break
                }
                let narrowed = domain.narrowed(by: constraint)
                satisfiable = !narrowed.isEmpty
                setDomains[property.name] = narrowed
            }
            if satisfiable {
                modeIndices = setModes
                domains = setDomains
                mentioned.formUnion(setMembers)
            }
        }
        // The mode: the smallest ideal distance; ties keep the current mode, then the defaults.
        let modeIndex = modeIndices.min { lhs, rhs in
            let left = SelectSettings.fitnessDistance(modes[lhs], constraints.basic, inAdvanced: false, only: modeMembers)
            let right = SelectSettings.fitnessDistance(modes[rhs], constraints.basic, inAdvanced: false, only: modeMembers)
            if left != right { return left < right }
            if (lhs == current) != (rhs == current) { return lhs == current }
            if sameSourceMode.contains(lhs) != sameSourceMode.contains(rhs) { return sameSourceMode.contains(lhs) }
            let defaults = SelectSettings.defaults
            let leftDefault = SelectSettings.fitnessDistance(modes[lhs], defaults, inAdvanced: false)
            let rightDefault = SelectSettings.fitnessDistance(modes[rhs], defaults, inAdvanced: false)
            return leftDefault != rightDefault ? leftDefault < rightDefault : lhs < rhs
        }!
        // The control values: only members a constraint mentions.
        var changes = MediaTrackSettings()
        for property in ConstrainableProperty.controls {
            let basic = property.constraint(constraints.basic, false)
            let isMentioned = mentioned.contains(property.name) || (basic != nil && basic != .existence(true) && basic != .existence(false))
            guard isMentioned, let domain = domains[property.name],
                let value = pick(domain, ideal: basic, current: property.setting(settings))
            else { continue }
            property.assign(&changes, value)
        }
        return .success(ConstraintResolution(modeIndex: modeIndex, changes: changes))
    }

    /// The capability domain of every control member the track has.
    static func domains(_ capabilities: MediaTrackCapabilities, _ settings: MediaTrackSettings) -> [String: Domain] {
        var domains: [String: Domain] = [:]
        for property in ConstrainableProperty.controls {
            domains[property.name] = property.domain(capabilities, settings)
        }
        return domains
    }

    /// The value in `domain` nearest the ideal (else the current value, kept when it fits).
    private static func pick(_ domain: Domain, ideal: NormalizedConstraint?, current: SettingValue?) -> SettingValue? {
        switch domain {
        case .range(let low, let high):
            var target: Double
            if case .numeric(_, _, _, let ideal?)? = ideal {
                target = ideal
            } else if case .number(let value)? = current {
                target = value
            } else {
                target = low
            }
            target = Swift.min(high, Swift.max(low, target))
            return .number(target)
        case .strings(let values):
            if case .strings(_, let ideal?)? = ideal, let match = ideal.first(where: values.contains) { return .string(match) }
            if case .string(let value)? = current, values.contains(value) { return .string(value) }
            return values.first.map { .string($0) }
        case .bools(let values):
            if case .boolean(_, let ideal?)? = ideal, values.contains(ideal) { return .bool(ideal) }
            if case .bool(let value)? = current, values.contains(value) { return .bool(value) }
            return values.first.map { .bool($0) }
        case .points(let exact):
            let points: [Point2D]?
            if let exact { points = exact } else if case .points(_, let ideal?)? = ideal { points = ideal } else { points = nil }
            // The spec: coordinates beyond 0...1 are clamped.
            return points.map { .points($0.map { Point2D(x: Swift.min(1, Swift.max(0, $0.x)), y: Swift.min(1, Swift.max(0, $0.y))) }) }
        }
    }
}
