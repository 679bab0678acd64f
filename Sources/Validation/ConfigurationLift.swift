import Bounds
import Foundation
import Platform
import TransferModel
import Vocabulary
import Yams

/// A configuration moved into the theorems' hypotheses at a given C while keeping its phase
/// variables Λ₁ and Λ₂ (docs/theory.md §6a, "Lifting").
///
/// The lift has three stages, each changing only what the conditions bound:
/// 1. **Sizes.** Conditions on m and n alone (m ≥ C log(n/δ), n ≥ C log(m/δ)) are met by raising
///    m to m′ and every N_k to κ·N_k with d → κ·d, for the smallest integer κ ≥ 1 (and then the
///    smallest m′ ≥ m) at which they all hold. N_k/d is unchanged, so Λ₁, Λ₂ and Γ(α) are too.
/// 2. **Dimension.** With n and σ_p fixed, Λ_k = n‖μ_k‖⁴/(σ_p⁴d) is unchanged by d → λd,
///    ‖u‖, ‖v_k‖ → λ^{1/4}·(‖u‖, ‖v_k‖); λ ≥ 1 is the smallest at which every condition that involves
///    d or the signal norms but no step size or σ₀ holds at C (bisection on log λ, d rounded up to
///    two significant digits).
/// 3. **Steps.** η, η₂ and σ₀ are lowered to 0.9 of what their conditions allow (rounded down to
///    two digits; unchanged when already small enough), and T_k is set so that each task's clock
///    η_k·σ_{p,k}²·d·T_k/(n_k·m) is what it was: the per-step change of a training sample's noise
///    coefficient is η_k‖ξ‖²/(n_k m), so this keeps how far training gets. When n and m are
///    unchanged it is the noise clock η_k·σ_{p,k}²·d·T_k.
/// T enters cond_dimension through log T*, so stages 2–3 repeat until d no longer changes.
/// Finally it trains the lifted configuration at `checkSeeds` seeds (the config's and the next
/// ones) and doubles a task's T while the largest training loss of its phases stays above ε, at
/// most `maximumDoublings` times (×4: a run that still misses ε then stays visible in the header
/// and in lemma-training-converges, rather than costing unbounded steps), redoing the stages.
///
/// Conditions that involve none of the values above (p ≤ 1/C) cannot be met by lifting; they
/// are reported as what prevents it, and `ceiling(of:)` gives the largest C any lift reaches.
///
/// A *family* (configurations with the same d, lifted together, e.g. the members of a
/// monotonicity family that must differ in one key only) shares the lifted d, m, κ, η, η₂, σ₀,
/// T₁, T₂ and `record_every`: every condition of every member is imposed at once, the step sizes
/// are the smallest any member needs and each T the largest any member's clock needs.
public struct ConfigurationLift: Sendable {
    let originals: [ExperimentConfig]
    public let lifted: [ExperimentConfig]
    /// λ = d′/d (κ included).
    public let scale: Double
    /// κ, the factor of every N_k (and of d before the dimension stage).
    package let sampleFactor: Int
    /// Λ₁, Λ₂, Γ(α), Γ(0) before and after, per member.
    public let before: [[String: Double]]
    public let after: [[String: Double]]
    /// C_max of each lifted member over every condition of both tasks, and its binding condition.
    package let regimeConstants: [RegimeConstant]
    /// Training loss of each phase of each member's check run, and ε.
    public let trainLoss: [[Phase: Double]]
    let lossTarget: Double
    static let maximumDoublings = 2
    /// The most training work the check runs may take: 10¹³ multiply–adds, about half an hour on
    /// one core of this project's machines.
    static let largestCheckWork = 1e12
    /// Seeds of the check run: the config's seed and the next ones.
    static let checkSeeds = 3
    /// The largest κ and m′ the sizes stage tries.
    static let largestSampleFactor = 64, largestFilterCount = ConfigKey.largestFilterCount
    /// What lifting may change.
    static let liftable: Set<String> = ["d", "u_norm", "v1_norm", "v2_norm", "eta", "eta2", "sigma0", "T1", "T2", "m", "N1", "N2"]
    static let sizeKeys: Set<String> = ["m", "N1", "N2"]
    static let reported = ["Lambda_1", "Lambda_2", "Gamma", "Gamma_scratch"]

