import Foundation
import Platform
import Vocabulary

/// Per-cell placement inside the hypotheses (a grid's `regime:` key; docs/theory.md §6d): for a
/// configuration whose d, n, signal norms, m and p are given, the values the conditions bound
/// from above — σ₀ (cond_init) and each task's step size η_k (cond_step) — are set to
/// 1/`margin` of the largest value every condition that mentions them allows at C, and each
/// task's step count to T_k = ⌈clock/(η_k σ_{p,k}² d)⌉, so every cell runs the same noise clock
/// η_k·σ_{p,k}²·d·T_k. T enters cond_dimension through log T* = log T_k, the T actually run. A
/// configuration whose other conditions fail at C (p > 1/C, d too small for its n and ‖μ‖) cannot
/// be placed: the error names the failing conditions.
public struct RegimePlacement: Sendable, Equatable {
    /// The conditions' constant C.
    public var constant: Double
    /// Each bound is divided by this (> 1: strictly inside).
    public var margin: Double
    /// η_k·σ_{p,k}²·d·T_k of every task of every cell.
    public var clock: Double

    public static let keys = ["C", "margin", "clock"]

    public init(constant: Double = 1, margin: Double = 2, clock: Double) {
        self.constant = constant
        self.margin = margin
        self.clock = clock
    }

    /// What placement sets, by configuration key.
    public static let placedKeys = ["sigma0", "eta", "eta2", "T1", "T2"]

    /// The values placement sets for one configuration.
    public struct Placed: Sendable, Equatable {
        public var sigma0: Double, eta: Double, eta2: Double
        public var T1: Int, T2: Int
    }

    /// The placed values for a configuration's numeric values and constants; throws a
    /// `ConfigError` (field `regime`) naming what prevents it.
    public func place(_ values: [String: Double], constants given: [String: Double]) throws -> Placed {
        var constants = given
        constants["C"] = constant
        var current = values
        func check(_ x: Double, _ label: String) throws -> Double {
            guard x.isFinite, x > 0 else { throw ConfigError(field: "regime", "the bound on \(label) is not a positive number (\(x)) at C = \(constant)") }
            return x
        }
        // σ₀ and the step sizes: C* of a condition that mentions the key scales as 1/value, so the
        // value at which C* = C is value·C*/C; the smallest over both tasks' conditions binds.
        for key in ["sigma0", "eta", "eta2"] {
            var limit = Double.infinity
            for task in 1...2 {
                let env = Environment.theory(configuration: current, constants: constants, task: task)
                let definitions = Theory.current.definitions(forTask: task)
                for condition in Theory.current.conditions {
                    let r = condition.relation(forTask: task)
                    let ids = definitions.expanded(r.lhs).identifiers.union(definitions.expanded(r.rhs).identifiers)
                    guard ids.contains(key) else { continue }
                    let largest: Double
                    do { largest = try r.largestConstant("C", in: env) } catch {
                        throw ConfigError(field: "regime", "\(condition.id)_\(task) cannot be evaluated: \(error)")
                    }
                    limit = min(limit, (current[key] ?? 0) * largest / constant)
                }
            }
            if limit.isFinite { current[key] = try check(limit / margin, key) }
        }
        let d = current["d"] ?? 0
        for (task, step, noise) in [(1, "eta", "sigma_p1"), (2, "eta2", "sigma_p2")] {
            let sigma = current[noise] ?? 1
            let steps = (clock / ((current[step] ?? 0) * sigma * sigma * d)).rounded(.up)
            guard steps.isFinite, steps >= 1, steps <= 1e9 else {
                throw ConfigError(field: "regime", String(format: "T%d would be %.3g steps (clock %g, %@ %.3g): outside 1–10⁹", task, steps, clock, step, current[step] ?? 0))
            }
            current["T\(task)"] = steps
        }
        let report = TheoryReport(configuration: current, constants: constants)
        guard report.failingConditions.isEmpty else {
            throw ConfigError(field: "regime", "cannot place it at C = \(constant): \(report.failingConditions.joined(separator: ", ")) fail, and placement sets only σ₀, η, η₂ and T")
        }
        return Placed(sigma0: current["sigma0"]!, eta: current["eta"]!, eta2: current["eta2"]!,
                      T1: Int(current["T1"]!), T2: Int(current["T2"]!))
    }
}
