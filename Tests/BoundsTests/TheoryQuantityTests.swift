@testable import Bounds
import Foundation
@testable import NumericsCore
import Testing

/// Every §6 quantity against an independent hand computation (formulas typed out again in
/// plain Swift), relative 1e-12; predicted_error against libm's erfc, relative 1e-12.
@Suite struct TheoryQuantityTests {
    static let configs: [[String: Double]] = [
        ["d": 400, "m": 10, "N1": 80, "N2": 20, "u_norm": 3, "v1_norm": 2, "v2_norm": 2, "v_overlap": 0,
         "sigma_p1": 1, "sigma_p2": 1, "p": 0, "sigma0": 0.01, "eta": 1, "T1": 200, "T2": 200, "alpha": 0.5, "delta": 0.05],
        ["d": 2000, "m": 40, "N1": 300, "N2": 12, "u_norm": 1.7, "v1_norm": 0.9, "v2_norm": 2.6, "v_overlap": 0.2,
         "sigma_p1": 0.8, "sigma_p2": 1.7, "p": 0.1, "sigma0": 0.001, "eta": 0.05, "eta2": 0.002, "T1": 1000, "T2": 50, "alpha": 0.3, "delta": 0.01],
        ["d": 50, "m": 5, "N1": 7, "N2": 9, "u_norm": 0.4, "v1_norm": 5, "v2_norm": 0.1, "v_overlap": 0,
         "sigma_p1": 2.5, "sigma_p2": 0.6, "p": 0.2, "sigma0": 0.1, "eta": 2, "T1": 3, "T2": 30, "alpha": 1, "delta": 0.2],
    ]
    static let constants: [String: Double] = ["C": 1.5, "C1": 2, "C2": 3, "C3": 0.5, "Cprime": 1, "kappa": 0.7]

    /// The hand computation.
    static func hand(_ c: [String: Double], _ k: [String: Double]) -> [String: Double] {
        let d = c["d"]!, N1 = c["N1"]!, N2 = c["N2"]!, u = c["u_norm"]!, v1 = c["v1_norm"]!, v2 = c["v2_norm"]!
        let s1 = c["sigma_p1"]!, s2 = c["sigma_p2"]!, alpha = c["alpha"]!, p = c["p"]!
        let mu1sq = u * u + v1 * v1, mu2sq = u * u + v2 * v2
        let Au = N1 * u * u / (s1 * s1 * d)
        let B1 = (N1 * s2 * s2 / (s1 * s1 * d)) * (1 + N1 * v1 * v1 / (s1 * s1 * d))
        let A2 = N2 * mu2sq / (s2 * s2 * d)
        let B2 = N2 / d
        func gamma(_ a: Double) -> Double {
            pow(a * Au + (1 - a) * A2, 2) / (a * a * B1 + (1 - a) * (1 - a) * B2)
        }
        let G = gamma(alpha)
        let a = alpha * N1 * u * u / (s1 * s1) + (1 - alpha) * N2 * mu2sq / (s2 * s2)
        let cc = alpha * alpha * N1 * s2 * s2 / (s1 * s1) + (1 - alpha) * (1 - alpha) * N2
        let cp = alpha * alpha * N1 * N1 * s2 * s2 * v1 * v1 / pow(s1, 4)
        var out: [String: Double] = [
            "mu_norm_1": mu1sq.squareRoot(), "mu_norm_2": mu2sq.squareRoot(),
            "SNR_1": mu1sq.squareRoot() / (s1 * d.squareRoot()), "SNR_2": mu2sq.squareRoot() / (s2 * d.squareRoot()),
            "SNR_u": u / (s1 * d.squareRoot()),
            "Lambda_1": N1 * mu1sq * mu1sq / (pow(s1, 4) * d), "Lambda_2": N2 * mu2sq * mu2sq / (pow(s2, 4) * d),
            "gamma_hat_1": N1 * mu1sq / (s1 * s1 * d), "gamma_hat_2": N2 * mu2sq / (s2 * s2 * d),
            "A_u": Au, "B_1": B1, "A_2": A2, "B_2": B2,
            "Gamma": G, "Gamma_scratch": gamma(0), "Gamma_inherited": gamma(1),
            "d_star_a": a, "d_star_c": cc, "d_star_cprime": cp,
            "Gamma_signal_share": alpha * Au / (alpha * Au + (1 - alpha) * A2),
            "Gamma_noise_share": alpha * alpha * B1 / (alpha * alpha * B1 + (1 - alpha) * (1 - alpha) * B2),
            "predicted_error": p + (1 - 2 * p) * erfc(k["kappa"]! * G.squareRoot() / 2.0.squareRoot()) / 2,
        ]
        if a * a / k["C1"]! > cp { out["d_star"] = (a * a / k["C1"]! - cp) / cc }
        return out
    }

