//===--- Comparison.swift -------------------------------------------------===//

import NumericsCore

/// The three-valued outcome of checking a relation numerically (docs/theory.md §8).
public enum ComparisonOutcome: String, Sendable, Equatable, CaseIterable {
    /// The relation holds by more than the error estimate.
    case holds
    /// The relation fails by more than the error estimate.
    case fails
    /// The margin lies within the error estimate: numerics cannot decide.
    case indeterminate
}

/// A relation evaluated on an environment: both sides with error estimates, the signed
/// margin and a verdict-ready outcome.
///
/// The margin is positive when the relation holds: `lhs − rhs` for `>=`/`>`, `rhs − lhs` for
/// `<=`/`<`. Its error is `err(lhs) + err(rhs) + ε·|margin|`. The outcome is
///
/// ```
/// indeterminate   if |margin| ≤ error and error > 0
/// holds           if margin > error, or margin = error = 0 for a non-strict relation
/// fails           otherwise
/// ```
///
/// so a margin inside the numerical error is never reported as true or false.
public struct Comparison: Sendable, Equatable {
    /// The relation that was checked.
    public let relation: Relation
    /// Left-hand side with its error estimate.
    public let lhs: EstimatedValue
    /// Right-hand side with its error estimate.
    public let rhs: EstimatedValue
    /// Signed margin: positive when the relation holds.
    public let margin: Double
    /// Absolute error estimate of the margin.
    public let error: Double
    /// holds / fails / indeterminate.
    public let outcome: ComparisonOutcome

    /// Build from already evaluated sides.
    public init(relation: Relation, lhs: EstimatedValue, rhs: EstimatedValue) {
        self.relation = relation
        self.lhs = lhs
        self.rhs = rhs
        margin = relation.op.claimsLeftLarger ? lhs.value - rhs.value : rhs.value - lhs.value
        error = lhs.error + rhs.error + Double.ulpOfOne * abs(margin)
        if error > 0 && abs(margin) <= error {
            outcome = .indeterminate
        } else if margin > error || (margin == 0 && error == 0 && !relation.op.isStrict) {
            outcome = .holds
        } else {
            outcome = .fails
        }
    }

    /// True only when the outcome is `holds`.
    public var holds: Bool { outcome == .holds }

    /// Margin relative to the larger side's magnitude (0 when both sides are 0).
    public var relativeMargin: Double {
        let scale = max(abs(lhs.value), abs(rhs.value))
        return scale > 0 ? margin / scale : 0
    }
}

extension Relation {
    /// Evaluate both sides and compare them; see ``Comparison``.
    package func compare(in environment: Environment) throws(EvaluationError) -> Comparison {
        let l = try lhs.evaluate(in: environment)
        let r = try rhs.evaluate(in: environment)
        return Comparison(relation: self, lhs: l, rhs: r)
    }
}
