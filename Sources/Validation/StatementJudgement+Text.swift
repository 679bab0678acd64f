extension StatementJudgement {
    /// The evidence as a plain-text table (configuration, instance, relation, measured, bound,
    /// margin, abs. error, outcome), for test failures and terminals.
    public var evidenceTable: String {
        var lines = ["configuration | split | instance | relation | measured | bound | margin | abs. error | outcome"]
        for c in configurations {
            if c.rows.isEmpty {
                lines.append("\(c.label) | \(c.split) | — | — | — | — | — | — | \(c.verdict.rawValue) \(c.hypothesisNotes.prefix(3).joined(separator: "; "))")
            }
            for r in c.rows {
                lines.append([c.label, c.split + (c.judged ? "" : " (calibration only)"), r.instance, r.relation, r.measured, r.bound,
                              Judge.format(r.margin), Judge.format(r.absoluteError), r.outcome.rawValue].joined(separator: " | "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
