import Foundation
import NumericsCore
import TransferModel
import Vocabulary

/// Times the weight-space and coefficient-space engines on the same config in one process
/// (data generation, the three phases and test scoring included) and checks they agree.
package struct EngineBenchmark: Sendable {
    package struct Timing: Sendable {
        package let engine: TrainingEngine
        /// Best wall time of the whole run over the repeats, seconds.
        package let seconds: Double
        /// Training seconds per phase in the best repeat.
        package let phaseSeconds: [Phase: Double]
        package let testErrors: [Phase: Double]
        let finalFilters: [Phase: Matrix]
    }

    package let config: ExperimentConfig
    package let repeats: Int

    package init(config: ExperimentConfig, repeats: Int) {
        self.config = config
        self.repeats = max(1, repeats)
    }

    /// Run the experiment `repeats` times with `engine` and keep the fastest.
    package func time(_ engine: TrainingEngine) async throws -> Timing {
        var config = self.config
        config.engine = engine
        var best: Timing?
        for _ in 0..<repeats {
            let start = Date()
            let outcomes = try await TransferExperiment(config: config).run()
            let seconds = Date().timeIntervalSince(start)
            if best == nil || seconds < best!.seconds {
                var phase: [Phase: Double] = [:], errors: [Phase: Double] = [:], filters: [Phase: Matrix] = [:]
                for o in outcomes {
                    phase[o.phase] = o.run.seconds
                    errors[o.phase] = o.testScore.error
                    filters[o.phase] = o.run.final.weights
                }
                best = Timing(engine: engine, seconds: seconds, phaseSeconds: phase, testErrors: errors, finalFilters: filters)
            }
        }
        return best!
    }

    /// Largest relative Frobenius difference of the final filters over the phases.
    package static func filterDifference(_ a: Timing, _ b: Timing) -> Double {
        var worst = 0.0
        for (phase, wa) in a.finalFilters {
            guard let wb = b.finalFilters[phase] else { continue }
            var diff = 0.0, norm = 0.0
            for k in wa.storage.indices {
                diff += (wa.storage[k] - wb.storage[k]) * (wa.storage[k] - wb.storage[k])
                norm += wb.storage[k] * wb.storage[k]
            }
            worst = max(worst, norm > 0 ? (diff / norm).squareRoot() : diff.squareRoot())
        }
        return worst
    }

    /// The configuration of the performance target: d = 4000, N₁ = 200, N₂ = 20,
    /// m = 20, 200 steps per phase, every other key at its default.
    package static var targetConfig: ExperimentConfig {
        var c = ExperimentConfig()
        c.d = 4000; c.N1 = 200; c.N2 = 20; c.m = 20; c.T1 = 200; c.T2 = 200
        // Vectors in ℝᵈ, as the NumPy reference computes them (the reduced draw is timed apart).
        c.sampler = .vectors
        return c
    }
}
