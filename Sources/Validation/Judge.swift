import Bounds
import Foundation
import NumericsCore
import TransferModel

/// Judges the statements of `proofs/` on a suite's recorded runs (docs/theory.md §8): hypotheses
/// decide applicability, unknown constants are fitted on the calibration split and judged on
/// the held-out split, each probe's instances are compared with the claim, and violated
/// dependencies block the statements that use them.
public struct Judge: Sendable {
    public let suite: ValidationSuite
    /// Runs by configuration label.
    public let runs: [String: [RunMeasurements]]

    public init(suite: ValidationSuite, runs: [RunMeasurements]) {
        self.suite = suite
        self.runs = Dictionary(grouping: runs, by: \.label)
    }

    private var everything: [(ValidationSuite.Configuration, [RunMeasurements])] {
        suite.configurations.map { ($0, runs[$0.label] ?? []) }
    }

    /// Judge `statements` (all of them, in order), then apply `blocked` along `uses`.
    public func judge(_ statements: [ProofStatement], progress: (String) -> Void = { _ in }) throws -> [StatementJudgement] {
        var results: [StatementJudgement] = []
        for statement in statements {
            progress(statement.id)
            results.append(try judge(statement))
        }
        return Self.applyBlocking(results)
    }

    /// Mark as `blocked` every statement that uses (directly or through others) a violated one.
    static func applyBlocking(_ judgements: [StatementJudgement]) -> [StatementJudgement] {
        var byId = Dictionary(uniqueKeysWithValues: judgements.map { ($0.statement.id, $0) })
        var changed = true
        while changed {
            changed = false
            for id in judgements.map(\.statement.id) {
                let j = byId[id]!
                guard j.verdict != .blocked && j.verdict != .violated else { continue }
                if let bad = j.statement.uses.first(where: { [.violated, .blocked].contains(byId[$0]?.verdict) }) {
                    byId[id]!.verdict = .blocked
                    byId[id]!.reason = "uses \(bad), which is \(byId[bad]!.verdict.rawValue); its own evidence: \(j.ownVerdict.rawValue)"
                    changed = true
                }
            }
        }
        return judgements.map { byId[$0.statement.id]! }
    }

    // MARK: One statement

    /// Whether every hypothesis of `statement` holds at `configuration` at the suite's C (judged
    /// for task 2; the transfer statements name their task-1 conditions explicitly).
    func insideHypotheses(_ statement: ProofStatement, _ configuration: ValidationSuite.Configuration) -> Bool {
        let env = environment(configuration.config, task: 2, constants: [:], values: [:])
        return statement.hypotheses.allSatisfy { hypothesis in
            (try? hypothesis.relation(judgedTask: 2).compare(in: env).outcome) == .holds
        }
    }

