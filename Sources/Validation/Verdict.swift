import Bounds
import NumericsCore
/// The verdict of a statement, at one configuration or over a suite (docs/theory.md §8).
public enum Verdict: String, Sendable, Codable, CaseIterable, Comparable {
    /// Every judged instance satisfies the claim beyond its error.
    case holds
    /// Some instance contradicts the claim beyond its error (numerical and statistical).
    case violated
    /// The margin lies inside the numerical or statistical error somewhere, and nothing is violated.
    case indeterminate
    /// The statement's hypotheses fail at every configuration (the evidence names which).
    case notApplicable = "not-applicable"
    /// A statement it uses is violated (or itself blocked).
    case blocked

    /// Severity order used to combine instance outcomes: violated > indeterminate > holds > not-applicable.
    var severity: Int {
        switch self {
        case .violated: 4
        case .blocked: 3
        case .indeterminate: 2
        case .holds: 1
        case .notApplicable: 0
        }
    }

    public static func < (a: Verdict, b: Verdict) -> Bool { a.severity < b.severity }

    /// The combined verdict of several outcomes: the most severe wins; `not-applicable` only
    /// when every part is not applicable.
    static func combine(_ parts: [Verdict]) -> Verdict {
        parts.max() ?? .notApplicable
    }
}

extension Verdict {
    /// The verdict of a claim judged at every end of the intervals it depends on (docs/theory.md
    /// §8): `holds` when it holds at all of them, `violated` when it fails at all of them,
    /// `indeterminate` otherwise. The one rule for intervals, synthetic and deep.
    package static func atIntervalEnds(_ outcomes: [ComparisonOutcome]) -> Verdict {
        outcomes.allSatisfy { $0 == .holds } ? .holds : outcomes.allSatisfy { $0 == .fails } ? .violated : .indeterminate
    }
}

extension RelationOperator {
    /// "x op t" at x exactly: holds or fails.
    package func outcome(_ x: Double, _ t: Double) -> ComparisonOutcome {
        let margin = margins(x, t).absolute
        return margin > 0 || (margin == 0 && !isStrict) ? .holds : .fails
    }

    /// "x op t" for x known only as the confidence interval `d` of a mean paired difference:
    /// judged at the interval's ends by ``Verdict/atIntervalEnds(_:)``; `indeterminate` without
    /// an interval (fewer than 2 values, or infinite ends).
    package func judge(_ d: PairedDifference, against t: Double = 0) -> Verdict {
        guard d.count > 1, d.lower.isFinite, d.upper.isFinite else { return .indeterminate }
        return .atIntervalEnds([outcome(d.lower, t), outcome(d.upper, t)])
    }
}