    @Test(arguments: 0..<configs.count)
    func everyQuantityMatchesHandComputation(index: Int) throws {
        let config = Self.configs[index]
        let expected = Self.hand(config, Self.constants)
        let report = TheoryReport(configuration: config, constants: Self.constants)
        for q in report.quantities {
            if q.quantity.id == "d_star" && expected["d_star"] == nil {
                #expect(throws: EvaluationError.self) { try q.result.get() }
                continue
            }
            let want = try #require(expected[q.quantity.id], "no hand value for \(q.quantity.id)")
            let got = try q.result.get()
            let rel = relativeError(got.value, want)
            #expect(rel < Tolerance.arithmetic, "\(q.quantity.id): \(got.value) vs \(want), relative error \(rel)")
            // The error estimate is honest: it covers the actual deviation (with a factor 10 for
            // the hand computation's own rounding) and is small.
            #expect(abs(got.value - want) <= 10 * got.error + 1e-300 || rel < 1e-15, "\(q.quantity.id) error estimate \(got.error)")
            #expect(got.error <= 1e-11 * abs(got.value) + 1e-300)
        }
        // Γ(0) = Λ₂ identically.
        #expect(relativeError(report.value("Gamma_scratch")!.value, report.value("Lambda_2")!.value) < Tolerance.arithmetic)
    }

