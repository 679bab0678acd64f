import Bounds
import Foundation
import NumericsCore
import Platform
import Vocabulary

extension Judge {
    /// The verdict and evidence rows of one configuration's applicable instances.
    func evaluate(_ statement: ProofStatement, probe: Probe, configuration: ValidationSuite.Configuration,
                  instances: [ProbeInstance], constants: [String: Double]) throws -> (Verdict, [EvidenceRow]) {
        switch probe.kind {
        case .everyInstance, .statistical:
            var rows: [EvidenceRow] = []
            for instance in instances {
                for (index, claim) in statement.claims.enumerated() where Self.measures(instance, claim) {
                    var row = try judgeInterval(claim, instance, configuration, constants)
                    row.claimIndices = [index]
                    rows.append(row)
                }
            }
            return (Verdict.combine(rows.map(\.outcome)), rows)
        case .highProbability:
            var (verdict, rows) = try judgeHighProbability(statement, configuration: configuration, instances: instances, constants: constants)
            for i in rows.indices { rows[i].claimIndices = Array(statement.claims.indices) }   // each row checks every claim
            return (verdict, rows)
        }
    }

    /// A claim on one instance. Exact measurements: the comparison with its error estimate.
    /// Intervals: the claim is evaluated at every combination of interval ends; it holds when
    /// it holds at all of them, is violated when it fails at all, and is indeterminate otherwise.
    private func judgeInterval(_ claim: Relation, _ instance: ProbeInstance, _ configuration: ValidationSuite.Configuration,
                               _ constants: [String: Double]) throws -> EvidenceRow {
        let used = claim.identifiers.filter { instance.values[$0] != nil }.sorted()
        let point = environment(configuration.config, task: instance.task, constants: constants,
                                values: instance.values.mapValues(\.point))
        let measuredText = used.map { id -> String in
            let m = instance.values[id]!
            return m.isExact ? "\(id) = \(Self.format(m.point))" : "\(id) = \(Self.format(m.point)) [\(Self.format(m.lower)), \(Self.format(m.upper))]"
        }.joined(separator: "; ")
        let comparison: Comparison
        do { comparison = try claim.compare(in: point) } catch {
            return EvidenceRow(instance: instance.label, relation: claim.printed(.unicode), measured: measuredText, bound: "—",
                               margin: .nan, absoluteError: .nan, relativeMargin: .nan, outcome: .indeterminate,
                               note: "cannot evaluate: \(error)")
        }
        var outcome = Self.verdict(comparison.outcome)
        var note = ""
        let intervals = used.filter { !instance.values[$0]!.isExact }
        if !intervals.isEmpty {
            var outcomes: [ComparisonOutcome] = []
            for mask in 0..<(1 << intervals.count) {
                var values = instance.values.mapValues(\.point)
                for (bit, id) in intervals.enumerated() {
                    let m = instance.values[id]!
                    values[id] = mask & (1 << bit) == 0 ? m.lower : m.upper
                }
                let env = environment(configuration.config, task: instance.task, constants: constants, values: values)
                outcomes.append((try? claim.compare(in: env).outcome) ?? .indeterminate)
            }
            outcome = Verdict.atIntervalEnds(outcomes)
            note = "judged at the \(Int(TolerancePolicy.confidence * 100)) % interval ends: " + Set(outcomes.map(\.rawValue)).sorted().joined(separator: "/")
        }
        let measuredSide = claim.lhs.identifiers.contains { instance.values[$0] != nil } ? comparison.lhs : comparison.rhs
        let boundSide = claim.lhs.identifiers.contains { instance.values[$0] != nil } ? comparison.rhs : comparison.lhs
        return EvidenceRow(instance: instance.label, relation: claim.printed(.unicode),
                           measured: measuredText.isEmpty ? Self.format(measuredSide.value) : measuredText,
                           bound: Self.format(boundSide.value), margin: comparison.margin, absoluteError: comparison.error,
                           relativeMargin: comparison.relativeMargin, outcome: outcome, note: note)
    }

