import Testing
@testable import TransferModel

/// End-of-training test error in a clearly benign and a clearly harmful configuration (THEORY
/// §7, Theorem 4.2's two regimes, checked with margins far larger than the sampling error).
struct RegimeTests {
    @Test func benignConfigurationReachesBayesError() throws {
        // Strong signal (‖μ‖² = 13 ≫ σ_p²·log n), d = 400 ≥ N²: Λ₂ = 8.5. With n_test = 4000
        // the test error's s.d. is ≤ √(0.11·0.89/4000) ≈ 0.005, so p + 0.02 leaves 4 s.d.
        let outcomes = try TransferExperiment(config: try ExperimentConfig.parse(yaml: "p: 0.1\nn_test: 4000\n")).run()
        for outcome in outcomes {
            #expect(outcome.run.trainScore.error == 0, "\(outcome.phase) interpolates")
            #expect(outcome.testScore.error <= 0.1 + 0.02, "\(outcome.phase): \(outcome.testScore.error)")
        }
    }

    @Test func harmfulConfigurationStaysNearChance() throws {
        // Tiny signal (‖μ‖ = 0.28) and d = 2000: the fit is noise memorisation only.
        let config = try ExperimentConfig.parse(yaml: """
            u_norm: 0.2\nv1_norm: 0.2\nv2_norm: 0.2\nd: 2000\nN1: 20\nN2: 20\np: 0.1\nn_test: 4000\nT1: 100\nT2: 100
            """)
        for outcome in try TransferExperiment(config: config).run() {
            #expect(outcome.testScore.error >= 0.1 + 0.1, "\(outcome.phase): \(outcome.testScore.error)")
        }
    }
}
