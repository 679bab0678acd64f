import Bounds
import Foundation
import NumericsCore
import Platform
import TransferModel
import Vocabulary
import Yams

/// A transfer rule named for an audit (docs/theory.md §4a): a built-in variant, or a composition
/// read from a rule file (the mapping that `variant:` would hold in a config).
public struct AuditedRule: Sendable {
    /// The rule's name in the report.
    public let name: String
    /// Where it came from: "built-in", or the rule file's path.
    public let source: String
    /// The rule as the value of `variant:`: a built-in name, or the file's YAML text.
    let yaml: String

    /// `argument` as a built-in variant's name, else as a rule file; `option` names the command
    /// line option in errors. A rule file is read once on the default config here, so a bad
    /// rule is refused before anything runs.
    public static func named(_ argument: String, option: String) throws -> AuditedRule {
        if TransferVariant(rawValue: argument) != nil { return AuditedRule(name: argument, source: "built-in", yaml: argument) }
        guard FileManager.default.fileExists(atPath: argument) else {
            throw ConfigError(field: option, "'\(InputText.excerpt(argument))' is neither a built-in variant (\(TransferVariant.allCases.map(\.rawValue).joined(separator: ", "))) nor a rule file")
        }
        let text = try YAMLInput.text(of: URL(fileURLWithPath: argument), field: option)
        let unnamed = AuditedRule(name: "", source: argument, yaml: text)
        return AuditedRule(name: try unnamed.apply(to: ExperimentConfig()).transferRecipe.name, source: argument, yaml: text)
    }

    /// `config` with this rule as its `variant` (a composition's fraction becomes its α).
    public func apply(to config: ExperimentConfig) throws -> ExperimentConfig {
        guard let node = try YAMLInput.compose(yaml, field: "variant") else {
            throw ConfigError(field: "variant", "the rule file \(InputText.excerpt(source)) is empty")
        }
        return try ExperimentConfig(values: [ConfigKey.variant.rawValue: node], base: config)
    }
}


/// `ptv audit` (README, "ptv audit"; docs/theory.md §8a): a transfer rule against a baseline on
/// paired seeds. Both rules run every configuration × seed of a suite; a run's upstream task,
/// fresh draw, downstream data and test set depend only on the seed, so the two runs of a seed
/// share them and differ by what the rule inherits — checked on every pair (the upstream and
/// scratch phases must agree exactly). Every statement is judged on each rule's runs.
public struct TransferAudit {
    public let suite: ValidationSuite
    public let variant: AuditedRule
    public let baseline: AuditedRule
    public let library: ProofLibrary
    public let workers: Int
    /// The suite with every configuration under the variant, and under the baseline.
    public let variantSuite: ValidationSuite
    public let baselineSuite: ValidationSuite
    /// The ladder each rule's failing statements are chased up (docs/theory.md §8b); none when nil.
    public var ladder: ConstantLadder?

    /// Errors (a rule a configuration cannot run, say `top_snr` with T1 = 0) name the configuration.
    public init(suite: ValidationSuite, variant: AuditedRule, baseline: AuditedRule, library: ProofLibrary,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.suite = suite
        self.variant = variant
        self.baseline = baseline
        self.library = library
        self.workers = max(1, workers)
        variantSuite = try Self.suite(suite, under: variant)
        baselineSuite = try Self.suite(suite, under: baseline)
    }

    static func suite(_ suite: ValidationSuite, under rule: AuditedRule) throws -> ValidationSuite {
        var result = suite
        for (k, configuration) in suite.configurations.enumerated() {
            do { result.configurations[k].config = try rule.apply(to: configuration.config) } catch let error as ConfigError {
                throw ConfigError(field: "configurations[\(k)].\(error.field)", "rule '\(rule.name)' on '\(InputText.excerpt(configuration.label))': \(error.problem)")
            }
        }
        return result
    }

    /// The statements the suite judges, in the library's dependency order.
    public var statements: [ProofStatement] { suite.selected(library.statements) }

    /// Every configuration under the variant, then under the baseline: the runs of an audit.
    public var combinedSuite: ValidationSuite {
        var combined = variantSuite
        combined.configurations = variantSuite.configurations + baselineSuite.configurations
        return combined
    }