    /// A concentration lemma at one configuration: each run (instance) violates when any of its
    /// elements breaks the claim. Verdict: `violated` when the lower confidence bound of the
    /// run-violation rate exceeds δ; `holds` when the exact law's union bound Σ_i P(element i
    /// violates) is ≤ δ at every run, or the upper confidence bound of the rate is ≤ δ;
    /// `indeterminate` otherwise.
    private func judgeHighProbability(_ statement: ProofStatement, configuration: ValidationSuite.Configuration,
                                      instances: [ProbeInstance], constants: [String: Double]) throws -> (Verdict, [EvidenceRow]) {
        var rows: [EvidenceRow] = []
        var violatedRuns = 0
        var worstUnion = 0.0
        let delta = configuration.config.delta
        for instance in instances {
            guard let sample = instance.elements else { continue }
            let env = environment(configuration.config, task: instance.task, constants: constants, values: [:])
            var violations = 0, union = 0.0, worstMargin = Double.infinity, worstError = 0.0, worstRelative = Double.infinity
            var bounds: [String] = []
            for claim in statement.claims {
                let (bound, measuredOnLeft) = try Self.split(claim, measured: sample.identifier, statement: statement.id)
                let t = try bound.evaluate(in: env)
                bounds.append("\(measuredOnLeft ? claim.op.printed(.unicode) : claim.op.flipped.printed(.unicode)) \(Self.format(t.value))")
                let op = measuredOnLeft ? claim.op : claim.op.flipped   // now "x op t"
                for (x, law) in zip(sample.values, sample.laws) {
                    let (margin, relative) = op.margins(x, t.value)
                    let error = t.error + TolerancePolicy.measuredRelativeError * abs(x)
                    if margin < -error || (op.isStrict && margin == 0) { violations += 1 }
                    if margin < worstMargin { worstMargin = margin; worstError = error; worstRelative = relative }
                    union += op.claimsLeftLarger ? try law.lowerTail(t.value) : try law.upperTail(t.value)
                }
            }
            if violations > 0 { violatedRuns += 1 }
            worstUnion = max(worstUnion, union)
            rows.append(EvidenceRow(
                instance: instance.label, relation: statement.claims.map { $0.printed(.unicode) }.joined(separator: " and "),
                measured: "\(sample.values.count) values of \(sample.identifier); \(violations) outside",
                bound: bounds.joined(separator: ", "), margin: worstMargin, absoluteError: worstError, relativeMargin: worstRelative,
                outcome: violations > 0 ? .violated : .holds,
                note: String(format: "observed fraction outside %.3g; exact law: mean P(outside) per value %.3g, union bound over the run %.3g vs δ = %g",
                             Double(violations) / Double(max(1, sample.values.count)), union / Double(max(1, sample.values.count)), union, delta)))
        }
        let runs = rows.count
        guard runs > 0 else { return (.notApplicable, rows) }
        let lower = try BinomialBound.lower(violatedRuns, runs, confidence: TolerancePolicy.confidence)
        let upper = try BinomialBound.upper(violatedRuns, runs, confidence: TolerancePolicy.confidence)
        let verdict: Verdict
        let basis: String
        if lower > delta {
            verdict = .violated; basis = "lower bound of the run-violation rate exceeds δ"
        } else if worstUnion <= delta {
            verdict = .holds; basis = "the exact law's union bound is ≤ δ at every run"
        } else if upper <= delta {
            verdict = .holds; basis = "upper bound of the run-violation rate is ≤ δ"
        } else {
            verdict = .indeterminate; basis = "too few runs to bound the violation rate by δ, and the union bound exceeds δ"
        }
        rows.append(EvidenceRow(
            instance: "all \(runs) runs", relation: "P(some value outside) ≤ δ", measured: "\(violatedRuns) of \(runs) runs with a value outside",
            bound: "δ = \(Self.format(delta))", margin: delta - Double(violatedRuns) / Double(runs), absoluteError: max(upper - Double(violatedRuns) / Double(runs), 0),
            relativeMargin: (delta - Double(violatedRuns) / Double(runs)) / delta, outcome: verdict,
            note: String(format: "%d %% Clopper–Pearson bounds on the rate [%.3g, %.3g]; largest union bound %.3g; %@",
                         Int(TolerancePolicy.confidence * 100), lower, upper, worstUnion, basis)))
        return (verdict, rows)
    }

    /// Whether the instance measures every measured identifier the claim mentions (a claim
    /// about, say, the slope against N₁ says nothing at an instance that varies α).
    static func measures(_ instance: ProbeInstance, _ claim: Relation) -> Bool {
        claim.identifiers.allSatisfy { IdentifierCatalog.standard[$0]?.kind != .measured || instance.values[$0] != nil }
    }

    /// `x op bound` or `bound op x` with the measured identifier alone on one side.
    static func split(_ claim: Relation, measured: String, statement: String) throws -> (Formula, Bool) {
        if claim.lhs == .variable(measured) && !claim.rhs.identifiers.contains(measured) { return (claim.rhs, true) }
        if claim.rhs == .variable(measured) && !claim.lhs.identifiers.contains(measured) { return (claim.lhs, false) }
        throw SuiteError("\(statement): a concentration claim must compare '\(measured)' alone with a bound; got \(claim.printed())")
    }

    static func verdict(_ outcome: ComparisonOutcome) -> Verdict {
        switch outcome {
        case .holds: .holds
        case .fails: .violated
        case .indeterminate: .indeterminate
        }
    }

    static func format(_ x: Double) -> String { NumberText.display(x) }
}

/// A problem with a suite, a statement or a probe that stops validation (exit code 2).
package struct SuiteError: UserFacingError, CustomStringConvertible {
    public let description: String
    public var message: String { description }
    public init(_ description: String) { self.description = description }
}
