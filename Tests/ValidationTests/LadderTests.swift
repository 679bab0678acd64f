@testable import Bounds
import Foundation
@testable import NumericsCore
import Testing
@testable import TheoryTesting
@testable import TransferModel
@testable import Validation
@testable import Vocabulary

/// The ladder verdict rule (docs/theory.md §8b) on hand-made rungs: each case states the rung
/// outcomes and margins, and the verdict the rule's table gives them.
struct LadderVerdictRuleTests {
    /// A rung with one configuration per (label, C_max, verdict, worst relative margin).
    static func rung(_ c: Double, _ outcome: RungOutcome, _ configurations: [(String, Double, Verdict, Double)]) -> LadderRung {
        LadderRung(constant: c, configurations: configurations.map {
            RungConfiguration(label: $0.0, reached: true, constant: $0.1, binding: "cond_step_2", verdict: $0.2, worstRelativeMargin: $0.3)
        }, outcome: outcome)
    }

    @Test func holdingAtTheSuitesConstantIsHolds() {
        let ladder = StatementLadder(id: "s", rungs: [Self.rung(1, .holds, [("a", 1.1, .holds, 0.2)])], chased: false)
        #expect(ladder.verdict == .holds)
    }

    @Test func failingBelowAndHoldingFromARungIsHoldsFromItsRealConstant() {
        let ladder = StatementLadder(id: "s", rungs: [
            Self.rung(1, .violated, [("a", 1.12, .violated, -0.04)]),
            Self.rung(2, .violated, [("a", 2.03, .violated, -0.01)]),
            Self.rung(4, .holds, [("a", 4.2, .holds, 0.05)]),
            Self.rung(8, .holds, [("a", 8.1, .holds, 0.08)]),
        ], chased: true)
        #expect(ladder.verdict == .holdsFrom)
        #expect(ladder.holdsFrom == 4.2)   // the C the runs at that rung satisfy, not the nominal 4
    }

    @Test func aRelapseAtTheTopIsNotHoldsFrom() {
        // Holds at 2, violated at 4 and 8 with a flat excess: the top two judged rungs are violated.
        let ladder = StatementLadder(id: "s", rungs: [
            Self.rung(1, .violated, [("a", 1.1, .violated, -0.10), ("b", 1.2, .violated, -0.20)]),
            Self.rung(2, .holds, [("a", 2.1, .holds, 0.01), ("b", 2.2, .holds, 0.02)]),
            Self.rung(4, .violated, [("a", 4.1, .violated, -0.11), ("b", 4.2, .violated, -0.19)]),
            Self.rung(8, .violated, [("a", 8.1, .violated, -0.10), ("b", 8.3, .violated, -0.21)]),
        ], chased: true)
        #expect(ladder.verdict == .violatedPersistent)
    }

    @Test func aFlatExcessAtTheTopTwoRungsIsPersistent() throws {
        // Margins that wander around −0.3 without a trend: the slope's interval covers 0.
        let ladder = StatementLadder(id: "s", rungs: [
            Self.rung(1, .violated, [("a", 1.1, .violated, -0.30), ("b", 1.05, .violated, -0.50)]),
            Self.rung(2, .violated, [("a", 2.1, .violated, -0.32), ("b", 2.05, .violated, -0.47)]),
            Self.rung(4, .violated, [("a", 4.1, .violated, -0.29), ("b", 4.05, .violated, -0.52)]),
        ], chased: true)
        #expect(ladder.verdict == .violatedPersistent)
        let trend = try #require(ladder.trend)
        #expect(trend.lower < 0 && trend.upper > 0)
    }