    /// Run both rules (runs found in `archive` are not run again), check the pairing, judge.
    public func run(archive: (any RunArchive)? = nil, progress: (String) -> Void) async throws -> AuditResult {
        try await Theory.$current.withValue(library.theory) {
            let combined = combinedSuite
            let count = suite.configurations.count
            let runner = SuiteRunner(suite: combined, workers: workers)
            progress("running \(count) configurations × \(suite.seeds.count) seeds under '\(variant.name)' and '\(baseline.name)': \(runner.jobs.count) runs on \(workers) workers")
            let start = Date()
            let runs = try await runner.run(archive: archive) { measured, done, stored in
                let elapsed = Date().timeIntervalSince(start)
                progress(String(format: "[%d/%d] %@ seed %llu %@ (%.0f s elapsed)", done, runner.jobs.count, measured.label, measured.seed,
                                stored ? "found in the store" : "done", elapsed))
            }
            // Job order: every variant configuration's seeds, then the baseline's.
            let perRule = suite.seeds.count * count
            let variantRuns = Array(runs[..<perRule]), baselineRuns = Array(runs[perRule...])
            for (v, b) in zip(variantRuns, baselineRuns) {
                guard v.label == b.label, v.seed == b.seed, Self.shared(v, b) else {
                    throw SuiteError("runs of \(v.label) seed \(v.seed) are not paired: the upstream or scratch phase differs between the rules")
                }
            }
            progress("judging \(statements.count) statements for each rule")
            let variantJudgements = try Judge(suite: variantSuite, runs: variantRuns).judge(statements)
            let baselineJudgements = try Judge(suite: baselineSuite, runs: baselineRuns).judge(statements)
            var result = try AuditResult(audit: self, variantRuns: variantRuns, baselineRuns: baselineRuns,
                                         variantJudgements: variantJudgements, baselineJudgements: baselineJudgements)
            if let ladder, !ladder.rungs.isEmpty {
                func climb(_ rule: AuditedRule, _ suite: ValidationSuite, _ judgements: [StatementJudgement]) async throws -> [StatementLadder] {
                    var chase = LadderChase(suite: suite, ladder: ladder, workers: workers)
                    chase.archive = archive
                    progress("the ladder of '\(rule.name)'")
                    return try await chase.run(judgements, progress: progress) { _, _ in }
                }
                result.variantLadders = try await climb(variant, variantSuite, variantJudgements)
                result.baselineLadders = try await climb(baseline, baselineSuite, baselineJudgements)
            }
            return result
        }
    }

    /// Whether two runs of one seed share the phases no rule touches: upstream and scratch,
    /// every recorded number equal to 1e-9 relative (exactly, in the reduced space; in ℝᵈ the
    /// test vectors differ in directions those phases never see, which moves their sums at
    /// rounding level), every text and count equal.
    static func shared(_ a: RunMeasurements, _ b: RunMeasurements) -> Bool {
        let encoder = RunMeasurements.encoder()
        func json(_ p: PhaseMeasurements?) -> JSONValue? {
            p.flatMap { try? JSONValue.encoding($0, with: encoder) }
        }
        func same(_ x: JSONValue?, _ y: JSONValue?) -> Bool {
            switch (x, y) {
            case let (.object(x)?, .object(y)?): return x.keys.sorted() == y.keys.sorted() && x.allSatisfy { same($0.value, y[$0.key]) }
            case let (.array(x)?, .array(y)?): return x.count == y.count && zip(x, y).allSatisfy(same)
            case let (x?, y?) where x.number != nil && y.number != nil:
                let (u, v) = (x.number!, y.number!)
                return u == v || abs(u - v) <= 1e-9 * max(1, abs(u), abs(v))
            default: return x == y
            }
        }
        return [Phase.upstream, .scratch].allSatisfy { phase in
            let x = json(a.phase(phase)), y = json(b.phase(phase))
            return x != nil && same(x, y)
        }
    }
}

/// One configuration of an audit: paired differences over seeds (docs/theory.md §8a).
package struct AuditComparison: Sendable {
    public let label: String
    public let cell: [(key: String, value: String)]
    /// The theory's Γ at each rule's α (they differ only when a rule sets its own fraction).
    package let gammaVariant: Double, gammaBaseline: Double
    /// Mean test errors over seeds.
    package let variantError: Double, baselineError: Double, scratchError: Double
    /// Transfer test error, variant − baseline, per seed.
    public let versusBaseline: PairedDifference
    /// Variant transfer − scratch test error, per seed.
    package let versusScratch: PairedDifference
    /// Γ̂ (the measured margin SNR of the transfer phase), variant − baseline, per seed.
    public let gammaHat: PairedDifference

    /// "better", "worse" or "indistinguishable": the sign of `versusBaseline`'s interval.
    public var outcome: String { ["better", "indistinguishable", "worse"][versusBaseline.sign + 1] }
}

