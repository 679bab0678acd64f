@testable import NumericsCore
@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

struct TransferPlanTests {
    @Test(arguments: [0.0, 0.25, 0.5, 0.29, 1.0])
    func inheritsExactlyFloorAlphaMFiltersPerClass(alpha: Double) async throws {
        let m = 100
        var rng = SeededGenerator(seed: 1)
        let upstream = FilterBank.gaussian(m: m, d: 5, sigma0: 1, using: &rng)
        let fresh = FilterBank.gaussian(m: m, d: 5, sigma0: 1, using: &rng)
        let result = TransferPlan(alpha: alpha).apply(upstream: upstream, fresh: fresh, using: &rng)
        // Expected counts computed independently in decimal: ⌊α·100⌋.
        let expected = ["0.0": 0, "0.25": 25, "0.5": 50, "0.29": 29, "1.0": 100]["\(alpha)"]!
        for c in 0..<2 {
            #expect(result.inheritedSlots[c].count == expected)
            for r in 0..<m {
                let row = c * m + r
                let wanted = result.inheritedSlots[c].contains(r) ? upstream.weights.row(row) : fresh.weights.row(row)
                #expect(result.filters.weights.row(row) == wanted)
            }
        }
    }

    @Test func freshFiltersPassChiSquareTestForTheirGaussianLaw() async throws {
        // Pearson χ² on 20 equiprobable bins of w/σ₀ (19 degrees of freedom) and the variance
        // statistic Σw²/σ₀² ~ χ²(N): reject at level 1e-4 each (the seed is fixed, so this is a
        // regression check on the sampler with a written-down false-alarm rate). Coordinates are
        // a property of the ℝᵈ draw; the `gram` draw's law is checked through inner products in
        // SampleSpaceTests.
        let config = Fixtures.config("m: 20\nd: 400\nsigma0: 0.05\nalpha: 0.5\nT1: 5\nT2: 0\nsampler: vectors\n")
        let outcome = try await TransferExperiment(config: config).run(phases: [.upstream, .transfer])[1]
        let inheritance = outcome.inheritance!
        var values: [Double] = []
        for k in 0..<(2 * config.m) where !inheritance.isInherited(row: k) {
            values += outcome.run.initial.weights.row(k).map { $0 / config.sigma0 }
        }
        #expect(values.count == 20 * 400)
        let bins = 20
        let edges = try (1..<bins).map { try GSL.normalQuantile(Double($0) / Double(bins)) }
        var counts = [Double](repeating: 0, count: bins)
        for v in values { counts[edges.firstIndex { v < $0 } ?? bins - 1] += 1 }
        let expected = Double(values.count) / Double(bins)
        let pearson = counts.reduce(0) { $0 + ($1 - expected) * ($1 - expected) / expected }
        #expect(try GSL.chiSquaredUpperTail(pearson, degreesOfFreedom: Double(bins - 1)) > 1e-4)
        let sumSquares = values.reduce(0) { $0 + $1 * $1 }
        let lower = try GSL.chiSquaredCDF(sumSquares, degreesOfFreedom: Double(values.count))
        #expect(lower > 0.5e-4 && lower < 1 - 0.5e-4)
    }

    @Test func alphaZeroReproducesScratchBitForBit() async throws {
        let outcomes = try await TransferExperiment(config: Fixtures.config("alpha: 0\np: 0.1\n")).run()
        let transfer = outcomes[1], scratch = outcomes[2]
        #expect(transfer.run.final.weights.storage.map(\.bitPattern) == scratch.run.final.weights.storage.map(\.bitPattern))
        #expect(transfer.testScore == scratch.testScore)
    }

    @Test func variantsDoWhatTheySay() async throws {
        let frozen = try await TransferExperiment(config: Fixtures.config("variant: frozen\n")).run(phases: [.upstream, .transfer])
        let upstreamFinal = frozen[0].run.final.weights, transfer = frozen[1]
        for c in 0..<2 { for r in transfer.inheritance!.inheritedSlots[c] {
            #expect(transfer.run.final.weights.row(c * 4 + r) == upstreamFinal.row(c * 4 + r))
        } }
        let rescaled = try await TransferExperiment(config: Fixtures.config("variant: rescaled\nrescale: 3\n")).run(phases: [.upstream, .transfer])
        let slot = rescaled[1].inheritance!.inheritedSlots[0][0]
        #expect(rescaled[1].run.initial.weights.row(slot) == rescaled[0].run.final.weights.row(slot).map { 3 * $0 })
        let weight = try await TransferExperiment(config: Fixtures.config("variant: weight\nalpha: 0.5\n")).run(phases: [.upstream, .transfer])[1]
        #expect(weight.inheritance!.inheritedCoordinates == [2 * 60, 2 * 60])  // ⌊0.5 · 4 · 60⌋
        let random = try await TransferExperiment(config: Fixtures.config("variant: random_slots\nalpha: 1\n")).run(phases: [.upstream, .transfer])[1]
        #expect(Set(random.inheritance!.sources.values).count == 8)  // every upstream filter used once
    }