    @Test func anExcessRisingTowardZeroIsShrinkingWithItsVanishingConstant() throws {
        // Two configurations on exact lines y = a + 0.1·ln C: the slope is 0.1 with no residual,
        // so its interval is the point 0.1 (> 0) and each line reaches 0 at C = exp(−a/0.1).
        let a1 = -0.4, a2 = -0.3
        let cs = [1.0, 2.0, 4.0, 8.0]
        let ladder = StatementLadder(id: "s", rungs: cs.map { c in
            Self.rung(c, .violated, [("a", c, .violated, a1 + 0.1 * log(c)), ("b", c, .violated, a2 + 0.1 * log(c))])
        }, chased: true)
        #expect(ladder.verdict == .violatedShrinking)
        let trend = try #require(ladder.trend)
        #expect(abs(trend.slope - 0.1) < 1e-12)
        #expect(abs(try #require(trend.vanishingConstant) - exp(4)) < 1e-9 * exp(4))   // the later of e⁴ and e³
    }

    @Test func violatedOnlyAtTheTopRungIsIndeterminate() {
        let ladder = StatementLadder(id: "s", rungs: [
            Self.rung(1, .indeterminate, [("a", 1.1, .indeterminate, -0.01)]),
            Self.rung(2, .holds, [("a", 2.1, .holds, 0.01)]),
            Self.rung(4, .violated, [("a", 4.1, .violated, -0.02)]),
        ], chased: true)
        #expect(ladder.verdict == .indeterminate)
    }

    @Test func judgedAtNoRungIsBlockedAndBlockedRungsDoNotCount() {
        let blocked = StatementLadder(id: "s", rungs: [
            LadderRung(constant: 1, configurations: [], outcome: .blocked),
            LadderRung(constant: 2, configurations: [], outcome: .blocked),
        ], chased: true)
        #expect(blocked.verdict == .blocked)
        // Blocked at the suite's C, holding where what it uses holds: holds from there.
        let later = StatementLadder(id: "s", rungs: [
            LadderRung(constant: 1, configurations: [], outcome: .blocked),
            Self.rung(2, .holds, [("a", 2.5, .holds, 0.3)]),
        ], chased: true)
        #expect(later.verdict == .holdsFrom)
        #expect(later.holdsFrom == 2.5)
    }

    @Test func unreachedRungsAreSkipped() {
        let ladder = StatementLadder(id: "s", rungs: [
            Self.rung(1, .violated, [("a", 1.1, .violated, -0.3)]),
            Self.rung(2, .violated, [("a", 2.1, .violated, -0.3)]),
            LadderRung(constant: 4, configurations: [RungConfiguration(label: "a", reached: false, constant: 3.33, binding: "cond_label_noise_2",
                                                                       verdict: nil, worstRelativeMargin: nil)], outcome: .unreachable),
        ], chased: true)
        #expect(ladder.verdict == .violatedPersistent)   // the top two rungs reached are 1 and 2
    }
}

/// The trend's fit against an independent computation: the normal equations of the full
/// design (one intercept per configuration and a common slope) solved by Gaussian elimination,
/// and the Student-t quantile t_{0.995, 5} = 4.032143 from a printed table.
struct LadderTrendTests {
    @Test func slopeAndIntervalMatchTheNormalEquations() throws {
        let data: [(String, Double, Double)] = [("a", 1.1, -0.30), ("a", 2.0, -0.22), ("a", 4.3, -0.25), ("a", 8.0, -0.12),
                                                ("b", 1.0, -0.50), ("b", 2.2, -0.41), ("b", 4.0, -0.44), ("b", 8.5, -0.31)]
        let trend = try #require(LadderTrend.fit(data.map { ($0.0, log($0.1), $0.2) }))
        // Design columns: [a?, b?, ln C]; solve XᵀX β = Xᵀy.
        var normal = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 3)
        for (label, c, y) in data {
            let row = [label == "a" ? 1.0 : 0, label == "b" ? 1.0 : 0, log(c)]
            for i in 0..<3 { for j in 0..<3 { normal[i][j] += row[i] * row[j] }; normal[i][3] += row[i] * y }
        }
        for pivot in 0..<3 {
            for r in 0..<3 where r != pivot {
                let factor = normal[r][pivot] / normal[pivot][pivot]
                for c in 0..<4 { normal[r][c] -= factor * normal[pivot][c] }
            }
        }
        let beta = (0..<3).map { normal[$0][3] / normal[$0][$0] }
        var rss = 0.0
        for (label, c, y) in data {
            let r = y - ((label == "a" ? beta[0] : beta[1]) + beta[2] * log(c))
            rss += r * r
        }
        // Var(slope) = σ² (XᵀX)⁻¹[2][2]; with per-group intercepts that is σ² / S_xx within groups.
        var sxx = 0.0
        for label in ["a", "b"] {
            let xs = data.filter { $0.0 == label }.map { log($0.1) }
            let mean = xs.reduce(0, +) / Double(xs.count)
            sxx += xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        }
        let half = 4.032143 * (rss / 5 / sxx).squareRoot()
        #expect(trend.degreesOfFreedom == 5)
        #expect(abs(trend.slope - beta[2]) < 1e-12)
        #expect(abs(trend.lower - (beta[2] - half)) < 1e-5)
        #expect(abs(trend.upper - (beta[2] + half)) < 1e-5)
    }

    @Test func noConfigurationWithTwoConstantsHasNoTrend() {
        #expect(LadderTrend.fit([("a", 0, -0.1), ("b", 0.7, -0.2)]) == nil)
    }
}