    public func judge(_ statement: ProofStatement) throws -> StatementJudgement {
        guard let probe = Probe.catalog[statement.probe] else {
            return StatementJudgement(statement: statement, probe: nil, verdict: .indeterminate, ownVerdict: .indeterminate,
                                      reason: "no probe named '\(statement.probe)' exists; nothing measures this statement",
                                      fitted: [], configurations: [], claimsWithoutEvidence: statement.claims.map { $0.printed(.unicode) },
                                      certificate: certificate(statement), regime: RegimeSummary(constant: suiteConstant, evidence: []))
        }
        // Instances per configuration: those whose hypotheses other than the technical conditions
        // hold ("free"), those also inside the technical conditions at the suite's C ("applicable"),
        // and the configuration's regime constant C_max (docs/theory.md §6a).
        var prepared: [PreparedConfiguration] = []
        let peers = probe.peersInsideHypotheses ? everything.filter { insideHypotheses(statement, $0.0) } : everything
        for (configuration, configRuns) in everything {
            let instances = try probe.extract(configuration, configRuns, peers)
            var applicable: [ProbeInstance] = [], free: [ProbeInstance] = [], failures: [HypothesisFailure] = []
            var checks: [HypothesisCheck] = []
            var regime = RegimeConstant(value: .infinity, binding: nil)
            for instance in instances {
                let env = environment(configuration.config, task: instance.task, constants: [:], values: [:])
                var failed: [HypothesisFailure] = [], otherFailed = false
                var technical: [(label: String, relation: Relation)] = []
                for hypothesis in statement.hypotheses {
                    let relation = hypothesis.relation(judgedTask: instance.task)
                    // A hypothesis that cannot be evaluated here (a domain error such as log(0)) is
                    // indeterminate: the instance is not judged, and the reason names the sub-expression.
                    var comparison: Comparison?, evaluationError: String?
                    do { comparison = try relation.compare(in: env) } catch { evaluationError = "\(error)" }
                    let outcome = comparison?.outcome ?? .indeterminate
                    if checks.count < statement.hypotheses.count {
                        checks.append(HypothesisCheck(hypothesis: hypothesis.description, lhs: comparison?.lhs.value ?? .nan,
                                                      rhs: comparison?.rhs.value ?? .nan, outcome: outcome.rawValue))
                    }
                    let isTechnical = RegimeConstant.involves(relation)
                    if isTechnical { technical.append((Self.label(hypothesis, task: instance.task), relation)) }
                    if outcome != .holds {
                        let label = hypothesis.description + (evaluationError.map { " (cannot be evaluated: \($0))" } ?? "")
                        failed.append(HypothesisFailure(hypothesis: label, outcome: outcome, instance: instance.label))
                        if !isTechnical { otherFailed = true }
                    }
                }
                let own = (try? RegimeConstant.of(technical, in: env)) ?? RegimeConstant(value: .nan, binding: "cannot evaluate")
                if !(own.value >= regime.value) { regime = own }   // NaN (cannot evaluate) wins
                if !otherFailed { free.append(instance) }
                if failed.isEmpty { applicable.append(instance) } else { failures += failed }
            }
            prepared.append(PreparedConfiguration(configuration: configuration, applicable: applicable, free: free, regime: regime,
                                                  failedHypotheses: Array(Set(failures)).sorted { $0.note < $1.note }, hypotheses: checks))
        }

        // Fit the claim's unknown constants on the calibration split.
        let claimIdentifiers = Set(statement.claims.flatMap(\.identifiers))
        let fittedNames = statement.constants.filter { claimIdentifiers.contains($0) && suite.constants[$0] == nil }.sorted()
        var constants: [String: Double] = [:]
        var fitted: [FittedConstant] = []
        let hasHeldOut = prepared.contains { $0.configuration.split == .heldOut && !$0.applicable.isEmpty }
        for name in fittedNames {
            let fit = try fitConstant(name, statement: statement, probe: probe, prepared: prepared, others: constants)
            constants[name] = fit.value
            fitted.append(fit)
        }

        // Judge. The claim is also evaluated where only the technical conditions fail, for the
        // required constant C_req and the regime figure; those rows never enter a verdict.
        var evidence: [ConfigurationEvidence] = []
        for item in prepared {
            let configuration = item.configuration
            let judged = fittedNames.isEmpty || !hasHeldOut || configuration.split == .heldOut
            func rows(_ instances: [ProbeInstance]) throws -> (Verdict, [EvidenceRow]) {
                instances.isEmpty ? (.notApplicable, [])
                    : try evaluate(statement, probe: probe, configuration: configuration, instances: instances, constants: constants)
            }
            let everyFree = try rows(item.free)
            let inside = Set(item.applicable.map(\.label))
            let allInside = item.applicable.count == item.free.count
            let (verdict, judgedRows) = allInside ? everyFree : try rows(item.applicable)
            let outsideRows = allInside ? [] : try rows(item.free.filter { !inside.contains($0.label) }).1
            evidence.append(ConfigurationEvidence(label: configuration.label, split: configuration.split.rawValue, judged: judged,
                                                  verdict: verdict, hypothesisNotes: item.failedHypotheses.map(\.note),
                                                  hypotheses: item.hypotheses, rows: judgedRows,
                                                  regimeConstant: item.regime.value, bindingCondition: item.regime.binding,
                                                  claimVerdict: everyFree.0, outsideRows: outsideRows))
        }
        let judgedVerdicts = evidence.filter(\.judged).map(\.verdict)
        let verdict = Verdict.combine(judgedVerdicts)
        var reason: String
        switch verdict {
        case .notApplicable:
            let failing = Set(prepared.flatMap(\.failedHypotheses).map(\.withoutInstance))
            reason = "hypotheses fail at every judged configuration: " + failing.sorted().joined(separator: "; ")
        case .violated:
            reason = "violated at " + evidence.filter { $0.judged && $0.verdict == .violated }.map(\.label).joined(separator: ", ")
        case .indeterminate:
            reason = "inside the error at " + evidence.filter { $0.judged && $0.verdict == .indeterminate }.map(\.label).joined(separator: ", ")
        default:
            let count = evidence.filter { $0.judged && $0.verdict == .holds }.count
            reason = "holds at \(count) judged configuration\(count == 1 ? "" : "s")"
        }
        if !fittedNames.isEmpty && !hasHeldOut { reason += " (no held-out configuration is applicable: judged in-sample)" }
        let evidenced = Set(evidence.filter(\.judged).flatMap(\.rows).flatMap(\.claimIndices))
        let missing = statement.claims.indices.filter { !evidenced.contains($0) }.map { statement.claims[$0].printed(.unicode) }
        if !missing.isEmpty && verdict != .notApplicable { reason += "; no evidence for: " + missing.joined(separator: ", ") }
        return StatementJudgement(statement: statement, probe: probe, verdict: verdict, ownVerdict: verdict, reason: reason,
                                  fitted: fitted, configurations: evidence, claimsWithoutEvidence: missing,
                                  certificate: certificate(statement), regime: RegimeSummary(constant: suiteConstant, evidence: evidence))
    }