    /// Conditions per task against hand computations of both sides.
    @Test(arguments: 0..<configs.count)
    func conditionsMatchHandComputation(index: Int) throws {
        let c = Self.configs[index], C = Self.constants["C"]!
        let report = TheoryReport(configuration: c, constants: Self.constants)
        for task in 1...2 {
            let n = c[task == 1 ? "N1" : "N2"]!, sp = c[task == 1 ? "sigma_p1" : "sigma_p2"]!
            let T = c[task == 1 ? "T1" : "T2"]!, v = c[task == 1 ? "v1_norm" : "v2_norm"]!
            let mu = (c["u_norm"]! * c["u_norm"]! + v * v).squareRoot()
            let d = c["d"]!, m = c["m"]!, delta = c["delta"]!
            let expected: [String: (Double, Double)] = [
                "cond_overparam": (m, C * log(n / delta)),
                "cond_samples": (n, C * log(m / delta)),
                "cond_dimension": (d, C * max(n * mu * mu * log(T) / (sp * sp), n * n * log(n * m / delta) * pow(log(T), 2))),
                "cond_signal": (mu * mu, C * sp * sp * log(n / delta)),
                "cond_label_noise": (c["p"]!, 1 / C),
                "cond_init": (c["sigma0"]!, 1 / (C * max(sp * d / n.squareRoot(), log(m / delta).squareRoot() * mu))),
                "cond_step": (c[task == 1 ? "eta" : "eta2"] ?? c["eta"]!, 1 / (C * max(sp * sp * pow(d, 1.5) / (n * n * m * log(n / delta).squareRoot()), sp * sp * d / n))),
            ]
            for cond in report.conditions where cond.task == task {
                let (l, r) = try #require(expected[cond.condition.id])
                let cmp = try cond.result.get()
                #expect(relativeError(cmp.lhs.value, l) < Tolerance.arithmetic, "\(cond.condition.id) task \(task) lhs")
                #expect(relativeError(cmp.rhs.value, r) < Tolerance.arithmetic, "\(cond.condition.id) task \(task) rhs")
                let isLess = cond.condition.relation.op == .lessEqual
                #expect(cmp.holds == (isLess ? l <= r : l >= r) || cmp.outcome == .indeterminate)
                // C_max: every condition is lhs ≥ C·r₀ or lhs ≤ 1/(C·r₀), so C_max = lhs/r₀ or 1/(lhs·r₀),
                // with r₀ the hand-computed side at C = 1 (r/C or r·C).
                let env = Environment.theory(configuration: c, constants: Self.constants, task: task)
                let cMax = try cond.condition.relation(forTask: task).largestConstant("C", in: env)
                let expectedCMax = isLess ? r * C / l : l * C / r
                #expect(relativeError(cMax, expectedCMax) < 1e-12 || (cMax.isInfinite && expectedCMax.isInfinite),
                        "\(cond.condition.id) task \(task): C_max \(cMax) vs \(expectedCMax)")
            }
        }
    }

    /// The binding condition is the one with the smallest C_max; shapes other than a power law
    /// of C go through bisection (x ≥ C + C² at x = 6 has C* = 2 exactly).
    @Test func regimeConstantPicksTheBindingConditionAndSolvesOtherShapes() throws {
        let env = Environment(["x": 6, "p": 0.25, "q": 0])
        let r = try RegimeConstant.of([("a", Relation(parsing: "x >= C + C^2")), ("b", Relation(parsing: "p <= 1/C")),
                                       ("c", Relation(parsing: "q <= 1/C")), ("d", Relation(parsing: "x >= C1"))], in: env)
        #expect(relativeError(r.value, 2) < 1e-12 && r.binding == "a", "\(r)")
        let label = try RegimeConstant.of([("b", Relation(parsing: "p <= 1/C"))], in: env)
        #expect(label.value == 4 && label.binding == "b")
        let none = try RegimeConstant.of([("d", Relation(parsing: "x >= C1"))], in: env)
        #expect(none.value == .infinity && none.binding == nil)
        #expect(try Relation(parsing: "q <= 1/C").largestConstant("C", in: env) == .infinity)
        #expect(relativeError(try Relation(parsing: "x >= 7*C^0.5").largestConstant("C", in: env), 36.0 / 49.0) < 1e-12)
    }

    @Test func everyDefinitionIsWellFormed() throws {
        // Every quantity's identifiers are known to the catalog, so proofs may use them.
        for q in Theory.current.quantities + Theory.current.templates {
            for name in q.formula.identifiers {
                #expect(IdentifierCatalog.standard.contains(name), "\(q.id) uses unknown \(name)")
            }
            #expect(!q.section.isEmpty && !q.units.isEmpty)
        }
        #expect(Set(Theory.current.quantities.map(\.id)).isSuperset(of: [
            "SNR_1", "SNR_2", "Lambda_1", "Lambda_2", "gamma_hat_1", "gamma_hat_2", "SNR_u", "A_u", "B_1", "A_2", "B_2",
            "Gamma", "Gamma_scratch", "Gamma_inherited", "d_star"]))
        #expect(Theory.current.conditions.map(\.id) == ["cond_overparam", "cond_samples", "cond_dimension", "cond_signal",
                                                            "cond_label_noise", "cond_init", "cond_step"])
    }

    @Test func regimesAndNegativeTransfer() throws {
        var c = Self.configs[0]
        let benign = TheoryReport(configuration: c, constants: ["C1": 10, "C3": 1])
        #expect(benign.regime == .benign)                        // Γ ≈ 14.64
        #expect(TheoryReport(configuration: c, constants: ["C1": 20, "C3": 15]).regime == .harmful)
        #expect(TheoryReport(configuration: c, constants: ["C1": 20, "C3": 10]).regime == .between)
        #expect(try benign.negativeTransfer.get().outcome == .fails)   // 14.64 > Γ(0) = 8.45
        // Weak universal signal and many upstream samples: inheriting hurts.
        c["u_norm"] = 0.3
        c["N1"] = 2000
        let negative = TheoryReport(configuration: c)
        #expect(try negative.negativeTransfer.get().holds)
        // At α = 0 the comparison Γ(α) < Γ(0) is an exact tie: never "holds".
        c["alpha"] = 0
        #expect(try TheoryReport(configuration: c).negativeTransfer.get().outcome != .holds)
    }
}

