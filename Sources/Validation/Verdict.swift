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
