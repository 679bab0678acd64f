import Bounds
import Foundation
import TransferModel
import Yams

/// A configuration moved into the theorems' hypotheses at a given C while keeping its phase
/// variables Λ₁ and Λ₂ (docs/theory.md §6a, "Lifting").
///
/// With n and σ_p fixed, Λ_k = n‖μ_k‖⁴/(σ_p⁴d) is unchanged by d → λd, ‖u‖, ‖v_k‖ → λ^{1/4}·(‖u‖, ‖v_k‖).
/// The lift takes the smallest λ ≥ 1 at which every condition that involves d or the signal norms
/// but no step size or σ₀ holds at C (bisection on log λ, d rounded up to two significant
/// digits); then lowers η, η₂ and σ₀ to 0.9 of what their conditions allow (rounded down to two
/// digits; unchanged when already small enough); and sets T_k so that each task's noise clock
/// η_k·σ_{p,k}²·d·T_k is what it was. T enters cond_dimension through log T*, so these steps
/// repeat until d no longer changes. Finally it trains the lifted configuration once (seed of
/// the config, `gram` sampler) and doubles a task's T while its training loss stays above ε,
/// at most `maximumDoublings` times, redoing the steps above each time.
///
/// Conditions that involve none of d, ‖u‖, ‖v_k‖, η, η₂, σ₀, T (m ≥ C log(n/δ), n ≥ C log(m/δ),
/// p ≤ 1/C) cannot be met by lifting; they are reported as what prevents it.
public struct ConfigurationLift: Sendable {
    public let original: ExperimentConfig
    public let lifted: ExperimentConfig
    /// λ = d′/d.
    public let scale: Double
    /// Λ₁, Λ₂, Γ(α), Γ(0) before and after.
    public let before: [String: Double]
    public let after: [String: Double]
    /// C_max of the lifted configuration over every condition of both tasks, and its binding condition.
    public let regimeConstant: RegimeConstant
    /// Training loss of each phase of the check run, and ε.
    public let trainLoss: [Phase: Double]
    public let lossTarget: Double
    public static let maximumDoublings = 6
    /// What lifting may change.
    static let liftable: Set<String> = ["d", "u_norm", "v1_norm", "v2_norm", "eta", "eta2", "sigma0", "T1", "T2"]
    static let reported = ["Lambda_1", "Lambda_2", "Gamma", "Gamma_scratch"]

