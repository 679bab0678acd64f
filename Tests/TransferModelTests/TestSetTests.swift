import Foundation
@testable import NumericsCore
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The reduced test-set representation (``TestSet``; docs/theory.md §2, §5): the materialised noise
/// has the law N(0, σ²P_k), the reduced coordinates are its inner products with the spanning
/// vectors, and scores from either representation agree.
struct TestSetTests {
    /// A task of `config` and `r` Gaussian spanning vectors (rows) with the given scales.
    static func spanning(_ r: Int, d: Int, seed: UInt64, scale: Double = 1) -> Matrix {
        var rng = SeededGenerator(seed: seed, stream: "spanning")
        return Matrix(rows: r, cols: d, storage: rng.gaussians(count: r * d, standardDeviation: scale))
    }

    static func draw(_ n: Int, task: TaskDistribution, spanning: Matrix, seed: UInt64 = 1) -> TestSet {
        var rng = SeededGenerator(seed: seed, stream: "test")
        return TestSet.draw(n, of: task, spanning: spanning, using: &rng, complementSeed: seed, complementStream: "complement")
    }

    /// max_{t,j} |a_tj − ⟨Pv_j, ξ_t⟩| / (‖Pv_j‖ ‖ξ_t‖) between the reduced coordinates and the
    /// materialised vectors.
    static func coordinateMismatch(_ test: TestSet, _ xi: Matrix) -> Double {
        let span = test.spanVectors, spanInner = test.spanInner
        let direct = BLAS.product(xi, span, transB: true)
        let spanNorms = (0..<span.rows).map { BLAS.norm(span.row($0)) }
        let largest = spanNorms.max() ?? 1
        var worst = 0.0
        for t in 0..<test.count {
            let xiNorm = BLAS.norm(xi.row(t))
            for j in 0..<span.rows {
                // Relative to ‖ξ_t‖ ‖v_j‖, floored at 1e-6 max_j ‖v_j‖ (a v_j projected to 0 has no scale of its own).
                let scale = max(xiNorm * max(spanNorms[j], 1e-6 * largest), 1e-300)
                worst = max(worst, abs(spanInner[t, j] - direct[t, j]) / scale)
            }
        }
        return worst
    }