/// What an audit found.
public struct AuditResult {
    public let audit: TransferAudit
    package let comparisons: [AuditComparison]
    package let variantJudgements: [StatementJudgement]
    package let baselineJudgements: [StatementJudgement]
    package let variantRuns: [RunMeasurements]
    package let baselineRuns: [RunMeasurements]
    /// Spearman's ρ between the theory's Γ and the mean transfer test error over the
    /// configurations, per rule (nil when either is constant); the theory predicts ρ < 0.
    package let rankCorrelationVariant: Double?
    package let rankCorrelationBaseline: Double?
    /// Each rule's ladders (docs/theory.md §8b), in the judgements' order; empty without a ladder.
    package internal(set) var variantLadders: [StatementLadder] = []
    package internal(set) var baselineLadders: [StatementLadder] = []

    init(audit: TransferAudit, variantRuns: [RunMeasurements], baselineRuns: [RunMeasurements],
         variantJudgements: [StatementJudgement], baselineJudgements: [StatementJudgement]) throws {
        self.audit = audit
        self.variantRuns = variantRuns
        self.baselineRuns = baselineRuns
        self.variantJudgements = variantJudgements
        self.baselineJudgements = baselineJudgements
        func value(_ run: RunMeasurements, _ phase: Phase, _ read: (PhaseMeasurements) -> Double?) -> Double {
            run.phases.first { $0.phase == phase.rawValue }.flatMap(read) ?? .nan
        }
        let variantByLabel = Dictionary(grouping: variantRuns, by: \.label), baselineByLabel = Dictionary(grouping: baselineRuns, by: \.label)
        comparisons = try audit.suite.configurations.indices.map { k in
            let label = audit.suite.configurations[k].label
            let v = variantByLabel[label] ?? [], b = baselineByLabel[label] ?? []
            let error: (PhaseMeasurements) -> Double? = { $0.testError }
            let gammaHat: (PhaseMeasurements) -> Double? = { $0.margins?["Gamma_hat"] }
            func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(1, x.count)) }
            let summaryV = try ConfigurationSummary(audit.variantSuite.configurations[k], runs: v, constants: audit.suite.constants)
            let summaryB = try ConfigurationSummary(audit.baselineSuite.configurations[k], runs: b, constants: audit.suite.constants)
            return AuditComparison(
                label: label, cell: audit.suite.configurations[k].cell,
                gammaVariant: summaryV.gamma, gammaBaseline: summaryB.gamma,
                variantError: mean(v.map { value($0, .transfer, error) }), baselineError: mean(b.map { value($0, .transfer, error) }),
                scratchError: mean(v.map { value($0, .scratch, error) }),
                versusBaseline: try PairedDifference(zip(v, b).map { value($0, .transfer, error) - value($1, .transfer, error) }),
                versusScratch: try PairedDifference(v.map { value($0, .transfer, error) - value($0, .scratch, error) }),
                gammaHat: try PairedDifference(zip(v, b).map { value($0, .transfer, gammaHat) - value($1, .transfer, gammaHat) }))
        }
        rankCorrelationVariant = RankCorrelation.spearman(comparisons.map(\.gammaVariant), comparisons.map(\.variantError))
        rankCorrelationBaseline = RankCorrelation.spearman(comparisons.map(\.gammaBaseline), comparisons.map(\.baselineError))
    }

    /// Each statement's verdict under both rules; those that changed first, then library order.
    public var verdicts: [(id: String, variant: StatementJudgement, baseline: StatementJudgement)] {
        let rows = zip(variantJudgements, baselineJudgements).map { (id: $0.statement.id, variant: $0, baseline: $1) }
        return rows.filter { $0.variant.verdict != $0.baseline.verdict } + rows.filter { $0.variant.verdict == $0.baseline.verdict }
    }

    /// Statements that hold for the baseline and are violated for the variant (exit code 1).
    /// With a ladder: that hold or hold from some C₀ for the baseline and are
    /// violated-persistent for the variant.
    public var regressions: [String] {
        guard !variantLadders.isEmpty else {
            return verdicts.filter { Self.regresses(baseline: $0.baseline.verdict, variant: $0.variant.verdict) }.map(\.id)
        }
        let baseline = Dictionary(uniqueKeysWithValues: baselineLadders.map { ($0.id, $0.verdict) })
        return variantLadders.filter { $0.verdict == .violatedPersistent && [.holds, .holdsFrom].contains(baseline[$0.id]) }.map(\.id)
    }

    /// A statement's ladder verdicts under the variant and the baseline, when a ladder was climbed.
    package func ladderVerdicts(_ id: String) -> (variant: StatementLadder, baseline: StatementLadder)? {
        guard let v = variantLadders.first(where: { $0.id == id }), let b = baselineLadders.first(where: { $0.id == id }) else { return nil }
        return (v, b)
    }

    /// A regression: the statement holds under the baseline and is violated under the variant
    /// (a verdict that becomes indeterminate, blocked or not-applicable is a change, not a regression).
    static func regresses(baseline: Verdict, variant: Verdict) -> Bool { baseline == .holds && variant == .violated }
}
