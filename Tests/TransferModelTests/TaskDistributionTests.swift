@testable import NumericsCore
import Testing
@testable import TransferModel
@testable import Vocabulary

struct TaskDistributionTests {
    @Test(arguments: [PatchLayout.combined, .separate])
    func noiseIsOrthogonalToTheTaskSignals(layout: PatchLayout) {
        let config = Fixtures.config("layout: \(layout.rawValue)\nv_overlap: 0.6\nsigma_p1: 3\nsigma_p2: 2\n")
        let experiment = TransferExperiment(config: config)
        let probes = experiment.probes
        for task in [1, 2] {
            var rng = SeededGenerator(seed: 2)
            let data = experiment.distribution(task: task).sample(50, using: &rng)
            let v = task == 1 ? probes.v1 : probes.v2
            for i in 0..<data.count {
                let xi = data.noise.row(i)
                // Relative to ‖ξ‖‖a‖: exact projection leaves only rounding (~1e-16·√d).
                let scale = BLAS.norm(xi)
                #expect(abs(BLAS.dot(xi, probes.u)) <= 1e-12 * scale * BLAS.norm(probes.u))
                #expect(abs(BLAS.dot(xi, v)) <= 1e-12 * scale * BLAS.norm(v))
                #expect(data.patches.row(i * data.patchCount + data.patchCount - 1) == xi)
            }
        }
        // Geometry: u ⊥ v_k and the configured overlap between v₁ and v₂.
        #expect(abs(BLAS.dot(experiment.geometry.uHat, experiment.geometry.v2Hat)) < 1e-12)
        #expect(abs(BLAS.dot(experiment.geometry.v1Hat, experiment.geometry.v2Hat) - 0.6) < 1e-12)
    }

    @Test func labelFlipRateWithinBinomialBound() {
        // n = 20 000, p = 0.2: the flip count is Binomial(n, p) with s.d. √(np(1−p)) ≈ 56.6.
        // 4.5 s.d. bounds it with probability 1 − 7e-6.
        let config = Fixtures.config("p: 0.2\n")
        var rng = SeededGenerator(seed: 9)
        let data = TransferExperiment(config: config).distribution(task: 2).sample(20_000, using: &rng)
        let flips = zip(data.labels, data.trueLabels).filter { $0 != $1 }.count
        let n = 20_000.0, p = 0.2
        #expect(abs(Double(flips) - n * p) <= 4.5 * (n * p * (1 - p)).squareRoot(), "flips = \(flips)")
        // Signal patches carry the true label.
        let mu = TransferExperiment(config: config).distribution(task: 2).mu
        #expect(data.patches.row(0) == mu.map { data.trueLabels[0] * $0 })
    }

    @Test func seedsDetermineEverything() async throws {
        let a = try await TransferExperiment(config: Fixtures.config("seed: 4\n")).run()
        let b = try await TransferExperiment(config: Fixtures.config("seed: 4\n")).run()
        let c = try await TransferExperiment(config: Fixtures.config("seed: 5\n")).run()
        for (x, y) in zip(a, b) {
            #expect(x.train.patches == y.train.patches && x.test.labels == y.test.labels)
            #expect(x.run.final.weights.storage.map(\.bitPattern) == y.run.final.weights.storage.map(\.bitPattern))
        }
        #expect(a[0].train.patches != c[0].train.patches)
        #expect(a[1].run.initial.weights != c[1].run.initial.weights)
    }
}
