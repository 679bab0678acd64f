import Foundation
@testable import NumericsCore
import Testing
@testable import TransferModel

/// The reduced draw (docs/theory.md §2a): its Bartlett factor, its space, and its numerics at d = 10¹².
struct SampleSpaceTests {
    /// L is lower triangular with a positive diagonal, and E[L Lᵀ] = (d − 3)·I (Wishart mean):
    /// averaged over 400 seeds at d = 1000, K = 50, each diagonal entry of L Lᵀ/(d − 3) has mean 1
    /// and s.d. √(2/(d − 3))/√400 ≈ 0.0022; off-diagonal entries have mean 0 and s.d. ≈ 0.0016.
    /// Bounds of 5 s.d. on the grand means.
    @Test func bartlettFactorHasTheWishartMean() {
        let k = 50, nu = 997, seeds = 400
        var diagonal = 0.0, offDiagonal = 0.0
        for seed in 0..<UInt64(seeds) {
            let l = SampleSpace.bartlettFactor(size: k, degreesOfFreedom: nu, seed: seed)
            for i in 0..<k {
                #expect(l[i, i] > 0)
                for j in (i + 1)..<k { #expect(l[i, j] == 0) }
            }
            let g = BLAS.product(l, l, transB: true)
            for i in 0..<k { diagonal += g[i, i] / Double(nu) }
            for i in 1..<k { offDiagonal += g[i, i - 1] / Double(nu) }
        }
        let meanDiagonal = diagonal / Double(seeds * k), meanOff = offDiagonal / Double(seeds * (k - 1))
        #expect(abs(meanDiagonal - 1) < 5 * (2.0 / Double(nu)).squareRoot() / Double(seeds * k).squareRoot(), "\(meanDiagonal)")
        #expect(abs(meanOff) < 5 / Double(nu).squareRoot() / Double(seeds * (k - 1)).squareRoot(), "\(meanOff)")
    }

    /// The experiment's vectors live in ℝ^{3+K}, the frame carries the signals, and noise is
    /// exactly orthogonal to u and v_k there.
    @Test func gramSpaceHoldsTheExperiment() async throws {
        let config = try ExperimentConfig.parse(yaml: "d: 5000\nm: 3\nN1: 12\nN2: 7\nT1: 5\nT2: 5\nn_test: 50\nsampler: gram\nv_overlap: 0.3\n")
        let experiment = TransferExperiment(config: config)
        #expect(experiment.space.sampler == .gram && experiment.space.dimension == 3 + 12 + 7 + 12)
        #expect(abs(BLAS.dot(experiment.geometry.v1Hat, experiment.geometry.v2Hat) - 0.3) < 1e-15)
        let outcomes = try await experiment.run()
        for outcome in outcomes {
            let data = outcome.train, task = outcome.distribution
            #expect(data.dimension == experiment.space.dimension && task.nominalDimension == 5000)
            for i in 0..<data.count {
                let xi = data.noise.row(i)
                #expect(abs(BLAS.dot(xi, task.u)) <= 1e-12 * BLAS.norm(xi) * BLAS.norm(task.u))
                #expect(abs(BLAS.dot(xi, task.v)) <= 1e-12 * BLAS.norm(xi) * BLAS.norm(task.v))
            }
        }
    }

    /// d = 10¹² in Float64: noise norms within 6 s.d. of σ²(d − 2) (relative s.d. √(2/d) ≈ 1.4·10⁻⁶,
    /// so a χ² draw that lost its digits, or a norm summed in Float32, would show), noise inner
    /// products of order σ²√d, the decomposition still exact (≤ 1e-9) and every output finite.
    @Test func aTrillionDimensionsKeepTheirDigits() async throws {
        let d = 1_000_000_000_000.0, sigma = 1.5
        let config = try ExperimentConfig.parse(yaml: """
            d: 1e12\nm: 4\nN1: 16\nN2: 8\nT1: 30\nT2: 30\nn_test: 200\nsigma_p1: 1.5\nsigma_p2: 1.5\n\
            u_norm: 2000\nv1_norm: 1500\nv2_norm: 1500\neta: 1e-13\nsigma0: 1e-7\nsampler: gram\n
            """)
        let outcomes = try await TransferExperiment(config: config).run()
        let upstream = outcomes[0]
        for normSq in upstream.run.noiseNormsSq {
            #expect(abs(normSq / (sigma * sigma * (d - 2)) - 1) <= 6 * (2 / d).squareRoot(), "\(normSq)")
        }
        let noise = upstream.train.noise
        for i in 0..<noise.rows { for j in 0..<i {
            #expect(abs(BLAS.dot(noise.row(i), noise.row(j))) / (sigma * sigma * d.squareRoot()) < 6)
        } }
        for outcome in outcomes {
            #expect(outcome.metrics.values.allSatisfy { $0.isFinite }, "\(outcome.phase)")
            #expect(outcome.metrics["decomposition_max_rel_error"]! <= 1e-9)
            #expect(outcome.testOutputs.allSatisfy { $0.isFinite })
        }
    }
}

/// The example of TransferModel.docc/TransferModel.md, compiled and run (keep the two equal).
struct TransferModelDocumentationExampleTests {
    @Test func theLandingPageExampleRuns() async throws {
        let config = try ExperimentConfig.parse(yaml: "d: 1e9\nN1: 40\nN2: 10\nm: 5\nsampler: gram\n")
        var phases: [Phase] = []
        for outcome in try await TransferExperiment(config: config).run() {
            print(outcome.phase, outcome.testScore.error, outcome.run.snapshots.last!.gamma)
            phases.append(outcome.phase)
        }
        #expect(phases == [.upstream, .transfer, .scratch])
    }
}
