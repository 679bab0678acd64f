import Foundation
import NumericsCore
import Platform
import Vocabulary

/// The ladder of constants (docs/theory.md §8b): the larger values of the technical conditions'
/// constant C at which a statement that fails (or is undecided) at the suite's C is judged again,
/// on its worst configurations lifted there (§6a), so that its verdict says how the claim behaves
/// as C grows.
///
/// The theorems hold "for some constant C": a claim that fails at C ≈ 1 and holds from some C₀ on
/// is consistent with them; one whose excess persists as C grows is evidence against the
/// statement as encoded.
public struct ConstantLadder: Sendable, Equatable {
    /// The rungs, increasing, each above the suite's C.
    public var rungs: [Double]
    /// K: how many of a statement's worst configurations are chased (`--chase-configurations`).
    public var configurationsPerStatement: Int
    /// Whether statements that hold at the suite's C are chased too (`--chase all`).
    public var chaseAll: Bool

    public static let defaultConfigurations = 2
    /// At most this many rungs (each costs a lift and a run of every chased configuration).
    package static let largestRungCount = 16

    public init(rungs: [Double], configurationsPerStatement: Int = defaultConfigurations, chaseAll: Bool = false) {
        self.rungs = rungs
        self.configurationsPerStatement = configurationsPerStatement
        self.chaseAll = chaseAll
    }

