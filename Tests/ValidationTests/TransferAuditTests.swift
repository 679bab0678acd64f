@testable import Bounds
import Foundation
@testable import NumericsCore
import Testing
@testable import TransferModel
@testable import Validation
@testable import Vocabulary

/// `ptv audit`'s core: paired differences, their intervals, and what counts as a regression.
struct TransferAuditTests {
    static let suite = """
        name: audit-mini
        seeds: [0, 1, 2]
        constants: {C: 1.0e-6, C1: 2, C3: 0.1, epsilon: 0.05}
        base: {d: 120, m: 5, N1: 30, N2: 12, T1: 60, T2: 60, n_test: 400, record_every: 10, alpha: 0.6}
        configurations:
          - {label: benign, split: calibration, u_norm: 2, v1_norm: 1.5, v2_norm: 1.5}
          - {label: benign-vectors, split: held-out, u_norm: 2.2, v1_norm: 1.5, v2_norm: 1.5, sampler: vectors}
          - {label: harmful, split: held-out, u_norm: 0.1, v1_norm: 0.1, v2_norm: 0.1, d: 600}
        """

    static func rule(_ yaml: String) throws -> AuditedRule {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-audit-rule-\(getpid())-\(yaml.hashValue).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return try AuditedRule.named(url.path, option: "variant")
    }

    static func audit(_ variant: AuditedRule) async throws -> AuditResult {
        let library = try ValidationSession.library(at: ProofLibrary.bundledDirectory)
        let audit = try TransferAudit(suite: ValidationSuite.parse(yaml: suite), variant: variant,
                                      baseline: AuditedRule.named("filter", option: "against"), library: library, workers: 2)
        return try await audit.run { _ in }
    }

    /// Algorithm 1 spelled out as a composition (random selection, fraction α, scale 1) against
    /// `filter`: every paired difference is exactly 0 and no verdict changes.
    @Test func algorithmOneSpelledOutDiffersByNothing() async throws {
        let result = try await Self.audit(try Self.rule("name: spelled-out\nselection: random\nfraction: 0.6\ntransform: {scale: 1}\n"))
        #expect(result.audit.variant.name == "spelled-out")
        #expect(result.comparisons.count == 3)
        for c in result.comparisons {
            #expect(c.versusBaseline == (try PairedDifference([0, 0, 0])), "\(c.label)")
            #expect(c.versusBaseline.count == 3 && c.outcome == "indistinguishable")
            #expect(c.gammaHat.count == 0 || (c.gammaHat.mean == 0 && c.gammaHat.lower == 0 && c.gammaHat.upper == 0), "\(c.label)")
            #expect(c.variantError == c.baselineError)
        }
        #expect(result.verdicts.allSatisfy { $0.variant.verdict == $0.baseline.verdict })
        #expect(result.regressions.isEmpty)
    }

    /// A different rule on the same seeds: the pairing holds (upstream and scratch shared, else
    /// the audit throws), scratch errors agree, and variant − scratch is the per-seed difference.
    @Test func frozenIsPairedWithFilter() async throws {
        let result = try await Self.audit(try AuditedRule.named("frozen", option: "variant"))
        for (k, c) in result.comparisons.enumerated() {
            let v = result.variantRuns.filter { $0.label == c.label }, b = result.baselineRuns.filter { $0.label == c.label }
            #expect(v.map { $0.phase(.scratch)!.testError } == b.map { $0.phase(.scratch)!.testError })
            let expected = zip(v, b).map { $0.0.phase(.transfer)!.testError - $0.1.phase(.transfer)!.testError }
            #expect(abs(c.versusBaseline.mean - expected.reduce(0, +) / 3) <= 1e-15, "configuration \(k)")
        }
    }

    /// The interval against a table value: differences 1, 2, 3, 4 have mean 2.5 and s = √(5/3);
    /// t₀.₉₉₅,₃ = 5.8409 (Student's t table), so the 99 % interval is 2.5 ± 5.8409·s/2 = 2.5 ± 3.7703.
    @Test func pairedIntervalMatchesTheTTable() throws {
        let d = try PairedDifference([1, 2, 3, 4], confidence: 0.99)
        #expect(d.mean == 2.5)
        #expect(abs((d.upper - d.mean) - 3.7703) <= 1e-4 && abs((d.mean - d.lower) - 3.7703) <= 1e-4)
        #expect(d.sign == 0)
        #expect(try PairedDifference([0.1, 0.1, 0.1]).sign == 1)          // no spread: exact
        #expect(try PairedDifference([-1]).lower == -.infinity)           // one pair: unbounded
        #expect(try PairedDifference([.nan, .infinity]).count == 0)       // nothing finite measured
    }
}