/// Lifting raises m and n where the conditions on them alone demand it (docs/theory.md §6a).
struct LadderLiftTests {
    /// quick.yaml's harmful configuration (m = 10, N₁ = N₂ = 20, δ = 0.05): at C = 4,
    /// m ≥ 4 log(20κ/δ) and 20κ ≥ 4 log(m/δ) need more than m = 10 and κ = 1.
    static let harmful: ExperimentConfig = {
        var c = ExperimentConfig()
        (c.d, c.m, c.N1, c.N2, c.u_norm, c.v1_norm, c.v2_norm, c.p) = (12_000_000, 10, 20, 20, 1.7602234735867868, 1.7602234735867868, 1.7602234735867868, 0.1)
        (c.sigma0, c.eta, c.eta2, c.T1, c.T2, c.record_every, c.delta) = (3.3e-07, 2.1e-07, 2.1e-07, 158731, 158731, 15874, 0.05)
        return c
    }()

    @Test func sizesAreTheSmallestThatMeetTheConditionsAndKeepTheClocks() async throws {
        let original = Self.harmful
        let lift = try await ConfigurationLift([original], constant: 4, check: false)
        let lifted = lift.lifted[0]
        let kappa = lifted.N1 / original.N1
        // Both size conditions hold at C = 4, computed here from their definitions.
        func overparam(_ m: Int, _ n: Int) -> Bool { Double(m) >= 4 * log(Double(n) / 0.05) }
        func samples(_ n: Int, _ m: Int) -> Bool { Double(n) >= 4 * log(Double(m) / 0.05) }
        #expect(overparam(lifted.m, lifted.N1) && samples(lifted.N2, lifted.m))
        // The smallest: one filter fewer fails m ≥ C log(n/δ); with κ − 1 no m′ satisfies both.
        #expect(!overparam(lifted.m - 1, lifted.N1))
        if kappa > 1 {
            let n = original.N1 * (kappa - 1)
            let m = Int((4 * log(Double(n) / 0.05)).rounded(.up))
            #expect(!samples(n, m))
        }
        #expect(lifted.N1 == kappa * original.N1 && lifted.N2 == kappa * original.N2)
        // Λ₁, Λ₂ and Γ(0) unchanged by the whole lift (relative 1e-9); Γ(α) by the sizes stage
        // (its v₁ term is not invariant under d → λd with the norms × λ^{1/4}, docs/theory.md §6a).
        for id in ["Lambda_1", "Lambda_2", "Gamma_scratch"] {
            let before = lift.before[0][id]!
            #expect(abs(lift.after[0][id]! - before) <= 1e-9 * abs(before), "\(id)")
        }
        let sized = try ConfigurationLift.sizes([original], constant: 4)[0]
        func gamma(_ c: ExperimentConfig) throws -> Double {
            try Formula.variable("Gamma").evaluate(in: Environment.theory(configuration: c.numericValues, constants: c.effectiveConstants)).value
        }
        #expect(abs(try gamma(sized) - gamma(original)) <= 1e-12 * abs(try gamma(original)))
        #expect(sized.m == lifted.m && sized.N1 == lifted.N1)
        #expect(lift.regimeConstants[0].value >= 4)
        // Each task's clock η_k σ_k² d T_k / (n_k m) is kept, up to rounding T up by one step.
        for task in 1...2 {
            func clock(_ c: ExperimentConfig) -> Double {
                c.eta(task: task) * Double(c.d) * Double(task == 1 ? c.T1 : c.T2) / Double((task == 1 ? c.N1 : c.N2) * c.m)
            }
            let step = lifted.eta(task: task) * Double(lifted.d) / Double((task == 1 ? lifted.N1 : lifted.N2) * lifted.m)
            #expect(clock(lifted) >= clock(original) && clock(lifted) < clock(original) + step, "task \(task)")
        }
    }

