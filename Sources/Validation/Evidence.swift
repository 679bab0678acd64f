import Bounds

/// One row of a statement's evidence table.
public struct EvidenceRow: Sendable, Codable {
    /// The instance ("seed 0 · upstream · fresh", "3 seeds pooled", …).
    public var instance: String
    /// The relation checked, in Unicode math.
    public var relation: String
    /// What was measured (value, or interval for statistical measurements) and the bound.
    public var measured: String
    public var bound: String
    /// Signed margin (positive: the claim holds) with its absolute error; relative = margin / max(|lhs|, |rhs|).
    public var margin: Double
    public var absoluteError: Double
    public var relativeMargin: Double
    public var outcome: Verdict
    /// Extra facts (violation counts, exact probabilities, …).
    public var note: String
}

/// A statement's evidence at one configuration.
public struct ConfigurationEvidence: Sendable, Codable {
    public var label: String
    public var split: String
    /// Whether this configuration is judged (held-out when constants are fitted; all otherwise).
    public var judged: Bool
    public var verdict: Verdict
    /// Hypotheses that failed (for `not-applicable`), or are indeterminate, with the instance.
    public var hypothesisNotes: [String]
    /// Each hypothesis, evaluated on the configuration (task of the statement's instances).
    public var hypotheses: [HypothesisCheck]
    public var rows: [EvidenceRow]
}

/// A hypothesis evaluated at a configuration.
public struct HypothesisCheck: Sendable, Codable {
    public var hypothesis: String
    public var lhs: Double
    public var rhs: Double
    public var outcome: String
}

/// A constant fitted on the calibration split (THEORY.md §8).
public struct FittedConstant: Sendable, Codable {
    public var name: String
    /// The value used on the held-out split: the most permissive value any calibration
    /// configuration needed (so that every calibration configuration holds).
    public var value: Double
    /// The value each calibration configuration needed, by label.
    public var calibration: [String: Double]
    /// The value each held-out configuration would have needed (for the spread).
    public var heldOut: [String: Double]
    /// Whether larger values of the constant make the claim easier to satisfy.
    public var largerIsWeaker: Bool

    /// max/min of the needed values over both splits (1 = one constant fits all exactly).
    public var spread: Double? {
        let all = Array(calibration.values) + Array(heldOut.values)
        guard let lo = all.min(), let hi = all.max(), lo > 0 else { return nil }
        return hi / lo
    }
}

/// The judgement of one statement over a suite.
public struct StatementJudgement: Sendable {
    public var statement: ProofStatement
    public var probe: Probe?
    public var verdict: Verdict
    /// The verdict of the statement's own evidence, before `blocked` is applied.
    public var ownVerdict: Verdict
    /// Why (the violated dependency for `blocked`, the failing hypotheses for `not-applicable`, …).
    public var reason: String
    public var fitted: [FittedConstant]
    public var configurations: [ConfigurationEvidence]
    /// Claims that no judged configuration produced evidence for (listed, never dropped silently).
    public var claimsWithoutEvidence: [String]
    /// A log-linear certificate that the hypotheses imply the claim, when the checker finds one.
    public var certificate: String?
}
