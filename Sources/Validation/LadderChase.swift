import Bounds
import Foundation
import Platform
import TransferModel
import Vocabulary

/// The chase up the ladder of constants (docs/theory.md §8b).
///
/// After a suite is judged at its C, each statement that is violated, undecided or blocked there
/// (every one that is not not-applicable with `chaseAll`) is chased: its K worst judged
/// configurations — smallest relative margin over their evidence rows — are lifted to every
/// rung (§6a, ``ConfigurationLift``, without check runs: the lift keeps each task's training
/// clock), run at the suite's seeds, and the statement is judged there with the constants it
/// was fitted with at the suite's C. A probe that compares a configuration with others (a
/// monotonicity family, the whole suite) takes them along; those of the same d are lifted
/// together, as one family. A configuration that cannot reach a rung is reported with the
/// largest C any lift reaches and the condition that binds it.
package struct LadderChase: Sendable {
    public let suite: ValidationSuite
    public let ladder: ConstantLadder
    public let workers: Int
    /// Runs kept across invocations (shard stores): found there, a run is not trained again.
    public var archive: (any RunArchive)?

    public init(suite: ValidationSuite, ladder: ConstantLadder, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.suite = suite
        self.ladder = ladder
        self.workers = max(1, workers)
    }

    /// Configurations lifted together at a rung: one chased configuration's family of one d, or
    /// a single configuration. Identified by its member labels.
    struct LiftUnit: Hashable, Comparable {
        let members: [String]
        static func < (a: LiftUnit, b: LiftUnit) -> Bool { a.members.lexicographicallyPrecedes(b.members) }

        /// The label of a member's run in this unit: the member's own label when the unit holds
        /// it alone, else the member's label and a short fingerprint of the unit.
        func runLabel(_ member: String) -> String {
            guard members.count > 1 else { return member }
            var hash: UInt32 = 2_166_136_261   // FNV-1a over the member labels
            for byte in members.joined(separator: "\n").utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            return member + "+" + String(hash, radix: 16)
        }
    }

    /// What a chased configuration is judged with: each configuration it needs, and the unit
    /// that lifts it.
    struct Chase {
        let statement: ProofStatement
        let head: String
        let needs: [(label: String, unit: LiftUnit)]
    }

    /// A member lifted to a rung, or why it was not.
    enum Placement {
        case lifted(ExperimentConfig, overall: RegimeConstant)
        case unreachable(constant: Double?, binding: String?, note: String)
    }

    /// Whether a statement judged at the suite's C is chased.
    func isChased(_ j: StatementJudgement) -> Bool {
        if ladder.chaseAll { return j.verdict != .notApplicable }
        return j.verdict == .blocked || j.ownVerdict == .violated || j.ownVerdict == .indeterminate
    }

    /// The labels of a statement's K worst judged configurations (smallest relative margin first).
    func worstConfigurations(_ j: StatementJudgement) -> [String] {
        let candidates = j.configurations.filter { $0.judged && $0.verdict != .notApplicable && !$0.rows.isEmpty }
        let ranked: [(label: String, margin: Double)] = candidates.map { ($0.label, Self.worstMargin($0.rows) ?? .infinity) }
        let sorted = ranked.sorted { a, b in a.margin < b.margin || (a.margin == b.margin && a.label < b.label) }
        return sorted.prefix(ladder.configurationsPerStatement).map(\.label)
    }

    static func worstMargin(_ rows: [EvidenceRow]) -> Double? {
        rows.map(\.relativeMargin).filter { !$0.isNaN }.min()
    }

    /// Chase every statement that needs it; returns one ladder per judged statement, in order.
    /// `store` receives each run trained (with its rung and run label) as it finishes.
    public func run(_ judgements: [StatementJudgement], progress: (String) -> Void,
                    store: (RunMeasurements, Double) -> Void) async throws -> [StatementLadder] {
        let byLabel = Dictionary(uniqueKeysWithValues: suite.configurations.map { ($0.label, $0) })
        var chases: [Chase] = []
        for j in judgements where isChased(j) {
            for head in worstConfigurations(j) {
                let configuration = byLabel[head]!
                let compared = j.probe?.comparedConfigurations?(configuration, suite.configurations) ?? [head]
                let family = LiftUnit(members: compared.filter { byLabel[$0]!.config.d == configuration.config.d }.sorted())
                let needs = compared.map { label in (label, byLabel[label]!.config.d == configuration.config.d ? family : LiftUnit(members: [label])) }
                chases.append(Chase(statement: j.statement, head: head, needs: needs))
            }
        }
        let units = Set(chases.flatMap { $0.needs.map(\.unit) }).sorted()
        let chasedIds = Set(chases.map(\.statement.id))
        if !chases.isEmpty {
            let labels = Set(units.flatMap(\.members))
            progress("ladder: chasing \(chasedIds.count) statement\(chasedIds.count == 1 ? "" : "s") on \(labels.count) configuration\(labels.count == 1 ? "" : "s") (K = \(ladder.configurationsPerStatement)) at C = \(ladder.rungs.map(Judge.format).joined(separator: ", "))")
        }

        // The rungs, the suite's first. At each, a statement is judged only when every statement
        // it uses admits it there (holds, is undecided or not applicable); the statements are taken
        // in waves down the dependency order, and each wave runs only what its statements need.
        let judged = Dictionary(uniqueKeysWithValues: judgements.map { ($0.statement.id, $0) })
        let heads = Dictionary(grouping: chases, by: \.statement.id).mapValues { $0.map(\.head) }
        var rungs: [String: [LadderRung]] = [:]
        func blocker(_ j: StatementJudgement, _ index: Int) -> String? {
            for used in j.statement.uses {
                guard let outcome = rungs[used]?[index].outcome, !outcome.admitsUsers else { continue }
                return "uses \(used), which is \(outcome.rawValue) here"
            }
            return nil
        }
        for j in judgements {
            let own = chasedIds.contains(j.statement.id) ? RungOutcome(j.ownVerdict) : RungOutcome(j.verdict)
            let block = chasedIds.contains(j.statement.id) ? blocker(j, 0) : nil
            rungs[j.statement.id] = [LadderRung(constant: Self.suiteConstant(suite), configurations: (heads[j.statement.id] ?? []).map { head in
                baseConfiguration(head, j, byLabel[head]!)
            }, outcome: block == nil ? own : .blocked, note: block ?? (j.verdict == .blocked ? j.reason : ""))]
        }
        for (index, rung) in ladder.rungs.enumerated().map({ ($0.offset + 1, $0.element) }) {
            var placements: [LiftUnit: [String: Placement]] = [:]
            var runs: [String: [RunMeasurements]] = [:]
            for j in judgements where !chasedIds.contains(j.statement.id) {
                rungs[j.statement.id]!.append(LadderRung(constant: rung, configurations: [], outcome: rungs[j.statement.id]![0].outcome))
            }
            var pending = judgements.filter { chasedIds.contains($0.statement.id) }
            while !pending.isEmpty {
                let ready = pending.filter { j in j.statement.uses.allSatisfy { judged[$0] == nil || rungs[$0]!.count > index } }
                pending.removeAll { j in ready.contains { $0.statement.id == j.statement.id } }
                var judging: [StatementJudgement] = []
                for j in ready {
                    if let note = blocker(j, index) {
                        rungs[j.statement.id]!.append(LadderRung(constant: rung, configurations: [], outcome: .blocked, note: note))
                    } else {
                        judging.append(j)
                    }
                }
                let wave = chases.filter { chase in judging.contains { $0.statement.id == chase.statement.id } }
                let waveUnits = Set(wave.flatMap { $0.needs.map(\.unit) }).filter { placements[$0] == nil }.sorted()
                for unit in waveUnits { placements[unit] = try await place(unit, at: rung, byLabel) }
                let lifted = waveUnits.flatMap { unit in unit.members.compactMap { member -> ValidationSuite.Configuration? in
                    guard case .lifted(let config, _) = placements[unit]![member]! else { return nil }
                    return ValidationSuite.Configuration(label: unit.runLabel(member), split: .heldOut, config: config)
                } }
                if !waveUnits.isEmpty {
                    let unreached = waveUnits.reduce(0) { $0 + $1.members.count } - lifted.count
                    progress("ladder C = \(Judge.format(rung)): \(judging.map(\.statement.id).joined(separator: ", ")): \(lifted.count) configuration\(lifted.count == 1 ? "" : "s") lifted\(unreached > 0 ? ", \(unreached) cannot reach it" : ""); \(lifted.count * suite.seeds.count) runs")
                }
                if !lifted.isEmpty {
                    let chaseSuite = ValidationSuite(name: "\(suite.name)-C\(Judge.format(rung))", seeds: suite.seeds, configurations: lifted)
                    let runner = SuiteRunner(suite: chaseSuite, workers: workers)
                    let total = runner.jobs.count, start = Date()
                    let finished = try await runner.run(archive: archive) { measured, done, found in
                        if !found { store(measured, rung) }
                        let elapsed = Date().timeIntervalSince(start)
                        progress(String(format: "[ladder C = %@: %d/%d] %@ seed %llu %@ (%.0f s elapsed, about %.0f s left)", Judge.format(rung), done, total,
                                        measured.label, measured.seed, found ? "found in the shards" : "done", elapsed, elapsed / Double(done) * Double(total - done)))
                    }
                    runs.merge(Dictionary(grouping: finished, by: \.label)) { a, _ in a }
                }
                for j in judging {
                    let configurations = try wave.filter { $0.statement.id == j.statement.id }
                        .map { try judge($0, at: rung, placements: placements, runs: runs, fitted: j.fitted) }
                    let own = configurations.filter(\.reached).compactMap(\.verdict)
                    rungs[j.statement.id]!.append(LadderRung(
                        constant: rung, configurations: configurations, outcome: own.isEmpty ? .unreachable : RungOutcome(Verdict.combine(own)),
                        note: own.isEmpty ? configurations.map { "\($0.label): \($0.note)" }.joined(separator: "; ") : ""))
                }
            }
        }
        return judgements.map { j in StatementLadder(id: j.statement.id, rungs: rungs[j.statement.id]!, chased: chasedIds.contains(j.statement.id)) }
    }

    static func suiteConstant(_ suite: ValidationSuite) -> Double {
        suite.constants["C"] ?? IdentifierCatalog.constantDefaults["C"]!
    }

    /// A chased configuration as judged at the suite's C.
    func baseConfiguration(_ head: String, _ j: StatementJudgement, _ configuration: ValidationSuite.Configuration) -> RungConfiguration {
        let evidence = j.configurations.first { $0.label == head }
        var constant = evidence?.regimeConstant, binding = evidence?.bindingCondition
        if !(constant?.isFinite ?? false), let overall = try? Self.overallConstant(configuration.config, Self.suiteConstant(suite)) {
            (constant, binding) = (overall.value, overall.binding)
        }
        return RungConfiguration(label: head, reached: true, constant: constant, binding: binding, verdict: evidence?.verdict,
                                 worstRelativeMargin: evidence.flatMap { Self.worstMargin($0.rows) })
    }

    /// C_max of a configuration over every condition of both tasks (Theorem 4.2's hypotheses).
    static func overallConstant(_ config: ExperimentConfig, _ constant: Double) throws -> RegimeConstant {
        var constants = config.effectiveConstants
        constants["C"] = constant
        return try TheoryReport(configuration: config.numericValues, constants: constants).regimeConstant.get()
    }

    /// Lift a unit's members to a rung: those whose ceiling is below it are unreachable; the
    /// rest are lifted together, or all reported unreachable with the lift's refusal.
    func place(_ unit: LiftUnit, at rung: Double, _ byLabel: [String: ValidationSuite.Configuration]) async throws -> [String: Placement] {
        var out: [String: Placement] = [:]
        var reachable: [String] = []
        for member in unit.members {
            let ceiling = try ConfigurationLift.ceiling(of: [byLabel[member]!.config])
            if ceiling.value < rung {
                out[member] = .unreachable(constant: ceiling.value, binding: ceiling.binding,
                                           note: "cannot reach C = \(Judge.format(rung)): \(ceiling.binding ?? "a condition") allows at most C = \(Judge.format(ceiling.value))")
            } else {
                reachable.append(member)
            }
        }
        guard !reachable.isEmpty else { return out }
        do {
            let lift = try await ConfigurationLift(reachable.map { byLabel[$0]!.config }, constant: rung, check: false)
            for (index, member) in reachable.enumerated() {
                out[member] = .lifted(lift.lifted[index], overall: lift.regimeConstants[index])
            }
        } catch let error as ConfigError {
            for member in reachable {
                out[member] = .unreachable(constant: nil, binding: error.field, note: "cannot reach C = \(Judge.format(rung)): \(error.field): \(error.problem)")
            }
        }
        return out
    }

    /// Judge one chased configuration at a rung, on the lifted configurations it needs, with the
    /// constants fitted at the suite's C.
    func judge(_ chase: Chase, at rung: Double, placements: [LiftUnit: [String: Placement]], runs: [String: [RunMeasurements]],
               fitted: [FittedConstant]) throws -> RungConfiguration {
        let head = chase.needs.first { $0.label == chase.head }!
        if case .unreachable(let constant, let binding, let note) = placements[head.unit]![head.label]! {
            return RungConfiguration(label: chase.head, reached: false, constant: constant, binding: binding, verdict: nil,
                                     worstRelativeMargin: nil, note: note)
        }
        var configurations: [ValidationSuite.Configuration] = [], measured: [RunMeasurements] = []
        var overall = RegimeConstant(value: .infinity, binding: nil)
        for (label, unit) in chase.needs {
            guard case .lifted(let config, let regime) = placements[unit]![label]! else { continue }
            configurations.append(ValidationSuite.Configuration(label: label, split: .heldOut, config: config))
            measured += (runs[unit.runLabel(label)] ?? []).map { var run = $0; run.label = label; return run }
            if label == chase.head { overall = regime }
        }
        var constants = suite.constants
        for constant in fitted { constants[constant.name] = constant.value }
        constants["C"] = rung
        let rungSuite = ValidationSuite(name: suite.name, seeds: suite.seeds, constants: constants, configurations: configurations)
        let judgement = try Judge(suite: rungSuite, runs: measured).judge(chase.statement)
        let evidence = judgement.configurations.first { $0.label == chase.head }
        let finite = evidence.map { $0.regimeConstant.isFinite } ?? false
        return RungConfiguration(label: chase.head, reached: true,
                                 constant: finite ? evidence!.regimeConstant : overall.value,
                                 binding: finite ? evidence!.bindingCondition : overall.binding,
                                 verdict: evidence?.verdict ?? judgement.verdict,
                                 worstRelativeMargin: evidence.flatMap { Self.worstMargin($0.rows) })
    }
}
