//===--- Provenance.swift -------------------------------------------------===//

/// Where a quantity, condition or statement comes from (docs/theory.md, table before §1).
public enum Provenance: String, Sendable, CaseIterable, Codable {
    /// Stated in the paper's summary: the setting, Algorithm 1, m ≥ C log(n/δ), the
    /// d-threshold shape of Theorem 4.2.
    case paper
    /// A number read off the paper's experiments (a gain in points at the paper's scale), judged
    /// as a claim about the scale of the runs: a miss is a finding about scale, not about the paper.
    case paperClaim = "paper (claim)"
    /// The Kou et al. 2023 / Cao et al. 2022 statement, applied per task.
    case predecessor
    /// The project's extension to two tasks (the transfer quantities Γ): a hypothesis the
    /// suite tests, never a fact.
    case reconstruction
}