    /// Checks the rungs against the suite's C: finite, increasing and above it. Errors name `field`.
    public func check(above constant: Double, field: String) throws {
        guard !rungs.isEmpty, rungs.count <= Self.largestRungCount else {
            throw ConfigError(field: field, "expected 1 to \(Self.largestRungCount) values of C, got \(rungs.count)")
        }
        var previous = constant
        for (index, c) in rungs.enumerated() {
            guard c.isFinite, c > previous else {
                throw ConfigError(field: "\(field)[\(index)]", "\(Judge.format(c)) must be a finite number above \(index == 0 ? "the suite's C = " : "the previous rung, ")\(Judge.format(previous)): rungs increase")
            }
            previous = c
        }
        guard (1...1_000).contains(configurationsPerStatement) else {
            throw ConfigError(field: "chase-configurations", "\(configurationsPerStatement) is outside the allowed range: an integer in [1, 1000]")
        }
    }

    /// Rungs written as `2,4,8` (the `--ladder` option).
    public static func parse(_ text: String, field: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= largestRungCount else {
            throw ConfigError(field: field, "expected at most \(largestRungCount) values of C, got \(parts.count)")
        }
        return try parts.enumerated().map { index, part in
            let item = part.trimmingCharacters(in: .whitespaces)
            guard let c = Double(item), c.isFinite, c > 0 else {
                throw ConfigError(field: "\(field)[\(index)]", "expected a finite number > 0, got '\(InputText.excerpt(item))'")
            }
            return c
        }
    }
}

/// A statement's verdict over the ladder (docs/theory.md §8b), as written in `summary.json`.
package enum LadderVerdict: String, Sendable, Codable, CaseIterable {
    /// Holds at the suite's C.
    case holds
    /// Fails (or is undecided) at low rungs and holds at every rung from C₀ on: consistent with the
    /// statement for constants ≥ C₀.
    case holdsFrom = "holds-from"
    /// Violated at the top two rungs reached, and the relative excess is not shown to shrink:
    /// evidence against the statement as encoded.
    case violatedPersistent = "violated-persistent"
    /// Violated at the top rung, but the excess shrinks as C grows: not evidence either way yet.
    case violatedShrinking = "violated-shrinking"
    /// Undecided at the top rung reached, violated there without a trend, or no rung above the
    /// suite's C was reached.
    case indeterminate
    /// The hypotheses fail at every configuration.
    case notApplicable = "not-applicable"
    /// No rung where every statement it uses holds.
    case blocked

    /// Whether this verdict counts as evidence against the statement (exit code 1).
    public var isEvidenceAgainst: Bool { self == .violatedPersistent }
}

/// What one rung says of a statement, after the statements it uses are taken into account.
package enum RungOutcome: String, Sendable, Codable {
    case holds, violated, indeterminate
    case notApplicable = "not-applicable"
    /// A statement it uses is violated, blocked or not reached at this rung.
    case blocked
    /// No chased configuration could be lifted to this rung.
    case unreachable

    init(_ verdict: Verdict) {
        switch verdict {
        case .holds: self = .holds
        case .violated: self = .violated
        case .indeterminate: self = .indeterminate
        case .notApplicable: self = .notApplicable
        case .blocked: self = .blocked
        }
    }

    /// A rung the statement was judged at.
    var isJudged: Bool { self == .holds || self == .violated || self == .indeterminate }
    /// A rung at which a statement that uses this one may be judged.
    var admitsUsers: Bool { self == .holds || self == .indeterminate || self == .notApplicable }
}

/// One chased configuration at one rung.
package struct RungConfiguration: Sendable {
    public var label: String
    /// Whether it was lifted to the rung and run.
    public var reached: Bool
    /// The C it really satisfies: C_max over the statement's technical conditions (over every
    /// condition of both tasks when the statement has none, §6a); for an unreached rung, the
    /// largest C any lift reaches (nil when unknown).
    public var constant: Double?
    /// The condition attaining `constant`.
    public var binding: String?
    /// Its verdict there (nil when not reached).
    public var verdict: Verdict?
    /// The smallest relative margin of its judged evidence rows (negative: the claim fails).
    package var worstRelativeMargin: Double?
    /// Why it was not reached, or other facts.
    public var note: String

    public init(label: String, reached: Bool, constant: Double?, binding: String?, verdict: Verdict?,
                worstRelativeMargin: Double?, note: String = "") {
        self.label = label
        self.reached = reached
        self.constant = constant
        self.binding = binding
        self.verdict = verdict
        self.worstRelativeMargin = worstRelativeMargin
        self.note = note
    }
}

/// A statement at one rung.
package struct LadderRung: Sendable {
    /// The rung's nominal C (the suite's C for the first).
    public var constant: Double
    public var configurations: [RungConfiguration]
    public var outcome: RungOutcome
    /// Why, when the outcome is blocked or unreachable.
    public var note: String

    public init(constant: Double, configurations: [RungConfiguration], outcome: RungOutcome, note: String = "") {
        self.constant = constant
        self.configurations = configurations
        self.outcome = outcome
        self.note = note
    }

    /// The C the rung's runs really satisfy: the smallest over its reached configurations (the
    /// nominal C when none reports one).
    package var reachedConstant: Double {
        configurations.filter(\.reached).compactMap(\.constant).filter(\.isFinite).min() ?? constant
    }

    /// The reached configuration with the smallest C, for the binding condition.
    var bindingConfiguration: RungConfiguration? {
        configurations.filter { $0.reached && ($0.constant ?? .infinity) == reachedConstant }.first
            ?? configurations.first { !$0.reached }
    }

    /// The smallest relative margin over the reached configurations.
    package var worstRelativeMargin: Double? {
        configurations.filter(\.reached).compactMap(\.worstRelativeMargin).filter { !$0.isNaN }.min()
    }
}

/// The slope of the worst relative margin against ln C, fitted over rungs and chased
/// configurations with one intercept per configuration (docs/theory.md §8b).
package struct LadderTrend: Sendable, Equatable {
    public var slope: Double
    /// The two-sided interval at `TolerancePolicy.confidence` (Student t; unbounded when the
    /// residual degrees of freedom are 0).
    public var lower: Double, upper: Double
    public var points: Int
    public var degreesOfFreedom: Int
    /// Where the fitted margin of the worst configuration at the top rung reaches 0 (only when
    /// the excess shrinks).
    package var vanishingConstant: Double?

    /// Whether the whole interval lies on the shrinking side (the relative margin rises toward 0).
    package var shrinks: Bool { lower > 0 }

    /// The least-squares fit of y = a_k + b·x over `points` (configuration, x = ln C, y); nil
    /// when no configuration has two distinct x.
    public static func fit(_ points: [(configuration: String, x: Double, y: Double)]) -> LadderTrend? {
        let usable = points.filter { $0.x.isFinite && $0.y.isFinite }
        let groups = Dictionary(grouping: usable, by: \.configuration)
        var sxx = 0.0, sxy = 0.0, intercepts = 0
        var means: [String: (x: Double, y: Double)] = [:]
        for (label, group) in groups {
            let mx = group.map(\.x).reduce(0, +) / Double(group.count), my = group.map(\.y).reduce(0, +) / Double(group.count)
            means[label] = (mx, my)
            intercepts += 1
            for p in group { sxx += (p.x - mx) * (p.x - mx); sxy += (p.x - mx) * (p.y - my) }
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        var rss = 0.0
        for p in usable {
            let (mx, my) = means[p.configuration]!
            let r = p.y - (my + slope * (p.x - mx))
            rss += r * r
        }
        let df = usable.count - intercepts - 1
        var half = Double.infinity
        if df > 0, let t = try? GSL.studentTQuantile(0.5 + TolerancePolicy.confidence / 2, degreesOfFreedom: Double(df)) {
            half = t * (rss / Double(df) / sxx).squareRoot()
        }
        var trend = LadderTrend(slope: slope, lower: slope - half, upper: slope + half, points: usable.count,
                                degreesOfFreedom: max(df, 0), vanishingConstant: nil)
        if trend.shrinks {
            // Each configuration's line a_k + b·x crosses 0 at x = x̄_k − ȳ_k/b; the latest crossing.
            trend.vanishingConstant = means.values.map { exp($0.x - $0.y / slope) }.max()
        }
        return trend
    }
}

/// A statement's ladder: its rungs (the suite's C first), the verdict and C₀ or the trend.
package struct StatementLadder: Sendable {
    public var id: String
    public var rungs: [LadderRung]
    public var verdict: LadderVerdict
    /// The C from which the claim holds at every rung (`holds-from`).
    package var holdsFrom: Double?
    public var trend: LadderTrend?
    /// Why, in words.
    public var reason: String
    /// Whether it was chased (judged above the suite's C).
    public var chased: Bool

    /// The ladder verdict from the rungs (docs/theory.md §8b); the first rung is the suite's C.
    public init(id: String, rungs: [LadderRung], chased: Bool) {
        self.id = id
        self.rungs = rungs
        self.chased = chased
        let base = rungs.first?.outcome ?? .notApplicable
        let judged = rungs.filter { $0.outcome.isJudged }
        func c(_ x: Double) -> String { Judge.format(x) }
        switch base {
        case .holds where !chased || judged.allSatisfy({ $0.outcome == .holds }):
            verdict = .holds; reason = "holds at the suite's C = \(c(rungs[0].constant))"
            return
        case .notApplicable:
            verdict = .notApplicable; reason = "the hypotheses fail at every configuration"
            return
        default: break
        }
        guard let top = judged.last else {
            let blocked = rungs.contains { $0.outcome == .blocked }
            verdict = blocked ? .blocked : .indeterminate
            reason = blocked ? "no rung at which every statement it uses holds" : "no rung was reached"
            return
        }
        let points = judged.flatMap { rung in
            rung.configurations.compactMap { config -> (configuration: String, x: Double, y: Double)? in
                guard config.reached, let margin = config.worstRelativeMargin, let constant = config.constant else { return nil }
                return (config.label, log(constant.isFinite ? constant : rung.constant), margin)
            }
        }
        trend = LadderTrend.fit(points)
        switch top.outcome {
        case .holds:
            let first = judged.lastIndex { $0.outcome != .holds }.map { $0 + 1 } ?? 0
            holdsFrom = judged[first].reachedConstant
            verdict = .holdsFrom
            reason = "holds at every rung reached from C = \(c(judged[first].reachedConstant)) on"
                + (first > 0 ? "; \(judged[first - 1].outcome.rawValue) at C = \(c(judged[first - 1].reachedConstant))" : "")
        case .violated:
            let trendText = trend.map { String(format: "slope of the worst relative margin against ln C %+.3g [%+.3g, %+.3g]", $0.slope, $0.lower, $0.upper) }
                ?? "no trend (a single C per configuration)"
            if let trend, trend.shrinks {
                verdict = .violatedShrinking
                reason = "violated at the top rung C = \(c(top.reachedConstant)), but the excess shrinks: \(trendText)"
                    + (trend.vanishingConstant.map { "; it would vanish near C = \(c($0))" } ?? "")
            } else if judged.count >= 2, judged[judged.count - 2].outcome == .violated {
                verdict = .violatedPersistent
                reason = "violated at the top two rungs reached (C = \(c(judged[judged.count - 2].reachedConstant)) and \(c(top.reachedConstant))) and not shown to shrink: \(trendText)"
            } else {
                verdict = .indeterminate
                reason = judged.count > 1 ? "violated at the top rung C = \(c(top.reachedConstant)) only, and not shown to shrink: \(trendText)"
                    : judged[0].constant == rungs[0].constant ? "violated at the suite's C, and no rung above it was reached"
                    : "violated at C = \(c(top.reachedConstant)), the only rung where every statement it uses holds: one rung shows no trend"
            }
        default:
            verdict = .indeterminate
            reason = "indeterminate at the top rung reached, C = \(c(top.reachedConstant))"
        }
    }
}