    /// d = 60, r = 24 < d − 2 (reduced draw): ξ_t ⊥ û, v̂_k to 1e-12 relative; ‖ξ_t‖²/σ² passes a
    /// Kolmogorov–Smirnov test against χ²(58) (critical value 1.95/√n, level 0.1 %) and its mean is
    /// within 4.5 standard errors of 58; a_t = ⟨v_j, ξ_t⟩ to 1e-12.
    @Test(arguments: [PatchLayout.combined, .separate])
    func materialisedNoiseHasTheTaskLaw(layout: PatchLayout) throws {
        let config = Fixtures.config("layout: \(layout.rawValue)\nv_overlap: 0.4\nsigma_p2: 1.7\nsampler: vectors\n")
        let experiment = TransferExperiment(config: config)
        let task = experiment.distribution(task: 2)
        let d = config.d, n = 4000, sigma = 1.7
        let test = Self.draw(n, task: task, spanning: Self.spanning(24, d: d, seed: 3))
        #expect(test.isReduced && test.factor?.rank == 24)
        let xi = test.materialisedNoise()
        let directions = task.noiseNullDirections
        var normsSq: [Double] = []
        for t in 0..<n {
            let row = xi.row(t), norm = BLAS.norm(row)
            for e in directions { #expect(abs(BLAS.dot(row, e)) <= 1e-12 * norm) }
            normsSq.append(norm * norm / (sigma * sigma))
        }
        let k = Double(d - 2)
        let mean = normsSq.reduce(0, +) / Double(n)
        #expect(abs(mean - k) <= 4.5 * (2 * k / Double(n)).squareRoot(), "mean ‖ξ‖²/σ² = \(mean), expected \(k)")
        let sorted = normsSq.sorted()
        var ks = 0.0
        for (i, x) in sorted.enumerated() {
            let cdf = try GSL.chiSquaredCDF(x, degreesOfFreedom: k)
            ks = max(ks, abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n)))
        }
        #expect(ks <= 1.95 / Double(n).squareRoot(), "KS distance \(ks)")
        #expect(Self.coordinateMismatch(test, xi) <= 1e-12)
    }

    /// d = 10, three spanning vectors, n = 40 000, σ = 1.5: every entry of the sample covariance of
    /// ξ_t is within 5 standard errors of σ²P_k, the standard error of entry (a, b) being
    /// √((Σ_aa Σ_bb + Σ_ab²)/n) for Gaussian data (Σ = σ²P_k).
    @Test func coordinateCovarianceMatchesTheProjector() {
        let config = Fixtures.config("d: 10\nsigma_p1: 1.5\n")
        let experiment = TransferExperiment(config: config)
        let task = experiment.distribution(task: 1)
        let d = 10, n = 40_000, sigma = 1.5
        let test = Self.draw(n, task: task, spanning: Self.spanning(3, d: d, seed: 5), seed: 7)
        #expect(test.isReduced)
        let xi = test.materialisedNoise()
        let sample = BLAS.product(xi, transA: true, xi)
        let u = experiment.geometry.uHat, v = experiment.geometry.v1Hat
        var worst = 0.0
        for a in 0..<d {
            for b in 0..<d {
                func sigmaP(_ i: Int, _ j: Int) -> Double { sigma * sigma * ((i == j ? 1 : 0) - u[i] * u[j] - v[i] * v[j]) }
                let se = ((sigmaP(a, a) * sigmaP(b, b) + sigmaP(a, b) * sigmaP(a, b)) / Double(n)).squareRoot()
                let z = abs(sample[a, b] / Double(n) - sigmaP(a, b)) / se
                worst = max(worst, z)
            }
        }
        #expect(worst <= 5, "largest standardised covariance deviation \(worst)")
    }

    /// A singular spanning set — a repeated vector and one inside span{û, v̂_k} (projected to 0) —
    /// takes the pivoted factor; the coordinates still match the materialised vectors.
    @Test func singularSpanningSetsArePivoted() {
        let config = Fixtures.config("sampler: vectors\n")
        let experiment = TransferExperiment(config: config)
        let task = experiment.distribution(task: 1)
        let d = config.d
        var rows = Self.spanning(5, d: d, seed: 11).storage
        rows += Array(rows[0..<d])
        rows += zip(experiment.geometry.uHat, experiment.geometry.v1Hat).map { 2 * $0 - $1 }
        let test = Self.draw(500, task: task, spanning: Matrix(rows: 7, cols: d, storage: rows))
        #expect(test.factor?.pivoted == true && test.factor?.rank == 5)
        let xi = test.materialisedNoise()
        #expect(Self.coordinateMismatch(test, xi) <= 1e-10)
        let spanInner = test.spanInner
        for t in 0..<test.count { #expect(abs(spanInner[t, 6]) <= 1e-12 * BLAS.norm(xi.row(t))) }
    }

    /// r ≥ d − 2: the noises are drawn directly in ℝᵈ, and the coordinates are their inner products.
    @Test func wideSpanningSetsDrawDirectly() {
        let config = Fixtures.config("d: 20\n")
        let task = TransferExperiment(config: config).distribution(task: 1)
        let test = Self.draw(50, task: task, spanning: Self.spanning(18, d: 20, seed: 2))
        #expect(!test.isReduced)
        #expect(Self.coordinateMismatch(test, test.materialisedNoise()) <= 1e-12)
    }

    /// Scores from the reduced representation equal scores from the materialised vectors:
    /// max_t |Δf_t| ≤ 1e-9 · max_{t,k,q} |⟨w_k, x_t^{(q)}⟩| and identical predictions, in every phase.
    @Test(arguments: ["layout: combined\n", "layout: separate\np: 0.2\n", "variant: weight\n", "alpha: 1\nvariant: rescaled\nrescale: 2\n",
                      "N1: 60\n"])
    func reducedScoresEqualMaterialisedScores(extra: String) async throws {
        let outcomes = try await TransferExperiment(config: Fixtures.config(extra + "engine: coefficients\n")).run()
        for outcome in outcomes {
            let vectors = outcome.test.materialised()
            let pre = outcome.run.final.preactivations(vectors)
            let scale = pre.storage.map(abs).max() ?? 1
            let direct = outcome.run.final.outputs(fromPreactivations: pre, patchCount: vectors.patchCount)
            let gap = zip(direct, outcome.testOutputs).map { abs($0 - $1) }.max() ?? 0
            #expect(gap <= 1e-9 * scale, "\(extra) \(outcome.phase): max |Δf| = \(gap), scale \(scale)")
            #expect(direct.map { $0 > 0 } == outcome.testOutputs.map { $0 > 0 }, "\(extra) \(outcome.phase)")
            #expect(Score(outputs: direct, data: vectors).error == outcome.testScore.error)
        }
        // Transfer and scratch share one test set.
        #expect(outcomes[1].test.labels == outcomes[2].test.labels && outcomes[1].test.spanInner == outcomes[2].test.spanInner)
    }

    /// The test set does not depend on which downstream phases run.
    @Test func scratchAloneSeesTheSameTestSet() async throws {
        let config = Fixtures.config()
        let all = try await TransferExperiment(config: config).run()
        let scratchOnly = try await TransferExperiment(config: config).run(phases: [.upstream, .scratch])
        #expect(scratchOnly[1].phase == .scratch)
        #expect(scratchOnly[1].testOutputs == all[2].testOutputs)
    }
}
