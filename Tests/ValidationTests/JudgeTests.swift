@testable import Bounds
import Foundation
@testable import NumericsCore
@testable import Platform
import Testing
@testable import TheoryTesting
@testable import TransferModel
@testable import Validation
@testable import Vocabulary

@Suite(.serialized)
struct JudgeTests {
    let suite = ValidationFixtures.suite()
    let runs: [RunMeasurements]

    init() async throws { runs = try await ValidationFixtures.runs() }

    @Test func everyStatementGetsAVerdictThatMatchesItsEvidence() throws {
        let library = try ProofLibrary.load(directory: TheoryAssertions.proofsDirectory.path)
        let judgements = try TheoryAssertions.judge(suite, runs: runs)
        #expect(judgements.count == library.statements.count)  // nothing skipped
        let byId = Dictionary(uniqueKeysWithValues: judgements.map { ($0.statement.id, $0) })
        for j in judgements {
            let judged = j.configurations.filter(\.judged)
            switch j.verdict {
            case .holds:
                #expect(judged.contains { $0.verdict == .holds }, "\(j.statement.id)")
                #expect(judged.allSatisfy { [.holds, .notApplicable].contains($0.verdict) }, "\(j.statement.id)")
                #expect(judged.flatMap(\.rows).allSatisfy { $0.outcome == .holds }, "\(j.statement.id)\n\(j.evidenceTable)")
            case .violated:
                #expect(judged.contains { $0.verdict == .violated }, "\(j.statement.id)")
                #expect(judged.flatMap(\.rows).contains { $0.outcome == .violated })
            case .indeterminate:
                #expect(judged.contains { $0.verdict == .indeterminate } || j.probe == nil)
                #expect(!judged.contains { $0.verdict == .violated })
            case .notApplicable:
                #expect(judged.allSatisfy { $0.verdict == .notApplicable })
            case .blocked:
                let culprits = j.statement.uses.filter { [.violated, .blocked].contains(byId[$0]?.verdict) }
                #expect(culprits.contains { j.reason.hasPrefix("uses \($0),") }, "\(j.statement.id): \(j.reason)")
            }
        }
    }

    @Test func exactStatementsHoldOnTheMiniSuite() throws {
        try expectStatement("lemma-decomposition", .holds, on: suite, runs: runs)
        try expectStatement("lemma-noise-norm", .holds, on: suite, runs: runs)
        try expectStatement("lemma-init-norm", .holds, on: suite, runs: runs)
    }

    @Test func aBoundTightenedFarBelowTheMeasurementIsViolatedAndBlocksItsUsers() throws {
        // ‖ξ‖² concentrates at σ²(d − 2); a bound of σ²d/10 is broken by every sample.
        let proofs = try ValidationFixtures.proofsCopy(editing: "lemma-noise-norm.yaml") {
            $0.replacingOccurrences(of: "noise_norm_sq <= 3*sigma_p^2*d/2", with: "noise_norm_sq <= sigma_p^2*d/10")
        }
        let judgements = try TheoryAssertions.judge(suite, runs: runs, proofs: proofs)
        let noise = judgements.first { $0.statement.id == "lemma-noise-norm" }!
        #expect(noise.verdict == .violated, "\(noise.reason)")
        for user in judgements where user.statement.uses.contains("lemma-noise-norm") && user.ownVerdict != .violated {
            #expect(user.verdict == .blocked, "\(user.statement.id) uses lemma-noise-norm")
        }
    }

    @Test func aSabotagedRecordingIsViolated() throws {
        var sabotaged = runs
        sabotaged[0].phases[0].groups[0].decompositionMax = 1e-3      // the rebuild "fails"
        sabotaged[1].phases[2].groups[0].rhoBarMax = 1e9               // a runaway ρ̄ in a scratch run
        try expectStatement("lemma-decomposition", .violated, on: suite, runs: sabotaged)
        let rho = try TheoryAssertions.judge(suite, runs: sabotaged).first { $0.statement.id == "lemma-rho-bar" }!
        #expect(rho.ownVerdict == .violated)
        #expect(rho.configurations.flatMap(\.rows).contains { $0.outcome == .violated && $0.measured.contains("1e+09") })
    }