@Suite struct DimensionThresholdTests {
    /// Closed form against Brent root finding on Γ's own definition, on 200 seeded random
    /// configurations: relative 1e-10 (the requirement), and Γ(d*) = C1.
    @Test func closedFormAgreesWithRootFinding() throws {
        var rng = SeededGenerator(seed: 99, stream: "d-star")
        var withThreshold = 0
        for _ in 0..<200 {
            let config: [String: Double] = [
                "d": 400, "N1": Double(1 + rng.next() % 2000), "N2": Double(1 + rng.next() % 200),
                "u_norm": 0.1 + 5 * rng.uniform(), "v1_norm": 5 * rng.uniform(), "v2_norm": 5 * rng.uniform(),
                "sigma_p1": 0.2 + 2 * rng.uniform(), "sigma_p2": 0.2 + 2 * rng.uniform(), "alpha": rng.uniform(),
            ]
            let constants = ["C1": 0.1 + 10 * rng.uniform()]
            let env = Environment.theory(configuration: config, constants: constants)
            let t = try DimensionThreshold(in: env)
            #expect(t.rootFindingFailure == nil)
            if let closed = t.closedForm {
                withThreshold += 1
                let root = try #require(t.rootFinding)
                #expect(relativeError(closed, root) < Tolerance.rootFinding, "d* \(closed) vs Brent \(root)")
                let g = try Formula.variable("Gamma").evaluate(in: env.setting("d", closed)).value
                #expect(relativeError(g, constants["C1"]!) < 1e-11)
            } else {
                #expect(t.rootFinding == nil)
            }
        }
        #expect(withThreshold > 50)   // the sample exercises the threshold case
    }

    /// Issue 11: "relative disagreement -nan" for extreme inputs. Equal answers (0 and 0, or the
    /// same infinity) disagree by 0; answers whose difference is not finite by +∞; never NaN.
    @Test(arguments: [(0.0, 0.0, 0.0), (Double.infinity, Double.infinity, 0.0), (Double.infinity, 1.0, Double.infinity),
                      (1e308, -1e308, Double.infinity), (2.0, 1.0, 0.5)])
    func relativeDisagreementIsNeverNaN(closed: Double, root: Double, expected: Double) throws {
        let config: [String: Double] = ["d": 400, "N1": 100, "N2": 10, "u_norm": 1, "v1_norm": 1, "v2_norm": 1,
                                        "sigma_p1": 1, "sigma_p2": 1, "alpha": 0.5]
        var t = try DimensionThreshold(in: Environment.theory(configuration: config, constants: ["C1": 1]))
        t.closedForm = closed
        t.rootFinding = root
        #expect(t.relativeDisagreement == expected)
    }

    @Test func noThresholdIsReportedAsNone() throws {
        // α = 1 and ‖u‖ tiny: a²/C1 ≤ c′, Γ < C1 at every d.
        let config: [String: Double] = ["d": 400, "N1": 100, "N2": 10, "u_norm": 0.01, "v1_norm": 3, "v2_norm": 1,
                                        "sigma_p1": 1, "sigma_p2": 1, "alpha": 1]
        let report = TheoryReport(configuration: config, constants: ["C1": 1])
        let t = try report.threshold.get()
        #expect(t.closedForm == nil && t.rootFinding == nil)
        let json = report.jsonObject
        #expect(json["quantities"]?.object?["d_star"]?.object?["value"] == .null)
    }
}
