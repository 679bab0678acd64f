@testable import NumericsCore
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The analytic gradient of docs/theory.md §3 against central finite differences of the loss.
struct GradientTests {
    @Test(arguments: [PatchLayout.combined, .separate])
    func gradientMatchesCentralDifferences(layout: PatchLayout) {
        let config = Fixtures.config("layout: \(layout.rawValue)\np: 0.2\nsigma0: 0.3\n")
        let experiment = TransferExperiment(config: config)
        var rng = SeededGenerator(seed: 11)
        let data = experiment.distribution(task: 1).sample(12, using: &rng)
        let bank = FilterBank.gaussian(m: config.m, d: data.dimension, sigma0: config.sigma0, using: &rng)
        let analytic = bank.gradient(data, pass: bank.forward(data))
        // h = 1e-6: truncation error O(h²) ≈ 1e-12 and rounding O(ε/h) ≈ 1e-10 relative to the
        // loss (≈ 0.7); a ReLU kink inside ±h would break the comparison, and with σ₀ = 0.3 the
        // nearest pre-activation is far from 0 at this seed (checked below).
        let h = 1e-6
        let z = bank.preactivations(data).storage.map(abs).min()!
        #expect(z > 10 * h * 10)
        var worst = 0.0
        for k in [0, 3, 5, 7] {
            for c in stride(from: 0, to: data.dimension, by: 7) {
                var plus = bank, minus = bank
                plus.weights[k, c] += h
                minus.weights[k, c] -= h
                let numeric = (plus.forward(data).score.loss - minus.forward(data).score.loss) / (2 * h)
                worst = max(worst, abs(numeric - analytic[k, c]))
            }
        }
        #expect(worst < 1e-8, "max |numeric − analytic| = \(worst)")
    }

    @Test func lossAndDerivativeAreStableForLargeMargins() {
        // e^{−700} ≈ 9.9e-305 is still a normal Double: a naive 1 − 1/(1+e^{−z}) would give 0.
        #expect(Logistic.loss(700) > 0 && Logistic.loss(700) < 1e-300)
        #expect(Logistic.derivative(700) < 0 && Logistic.derivative(700) > -1e-300)
        #expect(abs(Logistic.loss(-1000) - 1000) < 1e-9)
        #expect(Logistic.derivative(-1000) == -1)
        // ℓ′ equals the derivative of ℓ (central difference, away from overflow).
        for z in [-20.0, -1, 0, 0.5, 30] {
            let numeric = (Logistic.loss(z + 1e-6) - Logistic.loss(z - 1e-6)) / 2e-6
            #expect(abs(numeric - Logistic.derivative(z)) < 1e-8)
        }
    }
}
