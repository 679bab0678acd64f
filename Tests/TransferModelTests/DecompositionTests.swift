@testable import NumericsCore
import Testing
@testable import TransferModel

/// docs/theory.md §5: the recorded γ, ρ̄, ρ̲ rebuild every filter to rounding error, at every step.
struct DecompositionTests {
    static let cases: [String] = [
        "layout: combined\n", "layout: separate\n", "layout: combined\np: 0.2\n", "layout: separate\np: 0.3\nv_overlap: 0.5\n",
        "variant: weight\n", "variant: frozen\n", "variant: rescaled\nrescale: 2.5\n", "variant: random_slots\n",
    ]

    @Test(arguments: cases)
    func decompositionRebuildsWeightsAtEveryRecordedStep(extra: String) async throws {
        let outcomes = try await TransferExperiment(config: Fixtures.config(extra)).run()
        for outcome in outcomes {
            #expect(outcome.run.snapshots.count == outcome.run.steps / 5 + 1)
            for snapshot in outcome.run.snapshots {
                // 1e-9 is the tolerance docs/theory.md §7 (lemma-decomposition) fixes for Double;
                // observed values are ~1e-15 (accumulated rounding over ≤ 40 steps).
                #expect(snapshot.decompositionRelativeError <= 1e-9,
                        "\(outcome.phase) step \(snapshot.step): \(snapshot.decompositionRelativeError)")
            }
        }
    }

    @Test func coefficientSignsFollowTheUpdateRules() async throws {
        // Without label noise ρ̄ ≥ 0 ≥ ρ̲ always, and γ ≥ 0 (every term of its update is ≥ 0).
        let outcome = try await TransferExperiment(config: Fixtures.config()).run(phases: [.upstream])[0]
        let last = outcome.run.snapshots.last!
        #expect(last.rhoBar.storage.allSatisfy { $0 >= 0 })
        #expect(last.rhoUnder.storage.allSatisfy { $0 <= 0 })
        #expect(last.gamma[0].allSatisfy { $0 >= 0 })
        #expect(last.gamma[0].max()! > 0)  // the signal was learned
        // The recorded raw inner products are those of the final filters.
        let w = outcome.run.final.weights
        let u = TransferExperiment(config: Fixtures.config()).probes.u
        #expect(abs(last.innerU[2] - BLAS.dot(w.row(2), u)) < 1e-12)
    }
}