    /// Lift `configs` (one configuration, or a family sharing d) into the hypotheses at
    /// `constant` C; throws a `ConfigError` naming the condition that prevents it.
    public init(_ configs: [ExperimentConfig], constant: Double, check: Bool = true) async throws {
        guard constant > 0, constant.isFinite else { throw ConfigError(field: "C", "must be a finite number > 0, got \(constant)") }
        guard let first = configs.first, configs.allSatisfy({ $0.d == first.d }) else {
            throw ConfigError(field: "config", "lifting a family needs one or more configurations with the same d")
        }
        originals = configs
        let constants = configs.map { Self.constants($0, constant) }
        let target = constants[0]["epsilon"] ?? IdentifierCatalog.constantDefaults["epsilon"]!
        lossTarget = target
        let conditions = { (members: [ExperimentConfig]) in Self.conditions(members, constant: constant) }
        for c in conditions(configs) where c.ids.isDisjoint(with: Self.liftable) {
            let comparison = try Self.compare(c.relation, c.env, c.label)
            guard comparison.outcome == .holds else {
                throw ConfigError(field: c.label, String(format: "prevents lifting at C = %g: %@ %@ (lhs %.6g, rhs %.6g); lifting changes only d, m, N, ‖u‖, ‖v_k‖, η, η₂, σ₀ and T",
                                                         constant, c.relation.printed(), comparison.outcome == .fails ? "fails" : "is indeterminate", comparison.lhs.value, comparison.rhs.value))
            }
        }
        let sized = try Self.sizes(configs, constant: constant)
        sampleFactor = sized[0].N1 / max(first.N1, 1)
        var multipliers = [1.0, 1.0]
        var lifted = configs
        var loss: [[Phase: Double]] = []
        for attempt in 0...Self.maximumDoublings {
            lifted = try Self.place(configs, sized: sized, constant: constant, multipliers: multipliers)
            guard check else { break }
            // The check runs train the lifted configuration: refused when that would take long
            // (a far-out-of-regime η lifts to ~10⁸ steps), instead of running on for hours.
            let work = lifted.map { ResourceEstimate($0).multiplyAdds }.reduce(0, +) * Double(Self.checkSeeds)
            guard work <= Self.largestCheckWork else {
                throw ConfigError(field: "T\(lifted[0].T1 >= lifted[0].T2 ? 1 : 2)", String(format: "the lifted configuration (T1 = %d, T2 = %d) would take about %.2g multiply–adds to check at %d seeds, more than %.0g: lower η or T before lifting, or lift to a smaller C", lifted[0].T1, lifted[0].T2, work, Self.checkSeeds, Self.largestCheckWork))
            }
            // The largest training loss of each phase over the check seeds.
            loss = []
            for member in lifted {
                var worst: [Phase: Double] = [:]
                for offset in 0..<UInt64(Self.checkSeeds) {
                    var run = member
                    run.seed = member.seed &+ offset
                    for outcome in try await TransferExperiment(config: run).run() {
                        worst[outcome.phase] = max(worst[outcome.phase] ?? 0, outcome.run.trainScore.loss)
                    }
                }
                loss.append(worst)
            }
            let slow = [loss.contains { $0[.upstream]! > target }, loss.contains { max($0[.transfer]!, $0[.scratch]!) > target }]
            guard slow.contains(true), attempt < Self.maximumDoublings else { break }
            for k in 0..<2 where slow[k] { multipliers[k] *= 2 }
        }
        self.lifted = lifted
        trainLoss = loss
        scale = Double(lifted[0].d) / Double(first.d)
        func values(_ c: ExperimentConfig, _ k: [String: Double]) throws -> [String: Double] {
            let env = Environment.theory(configuration: c.numericValues, constants: k)
            var out: [String: Double] = [:]
            for id in Self.reported { out[id] = try Self.evaluate(.variable(id), env, id) }
            return out
        }
        before = try zip(configs, constants).map { try values($0, $1) }
        after = try zip(lifted, constants).map { try values($0, $1) }
        regimeConstants = try zip(lifted, constants).map { member, k in
            let report = TheoryReport(configuration: member.numericValues, constants: k)
            guard report.failingConditions.isEmpty, case .success(let regime) = report.regimeConstant else {
                throw ConfigError(field: "lift", "the lifted configuration still fails \(report.failingConditions.joined(separator: ", ")) at C = \(constant)")
            }
            return regime
        }
    }

    /// The largest C any lift of `configs` reaches: the smallest C* over the conditions lifting
    /// cannot change (p ≤ 1/C in the shipped theory), with the binding one; C_max = +∞ when
    /// every condition can be met by lifting.
    package static func ceiling(of configs: [ExperimentConfig]) throws -> RegimeConstant {
        var best = RegimeConstant(value: .infinity, binding: nil)
        for c in conditions(configs, constant: 1) where c.ids.isDisjoint(with: liftable) && RegimeConstant.involves(c.relation) {
            let value: Double
            do { value = try c.relation.largestConstant("C", in: c.env) } catch {
                throw ConfigError(field: c.label, "cannot be evaluated: \(error)")
            }
            if value < best.value { best = RegimeConstant(value: value, binding: c.label) }
        }
        return best
    }