    @Test func aFamilySharesItsSizes() async throws {
        var other = Self.harmful
        other.N1 = 40
        let lift = try await ConfigurationLift([Self.harmful, other], constant: 4, check: false)
        #expect(lift.lifted[0].m == lift.lifted[1].m)
        #expect(lift.lifted[1].N1 == 2 * lift.lifted[0].N1 && lift.lifted[0].N2 == lift.lifted[1].N2)
        #expect(lift.lifted[0].d == lift.lifted[1].d)
    }

    @Test func labelNoiseSetsTheCeiling() throws {
        var noisy = Self.harmful
        noisy.p = 0.3
        let ceiling = try ConfigurationLift.ceiling(of: [noisy])
        #expect(abs(ceiling.value - 1 / 0.3) < 1e-12)
        #expect(ceiling.binding?.hasPrefix("cond_label_noise") == true)
    }
}

/// Suites name their ladder, checked like every other key.
struct LadderSuiteTests {
    static let configurations = "configurations:\n  - {label: a}\n"

    @Test func aLadderIsRead() throws {
        let suite = try ValidationSuite.parse(yaml: "ladder: [2, 4, 8]\n" + Self.configurations)
        #expect(suite.ladder == [2, 4, 8])
    }

    @Test(arguments: [
        ("ladder: [4, 2]\n", "ladder[1]"),
        ("ladder: [1]\n", "ladder[0]"),
        ("constants: {C: 2}\nladder: [2]\n", "ladder[0]"),
        ("ladder: ['2']\n", "ladder[0]"),
        ("ladder: [.inf]\n", "ladder[0]"),
        ("ladder: 2\n", "ladder"),
        ("ladder: []\n", "ladder"),
    ])
    func badLaddersAreRefusedNamingTheField(yaml: String, field: String) {
        expectRefused(field) { _ = try ValidationSuite.parse(yaml: yaml + Self.configurations) }
    }

    @Test func theOptionIsParsedAndChecked() throws {
        #expect(try ConstantLadder.parse("2, 4,8", field: "--ladder") == [2, 4, 8])
        expectRefused("--ladder[1]") { _ = try ConstantLadder.parse("2,x", field: "--ladder") }
        expectRefused("--ladder[0]") { try ConstantLadder(rungs: [0.5]).check(above: 1, field: "--ladder") }
    }
}

/// Two planted statements in a copy of proofs/, chased up a ladder on real runs; the expected
/// verdicts are derived inside the test from the runs' own files (ρ̄ and T* of every instance),
/// not from the ladder's output.
@Suite(.serialized)
struct PlantedLadderTests {
    /// quick.yaml's `benign` configuration with a shorter clock (T₂ = 10⁵ instead of 176 115, T₁
    /// in proportion) so that a debug build runs it in seconds; seeds 1 and 4 are two in which a
    /// downstream training sample's ρ̄ reaches its top plateau (≈ 44 at this clock), above
    /// 4 log T* − 3 ≈ 43 at C = 1.
    static let benign = """
        {label: benign, split: held-out, d: 23000000, m: 10, N1: 80, N2: 20, u_norm: 30.970410146824726, v1_norm: 23.227807610118546, \
        v2_norm: 23.227807610118546, sigma_p1: 1.0, sigma_p2: 1.0, p: 0.0, sigma0: 1.7e-07, eta: 3.3e-07, eta2: 7.9e-08, T1: 6000, T2: 100000, \
        alpha: 0.5, delta: 0.05, n_test: 1000, record_every: 1000}
        """

