//===--- ProofStatement+Evaluation.swift ----------------------------------===//

/// One relation of a statement evaluated on an environment.
package struct RelationCheck: Sendable {
    /// The text as written (a relation, or a condition id).
    public var label: String
    /// The relation that was evaluated.
    public var relation: Relation
    /// The comparison, or why it could not be evaluated.
    public var result: Result<Comparison, EvaluationError>

    /// The outcome, nil when evaluation failed.
    public var outcome: ComparisonOutcome? {
        if case .success(let c) = result { return c.outcome }
        return nil
    }
}

/// A statement's hypotheses and claims evaluated on one environment: the numerical half of
/// a verdict (docs/theory.md §8). The validation layer adds statistics, calibration and `blocked`.
package struct StatementEvaluation: Sendable {
    var statementID: String
    public var hypotheses: [RelationCheck]
    public var claims: [RelationCheck]

    /// Combined outcome of several checks: `fails` if any fails, else `indeterminate` if any
    /// is, else `holds`; nil if any could not be evaluated.
    public static func combined(_ checks: [RelationCheck]) -> ComparisonOutcome? {
        let outcomes = checks.map(\.outcome)
        if outcomes.contains(where: { $0 == nil }) { return nil }
        if outcomes.contains(.fails) { return .fails }
        if outcomes.contains(.indeterminate) { return .indeterminate }
        return .holds
    }

    /// Do the hypotheses hold? (`fails` means the statement is not applicable here.)
    var hypothesesOutcome: ComparisonOutcome? { StatementEvaluation.combined(hypotheses) }
    /// Do the claims hold?
    var claimOutcome: ComparisonOutcome? { StatementEvaluation.combined(claims) }
    /// Labels of the hypotheses that fail (for "not-applicable: …").
    public var failedHypotheses: [String] { hypotheses.filter { $0.outcome == .fails }.map(\.label) }
    /// Evaluation errors, as text.
    public var errors: [String] {
        (hypotheses + claims).compactMap { check in
            if case .failure(let e) = check.result { return "\(check.label): \(e)" }
            return nil
        }
    }
}

extension ProofStatement {
    /// Evaluate hypotheses and claims on `environment`.
    ///
    /// `task` is the task being judged (1 upstream, 2 downstream): it resolves condition
    /// references such as `cond_dimension`. The environment should be a theory environment
    /// for the same task (``Environment/theory(configuration:constants:task:)``) with the
    /// statement's measured identifiers set, e.g.
    ///
    /// ```swift
    /// let env = Environment.theory(configuration: config.numericValues,
    ///                              constants: config.effectiveConstants, task: 2)
    ///     .setting("test_error", 0.031, error: 0.004)
    /// let evaluation = statement.evaluate(in: env, task: 2)
    /// ```
    package func evaluate(in environment: Environment, task: Int? = nil) -> StatementEvaluation {
        func check(_ label: String, _ r: Relation) -> RelationCheck {
            RelationCheck(label: label, relation: r, result: Result { () throws(EvaluationError) in try r.compare(in: environment) })
        }
        return StatementEvaluation(
            statementID: id,
            hypotheses: hypotheses.map { check($0.description, $0.relation(judgedTask: task)) },
            claims: claims.map { check($0.printed(), $0) })
    }

    /// Try to derive each claim from the hypotheses by the log-linear checker, with every
    /// defined quantity expanded into configuration ids. Most statements of docs/theory.md §7 are
    /// empirical and end in "cannot verify"; a certificate, when found, says the claim is a
    /// consequence of the hypotheses alone.
    package func certificates(task: Int? = nil) -> [ProofOutcome] {
        let definitions = Theory.current.definitions(forTask: task)
        func expand(_ r: Relation) -> Relation {
            Relation(definitions.expanded(r.lhs), r.op, definitions.expanded(r.rhs))
        }
        let hs = hypotheses.map { expand($0.relation(judgedTask: task)) }
        return claims.map { LogLinearProver.prove(expand($0), from: hs) }
    }
}