    /// Lift `config` into the hypotheses at `constant` C; throws a ``ConfigError`` naming the
    /// condition that prevents it.
    public init(_ config: ExperimentConfig, constant: Double, check: Bool = true) throws {
        guard constant > 0, constant.isFinite else { throw ConfigError(field: "C", "must be a finite number > 0, got \(constant)") }
        var constants = config.effectiveConstants
        constants["C"] = constant
        original = config
        lossTarget = constants["epsilon"] ?? IdentifierCatalog.constantDefaults["epsilon"]!
        func conditions(_ c: ExperimentConfig) -> [(label: String, relation: Relation, env: Environment, ids: Set<String>)] {
            (1...2).flatMap { task in
                let env = Environment.theory(configuration: c.numericValues, constants: constants, task: task)
                let definitions = TheoryDefinitions.definitions(forTask: task)
                return TheoryDefinitions.conditions.map { condition in
                    let r = condition.relation(forTask: task)
                    return ("\(condition.id)_\(task)", r, env, definitions.expanded(r.lhs).identifiers.union(definitions.expanded(r.rhs).identifiers))
                }
            }
        }
        for c in conditions(config) where c.ids.isDisjoint(with: Self.liftable) {
            let comparison = try Self.compare(c.relation, c.env, c.label)
            guard comparison.outcome == .holds else {
                throw ConfigError(field: c.label, String(format: "prevents lifting at C = %g: %@ %@ (lhs %.6g, rhs %.6g); lifting changes only d, ‖u‖, ‖v_k‖, η, η₂, σ₀ and T",
                                                         constant, c.relation.printed(), comparison.outcome == .fails ? "fails" : "is indeterminate", comparison.lhs.value, comparison.rhs.value))
            }
        }
        var multipliers = [1.0, 1.0]
        var lifted = config
        var loss: [Phase: Double] = [:]
        for attempt in 0...Self.maximumDoublings {
            lifted = try Self.place(config, constant: constant, multipliers: multipliers, conditions: conditions)
            guard check else { break }
            let outcomes = try TransferExperiment(config: lifted).run()
            loss = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.phase, $0.run.trainScore.loss) })
            let slow = [loss[.upstream]! > lossTarget, max(loss[.transfer]!, loss[.scratch]!) > lossTarget]
            guard slow.contains(true), attempt < Self.maximumDoublings else { break }
            for k in 0..<2 where slow[k] { multipliers[k] *= 2 }
        }
        self.lifted = lifted
        trainLoss = loss
        scale = Double(lifted.d) / Double(config.d)
        func values(_ c: ExperimentConfig) throws -> [String: Double] {
            let env = Environment.theory(configuration: c.numericValues, constants: constants)
            var out: [String: Double] = [:]
            for id in Self.reported { out[id] = try Self.evaluate(.variable(id), env, id) }
            return out
        }
        before = try values(config)
        after = try values(lifted)
        let report = TheoryReport(configuration: lifted.numericValues, constants: constants)
        guard report.failingConditions.isEmpty, case .success(let regime) = report.regimeConstant else {
            throw ConfigError(field: "lift", "the lifted configuration still fails \(report.failingConditions.joined(separator: ", ")) at C = \(constant)")
        }
        regimeConstant = regime
    }

    /// One placement: d from the d/norm conditions, then η, η₂, σ₀, then T; repeated until d is stable.
    private static func place(_ config: ExperimentConfig, constant: Double, multipliers: [Double],
                              conditions: (ExperimentConfig) -> [(label: String, relation: Relation, env: Environment, ids: Set<String>)])
        throws -> ExperimentConfig {
        var c = config
        c.constants["C"] = constant
        let steps = [config.eta, config.downstreamEta], times = [config.T1, config.T2]
        for _ in 0..<20 {
            let previous = c.d
            // Smallest λ at which every condition of d and the norms (not of η or σ₀) holds.
            func geometric(_ candidate: ExperimentConfig) throws -> Bool {
                try conditions(candidate).filter { $0.ids.contains("d") && $0.ids.isDisjoint(with: ["eta", "eta2", "sigma0"]) }
                    .allSatisfy { try compare($0.relation, $0.env, $0.label).outcome == .holds }
            }
            func scaled(_ lambda: Double) -> ExperimentConfig {
                var s = c
                s.d = roundUp(Double(config.d) * lambda)
                let factor = pow(Double(s.d) / Double(config.d), 0.25)
                s.u_norm = config.u_norm * factor; s.v1_norm = config.v1_norm * factor; s.v2_norm = config.v2_norm * factor
                return s
            }
            var lo = 0.0, hi = 1.0   // log10 λ
            if try !geometric(scaled(1)) {
                while try !geometric(scaled(pow(10, hi))) {
                    hi += 1
                    guard hi <= 15 else { throw ConfigError(field: "d", "lifting would need d > 10^15 at C = \(constant)") }
                }
                for _ in 0..<50 { let mid = (lo + hi) / 2; if try geometric(scaled(pow(10, mid))) { hi = mid } else { lo = mid } }
                c = scaled(pow(10, hi))
            } else {
                c = scaled(1)
            }
            // Step sizes and σ₀: 0.9 of the largest value their conditions allow (C* ∝ 1/value).
            let all = conditions(c)
            func cap(_ original: Double, current: Double, _ labels: [String]) throws -> Double {
                let limits = try all.filter { labels.contains($0.label) }.map { current * (try $0.relation.largestConstant("C", in: $0.env)) / constant }
                guard let limit = limits.min(), original > limit else { return original }
                return roundDown(0.9 * limit)
            }
            c.eta = try cap(config.eta, current: c.eta, ["cond_step_1"])
            c.eta2 = try cap(config.downstreamEta, current: c.downstreamEta, ["cond_step_2"])
            c.sigma0 = try cap(config.sigma0, current: c.sigma0, ["cond_init_1", "cond_init_2"])
            // Noise clock η_k·σ_{p,k}²·d·T_k kept (σ_{p,k} unchanged), times the doubling multiplier.
            let newSteps = [c.eta, c.downstreamEta]
            let newTimes = (0..<2).map { k in
                Int((multipliers[k] * Double(times[k]) * steps[k] * Double(config.d) / (newSteps[k] * Double(c.d))).rounded(.up))
            }
            c.T1 = newTimes[0]; c.T2 = newTimes[1]
            // About as many recorded steps in the shorter phase as before.
            c.record_every = max(1, Int((Double(config.record_every) * Double(min(c.T1, c.T2)) / Double(max(min(config.T1, config.T2), 1))).rounded(.up)))
            if c.d == previous { break }
        }
        if c.sampler == .vectors { c.sampler = .gram }
        try c.checkSampler()
        return c
    }

    static func compare(_ r: Relation, _ env: Environment, _ label: String) throws -> Comparison {
        do { return try r.compare(in: env) } catch { throw ConfigError(field: label, "cannot be evaluated: \(error)") }
    }

    static func evaluate(_ f: Formula, _ env: Environment, _ label: String) throws -> Double {
        do { return try f.evaluate(in: env).value } catch { throw ConfigError(field: label, "cannot be evaluated: \(error)") }
    }

    /// x rounded up to two significant digits (as an integer).
    static func roundUp(_ x: Double) -> Int {
        let unit = pow(10, (log10(max(x, 1))).rounded(.down) - 1)
        return Int(((x / unit).rounded(.up) * unit).rounded(.up))
    }

    /// x rounded down to two significant digits.
    static func roundDown(_ x: Double) -> Double {
        let unit = pow(10, log10(x).rounded(.down) - 1)
        return (x / unit).rounded(.down) * unit
    }

    /// The lifted configuration as a runnable YAML file, with a header of what changed.
    public var yaml: String {
        let keys = ["d", "m", "N1", "N2", "u_norm", "v1_norm", "v2_norm", "v_overlap", "sigma_p1", "sigma_p2", "p", "sigma0",
                    "eta", "eta2", "T1", "T2", "alpha", "delta", "layout", "seed", "n_test", "record_every", "variant", "rescale",
                    "sampler"]
        let object = lifted.jsonObject
        var pairs: [(Node, Node)] = keys.compactMap { key in
            guard let value = object[key] else { return nil }
            return (Node(key), Node("\(value)"))
        }
        let constants = lifted.effectiveConstants.sorted { $0.key < $1.key }.map { (Node($0.key), Node("\($0.value)")) }
        pairs.append((Node("constants"), Node(constants, .implicit, .flow)))
        let body = (try? Yams.serialize(node: Node(pairs))) ?? ""
        func line(_ id: String) -> String {
            String(format: "#   %@: %.6g -> %.6g", id, before[id] ?? .nan, after[id] ?? .nan)
        }
        let losses = trainLoss.isEmpty ? "#   (no check run)"
            : "#   training loss of the check run (seed \(lifted.seed)): " + [Phase.upstream, .transfer, .scratch].compactMap { p in
                trainLoss[p].map { String(format: "%@ %.3g", p.rawValue, $0) } }.joined(separator: ", ") + String(format: " (ε = %g)", lossTarget)
        return """
            # Lifted into the hypotheses at C = \(Judge.format(lifted.effectiveConstants["C"] ?? 1)) by `ptv bounds --lift` (docs/theory.md §6a):
            #   d x \(String(format: "%.4g", scale)), signal norms x \(String(format: "%.4g", pow(scale, 0.25))); η, η₂, σ₀ lowered as cond_step and cond_init demand; T keeps η·σ_p²·d·T.
            #   C_max = \(Judge.format(regimeConstant.value))\(regimeConstant.binding.map { " (binding: \($0))" } ?? "")
            \(Self.reported.map(line).joined(separator: "\n"))
            \(losses)

            """ + body
    }
}