    /// C_max of lemma-rho-bar by hand for the mini suite (m = 5, n = 30 and 12, T = 60, σ_p = 1,
    /// σ₀ = 0.01, η = 1, δ = 0.05, p = 0): the smallest of the seven conditions' C* over both tasks
    /// (the lemma is judged on upstream and downstream runs).
    static func handRegimeConstant(d: Double, u: Double, v: Double) -> Double {
        let m = 5.0, delta = 0.05, logT = log(60.0), mu2 = u * u + v * v
        return [30.0, 12.0].map { n in
            [m / log(n / delta), n / log(m / delta),
             d / max(n * mu2 * logT, n * n * log(n * m / delta) * logT * logT),
             mu2 / log(n / delta),
             1 / (0.01 * max(d / n.squareRoot(), log(m / delta).squareRoot() * mu2.squareRoot())),
             1 / (1.0 * max(pow(d, 1.5) / (n * n * m * log(n / delta).squareRoot()), d / n))].min()!
        }.min()!
    }
    static let miniGeometry: [String: (Double, Double, Double)] = [
        "benign-a": (120, 2, 1.5), "benign-b": (120, 2.2, 1.5), "benign-alpha-1": (120, 2.2, 1.5), "harmful": (600, 0.1, 0.1)]

    @Test func requiredConstantIsTheLargestRegimeConstantWhereTheClaimFails() throws {
        var sabotaged = runs
        let index = try #require(sabotaged.firstIndex { $0.label == "benign-b" })
        sabotaged[index].phases[2].groups[0].rhoBarMax = 1e9   // a runaway ρ̄ in a scratch run of benign-b
        let j = try #require(try TheoryAssertions.judge(suite, runs: sabotaged).first { $0.statement.id == "lemma-rho-bar" })
        for c in j.configurations {
            let (d, u, v) = try #require(Self.miniGeometry[c.label])
            let hand = Self.handRegimeConstant(d: d, u: u, v: v)
            #expect(abs(c.regimeConstant - hand) <= 1e-12 * hand, "\(c.label): \(c.regimeConstant) vs \(hand), binding \(c.bindingCondition ?? "-")")
        }
        let failing = j.configurations.filter { $0.claimVerdict == .violated }
        #expect(failing.contains { $0.label == "benign-b" } && j.regime.constant == 1e-6)
        let expected = failing.map { Self.handRegimeConstant(d: Self.miniGeometry[$0.label]!.0, u: Self.miniGeometry[$0.label]!.1,
                                                             v: Self.miniGeometry[$0.label]!.2) }.max()!
        let required = try #require(j.regime.requiredConstant)
        #expect(abs(required - expected) <= 1e-12 * expected)
        // Supporting: judged configurations above C_req whose claim holds (recount from the evidence).
        #expect(j.regime.supportingConfigurations
                == j.configurations.filter { $0.judged && $0.claimVerdict == .holds && $0.regimeConstant > required }.count)
        // At C = 1 every configuration is outside lemma-rho-bar's hypotheses, yet C_req is unchanged:
        // it is a property of the runs, not of the suite's C.
        let atOne = ValidationFixtures.suite(ValidationFixtures.suiteYAML.replacingOccurrences(of: "C: 1.0e-6", with: "C: 1"))
        let outside = try #require(try TheoryAssertions.judge(atOne, runs: sabotaged).first { $0.statement.id == "lemma-rho-bar" })
        #expect(outside.verdict == .notApplicable && outside.regime.requiredConstant == required)
        #expect(outside.regime.insideConfigurations == 0 && outside.regime.outsideConfigurations == 4)
        #expect(outside.configurations.allSatisfy { $0.rows.isEmpty && !$0.outsideRows.isEmpty })
    }

    @Test func aHypothesisSwitchedOffMakesTheStatementNotApplicable() throws {
        // C = 10⁶ makes every technical condition fail (e.g. d ≥ C·n²·…).
        let strict = ValidationFixtures.suite(ValidationFixtures.suiteYAML.replacingOccurrences(of: "C: 1.0e-6", with: "C: 1.0e+6"))
        let judgement = try expectStatement("lemma-rho-bar", .notApplicable, on: strict, runs: runs)
        #expect(judgement?.reason.contains("cond_") == true)
        // A statement without hypotheses is unaffected.
        try expectStatement("lemma-decomposition", .holds, on: strict, runs: runs)
    }

    @Test func fittedConstantsComeFromCalibrationAndJudgeHeldOut() throws {
        let judgement = try TheoryAssertions.judge(suite, runs: runs).first { $0.statement.id == "lemma-gamma-growth" }!
        let fit = try #require(judgement.fitted.first { $0.name == "Cprime" })
        // The tightest value under which every calibration configuration holds.
        #expect(fit.calibration.keys.allSatisfy { $0.hasPrefix("benign-a") })
        #expect(abs(fit.value - fit.calibration.values.max()!) <= 1e-12 * fit.value)
        // Independent check: at benign-a, C′ must cover max γ / (γ̂₁ log T₁) for the upstream runs
        // (γ̂₁ = N₁‖μ₁‖²/(σ²d) = 30·6.25/120, T₁ = 60).
        let gammaHat1 = 30 * 6.25 / 120.0
        let upstreamMax = runs.filter { $0.label == "benign-a" }.compactMap { $0.phase(.upstream)?.groups[0].gammaMax }.max()!
        #expect(fit.value >= upstreamMax / (gammaHat1 * log(60)) * (1 - 1e-9))
        #expect(judgement.configurations.filter(\.judged).map(\.label).sorted() == ["benign-alpha-1", "benign-b", "harmful"])
    }
}

