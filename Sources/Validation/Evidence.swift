import Bounds

/// One row of a statement's evidence table.
package struct EvidenceRow: Sendable, Codable {
    /// The instance ("seed 0 · upstream · fresh", "3 seeds pooled", …).
    package var instance: String
    /// The relation checked, in Unicode math.
    public var relation: String
    /// What was measured (value, or interval for statistical measurements) and the bound.
    public var measured: String
    public var bound: String
    /// Signed margin (positive: the claim holds) with its absolute error; relative = margin / max(|lhs|, |rhs|).
    public var margin: Double
    var absoluteError: Double
    public var relativeMargin: Double
    public var outcome: Verdict
    /// Extra facts (violation counts, exact probabilities, …).
    public var note: String
    /// Which of the statement's claims (indices into `claims`) the row is evidence for.
    var claimIndices: [Int] = []

    package init(instance: String, relation: String, measured: String, bound: String, margin: Double, absoluteError: Double,
                 relativeMargin: Double, outcome: Verdict, note: String) {
        self.instance = instance
        self.relation = relation
        self.measured = measured
        self.bound = bound
        self.margin = margin
        self.absoluteError = absoluteError
        self.relativeMargin = relativeMargin
        self.outcome = outcome
        self.note = note
    }
}

/// A statement's evidence at one configuration.
package struct ConfigurationEvidence: Sendable, Codable {
    public var label: String
    public var split: String
    /// Whether this configuration is judged (held-out when constants are fitted; all otherwise).
    public var judged: Bool
    public var verdict: Verdict
    /// Hypotheses that failed (for `not-applicable`), or are indeterminate, with the instance.
    var hypothesisNotes: [String]
    /// Each hypothesis, evaluated on the configuration (task of the statement's instances).
    public var hypotheses: [HypothesisCheck]
    public var rows: [EvidenceRow]
    /// C_max: the largest C at which every technical condition of the statement holds here
    /// (+∞ when none involves C, NaN when one cannot be evaluated; docs/theory.md §6a).
    public var regimeConstant: Double
    /// The technical condition attaining C_max, with its task (`cond_dimension_1`).
    var bindingCondition: String?
    /// The claim's verdict on every instance whose other hypotheses hold, inside the regime or
    /// not (not-applicable when there is none): what C_req is computed from.
    var claimVerdict: Verdict
    /// Evidence rows of instances outside the regime (C_max below the suite's C), never judged.
    var outsideRows: [EvidenceRow]
}

extension ConfigurationEvidence {
    /// Evidence of a claim with no hypotheses and no technical condition in C (C_max = ∞), judged
    /// at every configuration: a deep statement's.
    package init(label: String, rows: [EvidenceRow]) {
        let verdict = rows.map(\.outcome).max() ?? .notApplicable
        self.init(label: label, split: "all", judged: true, verdict: verdict, hypothesisNotes: [], hypotheses: [], rows: rows,
                  regimeConstant: .infinity, bindingCondition: nil, claimVerdict: verdict, outsideRows: [])
    }
}

/// Where a statement's evidence lies relative to its technical conditions (docs/theory.md §6a).
package struct RegimeSummary: Sendable {
    /// The suite's C: configurations with C_max ≥ C are judged.
    public var constant: Double
    /// C_req = the largest C_max among configurations where the claim fails (violated), nil when
    /// it fails nowhere: the smallest C consistent with every run.
    var requiredConstant: Double?
    /// Judged configurations with C_max > C_req (> 0 when C_req is nil) where the claim holds.
    var supportingConfigurations: Int
    /// Configurations inside the regime (C_max ≥ C) and outside it (C_max < C), among those whose
    /// other hypotheses hold.
    var insideConfigurations: Int
    var outsideConfigurations: Int

    public init(constant: Double, evidence: [ConfigurationEvidence]) {
        self.constant = constant
        let failing = evidence.filter { $0.claimVerdict == .violated }.map(\.regimeConstant)
        // A failure whose C_max cannot be evaluated leaves C_req unknown (NaN).
        requiredConstant = failing.isEmpty ? nil : failing.contains { $0.isNaN } ? .nan : failing.max()
        let threshold = requiredConstant ?? 0
        supportingConfigurations = evidence.filter { $0.judged && $0.claimVerdict == .holds && $0.regimeConstant > threshold }.count
        let considered = evidence.filter { $0.claimVerdict != .notApplicable }
        insideConfigurations = considered.filter { $0.regimeConstant >= constant }.count
        outsideConfigurations = considered.count - insideConfigurations
    }
}

/// A hypothesis evaluated at a configuration.
package struct HypothesisCheck: Sendable, Codable {
    public var hypothesis: String
    public var lhs: Double
    public var rhs: Double
    public var outcome: String
}

/// A constant fitted on the calibration split (docs/theory.md §8).
package struct FittedConstant: Sendable, Codable {
    public var name: String
    /// The value used on the held-out split: the most permissive value any calibration
    /// configuration needed (so that every calibration configuration holds).
    public var value: Double
    /// The value each calibration configuration needed, by label.
    public var calibration: [String: Double]
    /// The value each held-out configuration would have needed (for the spread).
    var heldOut: [String: Double]
    /// Whether larger values of the constant make the claim easier to satisfy.
    var largerIsWeaker: Bool

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
    var ownVerdict: Verdict
    /// Why (the violated dependency for `blocked`, the failing hypotheses for `not-applicable`, …).
    public var reason: String
    package var fitted: [FittedConstant]
    package var configurations: [ConfigurationEvidence]
    /// Claims that no judged configuration produced evidence for (listed, never dropped silently).
    var claimsWithoutEvidence: [String]
    /// A log-linear certificate that the hypotheses imply the claim, when the checker finds one.
    public var certificate: String?
    /// C, C_req and the evidence counts of the regime (docs/theory.md §6a).
    package var regime: RegimeSummary
}
