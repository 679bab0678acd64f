import Foundation
import Testing
import TheoryTesting
import Validation

/// Records a two-configuration suite (small d: a test of the machinery, not of the theorems)
/// and asserts two statements' verdicts. Changing an expected verdict makes the test fail with
/// the statement's evidence table: `EXAMPLE_EXPECT=violated swift test` shows it.
struct DecompositionTests {
    static let suite = try! ValidationSuite.parse(yaml: """
        name: example
        seeds: [0, 1]
        base: {d: 120, m: 5, N1: 30, N2: 12, T1: 60, T2: 60, n_test: 300, record_every: 10}
        configurations:
          - {label: a, split: calibration, u_norm: 2, v1_norm: 1.5, v2_norm: 1.5}
          - {label: b, split: held-out, u_norm: 2.2, v1_norm: 1.5, v2_norm: 1.5}
        """)

    @Test func theRecordedDecompositionIsExact() async throws {
        let runs = try await TheoryAssertions.record(Self.suite)
        let expected = Verdict(rawValue: ProcessInfo.processInfo.environment["EXAMPLE_EXPECT"] ?? "holds") ?? .holds
        try expectStatement("lemma-decomposition", expected, on: Self.suite, runs: runs)
        // At C = 1 these small configurations are outside the dynamics lemmas' hypotheses.
        try expectStatement("lemma-rho-bar", .notApplicable, on: Self.suite, runs: runs)
    }
}
