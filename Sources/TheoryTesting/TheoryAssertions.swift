import Bounds
import Foundation
import Testing
import TransferModel
import Validation

/// Theory assertions for tests: run a small suite, judge a statement of `proofs/` on it, and
/// fail with the evidence table when the verdict is not the one expected.
///
/// ```swift
/// @Test func decompositionIsExact() throws {
///     try expectStatement("lemma-decomposition", .holds, on: suite)
/// }
/// ```
public enum TheoryAssertions {
    /// The package's statements and theory file (`proofs/`, docs/theory.md §6–§7), from the Bounds
    /// module's resource bundle, so they are found from any package that depends on this one.
    /// Pass another folder as `proofs:` to judge modified statements or another theory.
    public static let proofsDirectory: URL = ProofLibrary.bundledDirectory

    /// Run every configuration × seed of `suite` (in parallel) and return the runs.
    public static func record(_ suite: ValidationSuite, workers: Int = 2) async throws -> [RunMeasurements] {
        try await SuiteRunner(suite: suite, workers: workers).run { _, _ in }
    }

    /// Judge statements (all of `proofs`, so `uses` can block) on recorded runs, under the
    /// folder's theory.
    public static func judge(_ suite: ValidationSuite, runs: [RunMeasurements],
                             proofs: URL = proofsDirectory) throws -> [StatementJudgement] {
        let library = try ProofLibrary.load(directory: proofs.path, probes: Set(Probe.catalog.keys))
        return try Theory.$current.withValue(library.theory) { try Judge(suite: suite, runs: runs).judge(library.statements) }
    }
}

/// Expect statement `id` to get `verdict` on `runs` of `suite`; on a mismatch, record an issue
/// carrying the statement's reason and evidence table. Returns the judgement.
@discardableResult
public func expectStatement(_ id: String, _ verdict: Verdict, on suite: ValidationSuite, runs: [RunMeasurements],
                            proofs: URL = TheoryAssertions.proofsDirectory,
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> StatementJudgement? {
    let judgements = try TheoryAssertions.judge(suite, runs: runs, proofs: proofs)
    guard let judgement = judgements.first(where: { $0.statement.id == id }) else {
        Issue.record("no statement '\(id)' in \(proofs.path)", sourceLocation: sourceLocation)
        return nil
    }
    if judgement.verdict != verdict {
        Issue.record("\(id): expected \(verdict.rawValue), got \(judgement.verdict.rawValue) — \(judgement.reason)\n\(judgement.evidenceTable)",
                     sourceLocation: sourceLocation)
    }
    return judgement
}