    /// A hypothesis that does not hold at one probe instance.
    struct HypothesisFailure: Hashable {
        let hypothesis: String
        let outcome: ComparisonOutcome
        let instance: String
        /// "cond_step fails"
        var withoutInstance: String { "\(hypothesis) \(outcome == .fails ? "fails" : "is indeterminate")" }
        /// "cond_step fails (seed 0 · upstream)"
        var note: String { "\(withoutInstance) (\(instance))" }
    }

    /// The suite's C for the technical conditions (default 1; docs/theory.md §6a).
    var suiteConstant: Double { suite.constants["C"] ?? IdentifierCatalog.constantDefaults["C"]! }

    /// A hypothesis named for the task it was evaluated on (`cond_step_2`).
    static func label(_ hypothesis: Hypothesis, task: Int) -> String {
        if case .condition(let id, nil) = hypothesis { return "\(id)_\(task)" }
        return hypothesis.description
    }

    /// A configuration's probe instances whose hypotheses hold, and the hypothesis checks.
    struct PreparedConfiguration {
        var configuration: ValidationSuite.Configuration
        var applicable: [ProbeInstance]
        /// Instances whose hypotheses hold except, perhaps, the technical conditions.
        var free: [ProbeInstance]
        /// C_max over the statement's technical conditions at every instance, and the binding one.
        var regime: RegimeConstant
        /// Hypotheses that fail or are indeterminate, per instance, deduplicated.
        var failedHypotheses: [HypothesisFailure]
        var hypotheses: [HypothesisCheck]
    }

    /// The environment of a configuration: config values, constants (defaults < config <
    /// suite < fitted), the §6 definitions with the task's aliases, and measured values.
    func environment(_ config: ExperimentConfig, task: Int, constants: [String: Double], values: [String: Double]) -> Environment {
        let merged = config.constants.merging(suite.constants) { _, s in s }.merging(constants) { _, f in f }
        var env = Environment.theory(configuration: config.numericValues, constants: merged, task: task)
        for (name, value) in values {
            env = env.setting(name, value, error: TolerancePolicy.measuredRelativeError * abs(value))
        }
        return env
    }

    /// A certificate that the hypotheses imply the claims, when the log-linear checker finds one.
    func certificate(_ statement: ProofStatement) -> String? {
        let hypotheses = statement.hypotheses.map { $0.relation() }
        guard !hypotheses.isEmpty else { return nil }
        let proofs = statement.claims.compactMap { LogLinearProver.prove($0, from: hypotheses).certificate }
        guard proofs.count == statement.claims.count else { return nil }
        return proofs.map(\.description).joined(separator: "\n")
    }
}