struct StatisticsTests {
    @Test func clopperPearsonMatchesClosedFormsAtTheEnds() throws {
        // k = 0: upper bound 1 − (1 − c)^{1/n}; k = n: lower bound (1 − c)^{1/n}.
        for n in [1, 3, 50, 1000] {
            #expect(abs(try BinomialBound.upper(0, n, confidence: 0.99) - (1 - pow(0.01, 1 / Double(n)))) < 1e-12)
            #expect(abs(try BinomialBound.lower(n, n, confidence: 0.99) - pow(0.01, 1 / Double(n))) < 1e-12)
        }
        #expect(try BinomialBound.lower(0, 10, confidence: 0.99) == 0)
        #expect(try BinomialBound.upper(10, 10, confidence: 0.99) == 1)
    }

    @Test func gridCellsAreTheCartesianProductSplitLikeACheckerboard() throws {
        let suite = try ValidationSuite.parse(yaml: "grid: {d: [100, 200, 400], u_norm: [1, 2]}\nconfigurations:\n  - {label: extra, u_norm: 3}\n")
        #expect(suite.configurations.count == 3 * 2 + 1)
        let cell = try #require(suite.configurations.first { $0.label == "d=200,u_norm=2" })
        #expect(cell.config.d == 200 && cell.config.u_norm == 2 && cell.split == .calibration)  // indices 1 + 1 even
        #expect(suite.configurations.first { $0.label == "d=100,u_norm=2" }?.split == .heldOut)
        #expect(throws: ConfigError.self) { try ValidationSuite.parse(yaml: "grid: {d: [0]}") }
    }

    @Test func suiteErrorsNameTheField() {
        #expect(throws: ConfigError.self) { try ValidationSuite.parse(yaml: "configurations: []") }
        do {
            _ = try ValidationSuite.parse(yaml: "configurations:\n  - {label: a, alpha: 3}\n")
            Issue.record("accepted alpha = 3")
        } catch let error as ConfigError {
            #expect(error.field == "configurations[0].alpha")
        } catch { Issue.record("\(error)") }
    }
}

/// Spearman's ρ against hand computations: monotone gives ±1; with a tie, y = (5, 6, 7, 8, 7)
/// has ranks (1, 2, 3.5, 5, 3.5), so ρ = 8/√(10·9.5) = 0.82078268166812…
@Test func spearmanMatchesHandComputations() throws {
    #expect(RankCorrelation.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
    #expect(RankCorrelation.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
    let rho = try #require(RankCorrelation.spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]))
    #expect(abs(rho - 8 / (95.0).squareRoot()) < 1e-15)
    #expect(RankCorrelation.spearman([1, 2, 3], [2, 2, 2]) == nil)   // a constant side has no ranking
}