    static func statement(_ id: String, _ claim: String) -> String {
        """
        id: \(id)
        title: "planted: \(claim)"
        provenance: reconstruction
        source: "test fixture"
        uses: []
        hypotheses: [cond_overparam, cond_samples, cond_dimension, cond_signal, cond_label_noise, cond_init, cond_step]
        claim: ["\(claim)"]
        constants: [C]
        probe: lemma-rho-bar
        """
    }

    /// A proofs folder with the theory file and the given statements only.
    static func proofs(_ statements: [(String, String)]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-ladder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TheoryAssertions.proofsDirectory.appendingPathComponent("theory.yaml"),
                                         to: folder.appendingPathComponent("theory.yaml"))
        for (id, claim) in statements {
            try Self.statement(id, claim).write(to: folder.appendingPathComponent("\(id).yaml"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// (largest ρ̄_max over the instances, [(ρ̄_max, T*) per instance]) of the runs in `folder`.
    static func instances(in folder: URL) throws -> [(rho: Double, steps: Double)] {
        let decoder = RunMeasurements.decoder()
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.flatMap { file -> [(rho: Double, steps: Double)] in
                let run = try decoder.decode(RunMeasurements.self, from: Data(contentsOf: file))
                return run.phases.flatMap { phase in
                    phase.groups.filter { phase.groups.count == 1 || $0.group != FilterGroup.all.rawValue }
                        .map { ($0.rhoBarMax, Double(phase.steps)) }
                }
            }
    }

    @Test func aFalseBoundPersistsAndALogBoundHoldsOnceTStarHasGrown() async throws {
        let proofs = try Self.proofs([("planted-persistent", "rho_bar_max <= 10"),
                                      ("planted-holds-from", "rho_bar_max <= 4*log(T_star) - 3")])
        let folder = proofs.deletingLastPathComponent().appendingPathComponent("ptv-ladder-report-\(UUID().uuidString)")
        let suiteFile = folder.appendingPathExtension("yaml")
        try "name: planted\nseeds: [1, 4]\nconstants: {epsilon: 0.05}\nladder: [2]\nconfigurations:\n  - \(Self.benign)\n"
            .write(to: suiteFile, atomically: true, encoding: .utf8)
        let session = try ValidationSession(suiteFile: suiteFile, proofsDirectory: proofs, output: folder, workers: 2)
        let report = try await session.run { _ in }
        let runs = folder.appendingPathComponent("runs")
        let rungs = [runs, runs.appendingPathComponent("ladder/C=2")].map { try! Self.instances(in: $0) }
        #expect(rungs.allSatisfy { $0.count == 2 * 4 })   // 2 seeds × (upstream, scratch, inherited, fresh)

        // Why the verdicts follow from the lift. T* grows with the rung: the lift keeps each
        // task's clock η σ² d T/(n m) while the conditions shrink η, so T rises.
        let steps = rungs.map { Set($0.map(\.steps)).sorted() }
        #expect(zip(steps[0], steps[1]).allSatisfy { $0 < $1 })
        // ρ̄ does not rise with it: it grows like the log of the clock, which the lift keeps
        // (it falls here, as the lift raises m from 10 to 17 and more filters share each sample).
        let rho = rungs.map { $0.map(\.rho).max()! }
        #expect(rho[1] <= rho[0])
        // So ρ̄_max ≤ 10 fails at both rungs (ρ̄ ≫ 10), and ρ̄_max ≤ 4 log T* − 3 fails at C = 1
        // and holds at C = 2 — per instance, as computed from the runs here:
        let persistent = rungs.map { $0.contains { $0.rho > 10 } }
        let logBound = rungs.map { $0.contains { $0.rho > 4 * log($0.steps) - 3 } }
        #expect(persistent == [true, true])
        #expect(logBound == [true, false])

        let byId = Dictionary(uniqueKeysWithValues: report.ladders.map { ($0.id, $0) })
        let falseBound = try #require(byId["planted-persistent"])
        #expect(falseBound.verdict == .violatedPersistent, "\(falseBound.reason)")
        let grows = try #require(byId["planted-holds-from"])
        #expect(grows.verdict == .holdsFrom, "\(grows.reason)")
        // C₀ is the C the rung's runs satisfy (≥ the nominal 2).
        #expect(try #require(grows.holdsFrom) >= 2)
        #expect(grows.holdsFrom == grows.rungs[1].reachedConstant)
        #expect(report.isEvidenceAgainst)

        // summary.json carries the ladder as documented.
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any])
        let statements = try #require(summary["statements"] as? [[String: Any]])
        let entry = try #require(statements.first { $0["id"] as? String == "planted-holds-from" }?["ladder"] as? [String: Any])
        #expect(entry["verdict"] as? String == "holds-from")
        #expect((entry["rungs"] as? [Double]) == [1, 2])
        let perRung = try #require(entry["per_rung"] as? [[String: Any]])
        #expect(perRung.map { $0["verdict"] as? String } == ["violated", "holds"])
        #expect(perRung.allSatisfy { $0["C_max"] is Double && $0["binding_condition"] is String && $0["worst_relative_margin"] is Double })
    }

    /// The reduced small configuration (m = 8, N₁ = 20, N₂ = 10, δ = 0.5) placed at C = 1, with
    /// p = 0.45: its ceiling is 1/0.45 ≈ 2.22, so it reaches C = 2 and not C = 3.
    static let noisy = """
        {label: noisy, split: held-out, d: 220000, m: 8, N1: 20, N2: 10, u_norm: 9.715595521393098, v1_norm: 9.715595521393098, \
        v2_norm: 9.715595521393098, p: 0.45, sigma0: 1.2e-05, eta: 5.3e-05, eta2: 1.2e-05, T1: 2000, T2: 2000, alpha: 0.5, delta: 0.5, \
        n_test: 200, record_every: 100}
        """

    @Test func aRungBeyondTheCeilingIsReportedWithItsBindingCondition() async throws {
        let proofs = try Self.proofs([("planted-persistent", "rho_bar_max <= 1")])
        let folder = proofs.deletingLastPathComponent().appendingPathComponent("ptv-ladder-report-\(UUID().uuidString)")
        let suiteFile = folder.appendingPathExtension("yaml")
        try "name: ceiling\nseeds: [0, 1]\nconstants: {epsilon: 0.1}\nladder: [2, 3]\nconfigurations:\n  - \(Self.noisy)\n"
            .write(to: suiteFile, atomically: true, encoding: .utf8)
        let report = try await ValidationSession(suiteFile: suiteFile, proofsDirectory: proofs, output: folder, workers: 2).run { _ in }
        let ladder = try #require(report.ladders.first)
        #expect(ladder.rungs.map(\.outcome) == [.violated, .violated, .unreachable])
        let top = try #require(ladder.rungs[2].configurations.first)
        #expect(!top.reached)
        #expect(abs(try #require(top.constant) - 1 / 0.45) < 1e-9)
        #expect(top.binding?.hasPrefix("cond_label_noise") == true)
        let page = try String(contentsOf: folder.appendingPathComponent("lemmas/planted-persistent.html"), encoding: .utf8)
        #expect(page.contains("cannot reach C = 3") && page.contains("cond_label_noise"))
        // Violated at 1 and 2, the two rungs reached.
        #expect(ladder.verdict == .violatedPersistent, "\(ladder.reason)")
    }
}
