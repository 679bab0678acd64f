import Foundation
import NumericsCore
import TransferModel
import Vocabulary

/// The coefficient engine's effective rate at in-regime shapes: an upstream phase of T steps
/// trained in the exact coordinates (sampler gram, d = 10⁶, record: final), timed, against its
/// estimated work 2·T·2m·K² floating-point operations (K = N₁ + P − 1;
/// `TrainingEngine.estimatedMultiplyAdds`). Compared with ``MachinePeak`` by `ptv bench`.
package enum CoefficientRate {
    package struct Shape: Sendable {
        package let samples: Int
        package let filtersPerClass: Int
        package let steps: Int
        /// K, the coefficient vectors' length.
        package var k: Int { samples + PatchLayout.combined.patchCount - 1 }
    }

    /// K ≈ 30, 130, 500 with 2m = 10, 40, 130: the ends and the middle of the in-regime range.
    package static let shapes = [Shape(samples: 29, filtersPerClass: 5, steps: 20_000),
                                 Shape(samples: 129, filtersPerClass: 20, steps: 2_000),
                                 Shape(samples: 499, filtersPerClass: 65, steps: 100)]

    /// GFLOP/s of the upstream phase's training at `shape`, best of `repeats`.
    package static func gflops(_ shape: Shape, repeats: Int) async throws -> Double {
        var config = ExperimentConfig()
        (config.d, config.N1, config.m, config.T1, config.T2) = (1_000_000, shape.samples, shape.filtersPerClass, shape.steps, 1)
        (config.sampler, config.engine, config.record, config.n_test, config.eta) = (.gram, .coefficients, .final, 100, 0.1)
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let outcomes = try await TransferExperiment(config: config).run()
            if let upstream = outcomes.first(where: { $0.phase == .upstream }) { best = min(best, upstream.run.seconds) }
        }
        let k = Double(shape.k)
        return 2 * Double(shape.steps) * 2 * Double(shape.filtersPerClass) * k * k / best / 1e9
    }
}