    @Test func scratchBaselineDoesNotDependOnWhatTransferInherits() async throws {
        // Scratch shares the downstream data, fresh draw and test set with transfer, and its test
        // draw is factored first (fresh filters and training noises lead the Cholesky order), so
        // its outputs must not change with α or the variant. Tolerance: rounding of the Gram
        // assembly (different matrix shapes in the BLAS calls), relative 1e-9.
        for sampler in ["vectors", "gram"] {
          let reference = try await TransferExperiment(config: Fixtures.config("alpha: 0\nsampler: \(sampler)\n")).run()[2]
          // The weight-level variant copies coordinates, which only the ℝᵈ draw has.
          let weight = sampler == "vectors" ? ["variant: weight\n"] : []
          for extra in ["alpha: 0.5\n", "alpha: 1\n", "variant: random_slots\nalpha: 0.75\n", "variant: frozen\n"] + weight {
            let scratch = try await TransferExperiment(config: Fixtures.config(extra + "sampler: \(sampler)\n")).run()[2]
            #expect(scratch.test.labels == reference.test.labels, "\(extra)")
            let scale = reference.testOutputs.map(abs).max()!
            let worst = zip(scratch.testOutputs, reference.testOutputs).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-9 * scale, "\(extra): max |Δf| = \(worst)")
            #expect(scratch.testScore == reference.testScore, "\(extra)")
          }
        }
    }
}

/// The ranking rules pick the filters their score names, in their own slots, without random draws.
struct RankedTransferTests {
    /// Upstream filters along e₁ with chosen coefficients, μ₁ = e₁: class +1 scores its coefficient,
    /// class −1 minus it. With α = ½ and m = 4 the two best of each class are inherited.
    @Test func topSignalTakesTheMostAlignedFiltersOfEachClass() {
        let m = 4, d = 3
        let coefficients: [Double] = [0.1, 0.9, -0.5, 0.7,  /* class −1 */ 0.3, -0.8, -0.2, 0.6]
        var upstream = Matrix(rows: 2 * m, cols: d)
        for (k, a) in coefficients.enumerated() { upstream[k, 0] = a; upstream[k, 2] = 1 }
        var rng = SeededGenerator(seed: 3)
        let fresh = FilterBank.gaussian(m: m, d: d, sigma0: 1, using: &rng)
        let before = rng
        let result = TransferPlan(alpha: 0.5, variant: .top_signal)
            .apply(upstream: FilterBank(m: m, weights: upstream), fresh: fresh, upstreamSignal: [1, 0, 0], using: &rng)
        #expect(result.inheritedSlots == [[1, 3], [1, 2]])   // +1: 0.9, 0.7; −1: −0.8, −0.2 (signed 0.8, 0.2)
        #expect(result.filters.weights.row(1) == upstream.row(1) && result.filters.weights.row(m + 1) == upstream.row(m + 1))
        #expect(result.filters.weights.row(0) == fresh.weights.row(0))
        var after = rng, unchanged = before
        #expect(after.next() == unchanged.next())   // no random draw consumed
    }

    /// A whole experiment runs with each ranking rule and inherits ⌊αm⌋ filters per class.
    @Test(arguments: [TransferVariant.top_signal, .top_snr])
    func rankingRulesRunEndToEnd(variant: TransferVariant) async throws {
        let config = Fixtures.config("m: 6\nd: 200\nN1: 20\nN2: 10\nT1: 30\nT2: 30\nalpha: 0.5\nvariant: \(variant.rawValue)\n")
        let outcomes = try await TransferExperiment(config: config).run(phases: [.upstream, .transfer])
        let inheritance = try #require(outcomes[1].inheritance)
        #expect(inheritance.inheritedSlots.map(\.count) == [3, 3])
    }
}

/// `transfer_noise`: N(0, s²) on every inherited coordinate and nowhere else; 0 draws nothing.
struct TransferNoiseTests {
    /// With s = 0.3, the 2·25·40 = 2 000 differences inherited − upstream have Σz²/s² ~ χ²(2 000):
    /// a CDF outside [1e-4, 1 − 1e-4] (GSL) has probability 2·10⁻⁴ (fixed seed: a regression check
    /// with a written-down false-alarm rate). Fresh rows are the fresh draw exactly.
    @Test func noiseHasItsLawOnInheritedCoordinatesOnly() throws {
        let m = 50, d = 40, s = 0.3
        var rng = SeededGenerator(seed: 11)
        let upstream = FilterBank.gaussian(m: m, d: d, sigma0: 1, using: &rng)
        let fresh = FilterBank.gaussian(m: m, d: d, sigma0: 1, using: &rng)
        let result = TransferPlan(alpha: 0.5, noise: s).apply(upstream: upstream, fresh: fresh, using: &rng)
        var sum = 0.0, count = 0
        for row in 0..<(2 * m) {
            if result.isInherited(row: row) {
                for (a, b) in zip(result.filters.weights.row(row), upstream.weights.row(row)) { sum += (a - b) * (a - b) / (s * s); count += 1 }
            } else {
                #expect(result.filters.weights.row(row) == fresh.weights.row(row))
            }
        }
        #expect(count == 2_000)
        let cdf = try GSL.chiSquaredCDF(sum, degreesOfFreedom: 2_000)
        #expect(cdf > 1e-4 && cdf < 1 - 1e-4, "Σz²/s² = \(sum): χ²(2 000) CDF \(cdf)")
    }

    @Test func theReducedDrawRefusesIt() throws {
        #expect(throws: ConfigError.self) { try ExperimentConfig.parse(yaml: "transfer_noise: 0.1\nsampler: gram\nd: 5000\n") }
        #expect(try ExperimentConfig.parse(yaml: "transfer_noise: 0.1\nd: 5000\n").resolvedSampler == .vectors)
        #expect(try ExperimentConfig.parse(yaml: "d: 5000\n").resolvedSampler == .gram)
    }
}