    /// A member's constants with C set.
    static func constants(_ config: ExperimentConfig, _ constant: Double) -> [String: Double] {
        var k = config.effectiveConstants
        k["C"] = constant
        return k
    }

    /// Every condition of both tasks of every member, at C.
    static func conditions(_ members: [ExperimentConfig], constant: Double) -> [Condition] {
        members.flatMap { c in
            (1...2).flatMap { task in
                let env = Environment.theory(configuration: c.numericValues, constants: constants(c, constant), task: task)
                let definitions = Theory.current.definitions(forTask: task)
                return Theory.current.conditions.map { condition in
                    let r = condition.relation(forTask: task)
                    return Condition(label: "\(condition.id)_\(task)", relation: r, env: env,
                                     ids: definitions.expanded(r.lhs).identifiers.union(definitions.expanded(r.rhs).identifiers))
                }
            }
        }
    }

    /// A condition of one member and task, with the configuration ids it depends on.
    struct Condition {
        let label: String
        let relation: Relation
        let env: Environment
        let ids: Set<String>
    }

    /// Stage 1: the family with m raised to m′ and N_k, d multiplied by κ, for the smallest κ
    /// (then m′) at which every condition on m and n alone holds at C.
    ///
    /// For a fixed κ each such condition is monotone in m′ (m ≥ C log(n/δ) tightens never as m
    /// grows, n ≥ C log(m/δ) only tightens): the smallest m′ making the loosening ones hold is
    /// found by bisection, and κ is raised while a tightening one then fails.
    static func sizes(_ configs: [ExperimentConfig], constant: Double) throws -> [ExperimentConfig] {
        let m0 = configs.map(\.m).max()!
        func members(_ kappa: Int, _ m: Int) -> [ExperimentConfig] {
            configs.map { c in
                var s = c
                s.m = m
                (s.N1, s.N2, s.d) = (c.N1 * kappa, c.N2 * kappa, c.d * kappa)
                return s
            }
        }
        func sizeConditions(_ family: [ExperimentConfig]) -> [Condition] {
            conditions(family, constant: constant).filter {
                !$0.ids.isDisjoint(with: sizeKeys) && $0.ids.isDisjoint(with: liftable.subtracting(sizeKeys))
            }
        }
        func holding(_ family: [ExperimentConfig]) throws -> [Bool] {
            try sizeConditions(family).map { try compare($0.relation, $0.env, $0.label).outcome == .holds }
        }
        guard try holding(members(1, m0)).contains(false) else { return configs.map { var c = $0; c.m = m0; return c } }
        for kappa in 1...largestSampleFactor {
            // Which conditions hold at the largest m′ (those loosen as m grows) and the smallest.
            let high = try holding(members(kappa, largestFilterCount))
            guard let low = try? holding(members(kappa, m0)) else { continue }
            let loosening = high.indices.filter { high[$0] }
            // A condition failing at both ends cannot be met with this κ.
            guard zip(high, low).allSatisfy({ $0 || $1 }) else { continue }
            var lo = m0, hi = largestFilterCount   // holding(loosening) is false at lo unless lo works
            if loosening.allSatisfy({ low[$0] }) { hi = m0 } else {
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    let at = try holding(members(kappa, mid))
                    if loosening.allSatisfy({ at[$0] }) { hi = mid } else { lo = mid }
                }
            }
            let family = members(kappa, hi)
            if try holding(family).allSatisfy({ $0 }) { return family }
        }
        let failing = sizeConditions(members(largestSampleFactor, m0)).map(\.label)
        throw ConfigError(field: failing.first ?? "m", "prevents lifting at C = \(constant): no m′ ≤ \(largestFilterCount) with N multiplied by at most \(largestSampleFactor) satisfies \(Set(failing).sorted().joined(separator: ", "))")
    }

    /// Stages 2 and 3 on the sized family: d from the d/norm conditions, then η, η₂, σ₀, then
    /// T; repeated until d is stable. `originals` give the clocks to keep.
    private static func place(_ originals: [ExperimentConfig], sized configs: [ExperimentConfig], constant: Double,
                              multipliers: [Double]) throws -> [ExperimentConfig] {
        // Members share the family's smallest η, η₂, σ₀ from the start, so every condition's C*
        // below scales one common value.
        let eta0 = configs.map(\.eta).min()!, eta20 = configs.map(\.downstreamEta).min()!, sigma00 = configs.map(\.sigma0).min()!
        var members = configs.map { c -> ExperimentConfig in
            var m = c
            m.constants["C"] = constant
            m.eta = eta0; m.eta2 = eta20; m.sigma0 = sigma00
            return m
        }
        let d0 = Double(configs[0].d)
        func scaled(_ lambda: Double) throws -> [ExperimentConfig] {
            try members.enumerated().map { i, m in
                var s = m
                s.d = try roundUp(d0 * lambda)
                let factor = pow(Double(s.d) / d0, 0.25)
                s.u_norm = configs[i].u_norm * factor; s.v1_norm = configs[i].v1_norm * factor; s.v2_norm = configs[i].v2_norm * factor
                return s
            }
        }
        // Every condition of d or the norms that involves no step size or σ₀.
        func geometric(_ candidate: [ExperimentConfig]) throws -> Bool {
            try conditions(candidate, constant: constant)
                .filter { !$0.ids.isDisjoint(with: ["d", "u_norm", "v1_norm", "v2_norm"]) && $0.ids.isDisjoint(with: ["eta", "eta2", "sigma0"]) }
                .allSatisfy { try compare($0.relation, $0.env, $0.label).outcome == .holds }
        }
        for _ in 0..<20 {
            let previous = members[0].d
            // Smallest λ ≥ 1 (bisection on log₁₀ λ) at which they hold.
            var lo = 0.0, hi = 1.0
            if try !geometric(scaled(1)) {
                while try !geometric(scaled(pow(10, hi))) {
                    hi += 1
                    guard hi <= 15 else { throw ConfigError(field: "d", "lifting would need d > 10^15 at C = \(constant)") }
                }
                for _ in 0..<50 { let mid = (lo + hi) / 2; if try geometric(scaled(pow(10, mid))) { hi = mid } else { lo = mid } }
                members = try scaled(pow(10, hi))
            } else {
                members = try scaled(1)
            }
            // Step sizes and σ₀: 0.9 of the largest value every member's conditions allow (C* ∝ 1/value).
            let all = conditions(members, constant: constant)
            // The conditions that bound a value are those that mention it (found in the theory's
            // definitions, not named here), so a new condition on η, η₂ or σ₀ is honoured too.
            func cap(_ original: Double, current: Double, _ key: ConfigKey) throws -> Double {
                let limits = try all.filter { $0.ids.contains(key.rawValue) }
                    .map { current * (try $0.relation.largestConstant("C", in: $0.env)) / constant }
                guard let limit = limits.min(), original > limit else { return original }
                return try roundDown(0.9 * limit, field: key.rawValue)
            }
            let eta = try cap(eta0, current: members[0].eta, .eta)
            let eta2 = try cap(eta20, current: members[0].downstreamEta, .eta2)
            let sigma0 = try cap(sigma00, current: members[0].sigma0, .sigma0)
            // Each task's clock η_k·σ_{p,k}²·d·T_k/(n_k·m) of every member kept (σ_{p,k} unchanged),
            // times the doubling multiplier.
            let d = Double(members[0].d)
            func steps(_ task: Int) throws -> Int {
                let step = task == 1 ? eta : eta2
                let needed = zip(originals, members).map { original, member -> Double in
                    let (t, n, n2) = task == 1 ? (original.T1, original.N1, member.N1) : (original.T2, original.N2, member.N2)
                    let clockRatio = Double(n2 * member.m) / Double(max(n * original.m, 1))
                    return multipliers[task - 1] * Double(t) * original.eta(task: task) * Double(original.d) * clockRatio / (step * d)
                }.max()!.rounded(.up)
                guard needed.isFinite, needed <= Double(ConfigKey.largestStepCount) else {
                    throw ConfigError(field: "T\(task)", String(format: "lifting at C = %g would need %.3g steps (at most %d)", constant, needed, ConfigKey.largestStepCount))
                }
                return Int(needed)
            }
            let t1 = try steps(1), t2 = try steps(2)
            // About as many recorded steps in the shorter phase as before.
            let every = originals.map { c in
                max(1, Int((Double(c.record_every) * Double(min(t1, t2)) / Double(max(min(c.T1, c.T2), 1))).rounded(.up)))
            }.max()!
            for i in members.indices {
                members[i].eta = eta; members[i].eta2 = eta2; members[i].sigma0 = sigma0
                members[i].T1 = t1; members[i].T2 = t2; members[i].record_every = every
            }
            if members[0].d == previous { break }
        }
        for i in members.indices {
            if members[i].sampler == .vectors { members[i].sampler = .gram }
            try members[i].checkSampler()
        }
        return members
    }

    static func compare(_ r: Relation, _ env: Environment, _ label: String) throws -> Comparison {
        do { return try r.compare(in: env) } catch { throw ConfigError(field: label, "cannot be evaluated: \(error)") }
    }

    static func evaluate(_ f: Formula, _ env: Environment, _ label: String) throws -> Double {
        do { return try f.evaluate(in: env).value } catch { throw ConfigError(field: label, "cannot be evaluated: \(error)") }
    }

    /// x rounded up to two significant digits (as an integer); a d past the largest allowed
    /// is refused (`ConfigKey.d`'s range), never converted with an overflow.
    static func roundUp(_ x: Double) throws -> Int {
        let unit = pow(10, (log10(max(x, 1))).rounded(.down) - 1)
        let value = ((x / unit).rounded(.up) * unit).rounded(.up)
        guard case .integer(let range) = ConfigKey.d.kind, value.isFinite, value <= Double(range.upperBound) else {
            throw ConfigError(field: "d", "lifting would need d ≈ \(String(format: "%.3g", x)), more than the largest allowed")
        }
        return Int(value)
    }

    /// x rounded down to two significant digits, read back from its decimal form (so 5.2e-06
    /// prints as such, not as 5.199999999999999e-06); a value that is not a positive finite
    /// number (a bound of 0, or one past the Doubles) is refused naming `field`.
    static func roundDown(_ x: Double, field: String) throws -> Double {
        guard x.isFinite, x > 0, x >= Double.leastNormalMagnitude else {
            throw ConfigError(field: field, "lifting would set it to \(x), not a positive finite number")
        }
        let exponent = Int(log10(x).rounded(.down)) - 1
        let digits = Int((x / pow(10, Double(exponent))).rounded(.down))
        return Double("\(digits)e\(exponent)") ?? x
    }

    /// The lifted configurations as runnable YAML documents (one per member, `---` between),
    /// each with a header of what changed.
    public var yaml: String {
        lifted.indices.map(document).joined(separator: "---\n")
    }

    func document(_ i: Int) -> String {
        // Every key but the engine (a choice of implementation) and the constants (written last).
        let keys = ConfigKey.allCases.filter { $0 != .engine && $0 != .constants }.map(\.rawValue)
        let object = lifted[i].jsonObject
        var pairs: [(Node, Node)] = keys.compactMap { key in
            guard let value = object[key] else { return nil }
            return (Node(key), Node("\(value)"))
        }
        let constants = lifted[i].effectiveConstants.sorted { $0.key < $1.key }.map { (Node($0.key), Node("\($0.value)")) }
        pairs.append((Node("constants"), Node(constants, .implicit, .flow)))
        let body = (try? Yams.serialize(node: Node(pairs))) ?? ""
        func line(_ id: String) -> String {
            String(format: "#   %@: %.6g -> %.6g", id, before[i][id] ?? .nan, after[i][id] ?? .nan)
        }
        let losses = trainLoss.isEmpty ? "#   (no check run)"
            : "#   largest training loss of the check runs (seeds \(lifted[i].seed)…\(lifted[i].seed &+ UInt64(Self.checkSeeds - 1))): " + [Phase.upstream, .transfer, .scratch].compactMap { p in
                trainLoss[i][p].map { String(format: "%@ %.3g", p.rawValue, $0) } }.joined(separator: ", ") + String(format: " (ε = %g)", lossTarget)
        let regime = regimeConstants[i]
        func sizes(_ i: Int) -> String {
            let (a, b) = (originals[i], lifted[i])
            let parts = (a.m == b.m ? [] : ["m \(a.m) -> \(b.m)"]) + (sampleFactor == 1 ? [] : ["N1, N2 x \(sampleFactor)"])
            return parts.isEmpty ? "" : parts.joined(separator: ", ") + "; "
        }
        return """
            # Lifted into the hypotheses at C = \(Judge.format(lifted[i].effectiveConstants["C"] ?? 1)) by `ptv bounds --lift` (docs/theory.md §6a)\(lifted.count > 1 ? ", member \(i + 1) of a family of \(lifted.count)" : ""):
            #   \(sizes(i))d x \(String(format: "%.4g", scale)), signal norms x \(String(format: "%.4g", pow(scale / Double(sampleFactor), 0.25))); η, η₂, σ₀ lowered as cond_step and cond_init demand; T keeps η·σ_p²·d·T/(n·m).
            #   C_max = \(Judge.format(regime.value))\(regime.binding.map { " (binding: \($0))" } ?? "")
            \(Self.reported.map(line).joined(separator: "\n"))
            \(losses)

            """ + body
    }
}
