import Bounds
import DeepNetworks
import Foundation
import NumericsCore
import Platform
import RunStore
import TransferModel
import Validation
import Vocabulary

/// `ptv validate` on a deep suite (docs/theory.md §9a–§9c): every configuration × seed as an
/// upstream run, a transfer run and its matched scratch run, stored in a run store as each
/// finishes (a run already in the store is not run again, so an interrupted suite resumes), then
/// every statement of `proofs/deep/` judged on the paired gains.
public struct DeepValidation: Sendable {
    public let suite: DeepSuite
    public let statements: [DeepStatement]
    public let workers: Int

    public init(suite: DeepSuite, statements: [DeepStatement], workers: Int) throws {
        if let ids = suite.statements {
            let known = Set(statements.map(\.id))
            if let unknown = ids.first(where: { !known.contains($0) }) {
                throw ConfigError(field: "statements", "'\(InputText.excerpt(unknown))' is not a deep statement (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        for (k, c) in suite.configurations.enumerated() { try c.checkTransfer(field: "configurations[\(k)].transfer.layers") }
        self.suite = suite
        self.statements = suite.statements.map { ids in statements.filter { ids.contains($0.id) } } ?? statements
        self.workers = max(1, workers)
    }

    /// The runs of one configuration at one seed.
    package struct Unit: Sendable {
        public let configuration: Int
        public let seed: UInt64
        public let upstream: DeepRun
        public let transfer: DeepRun
        public let scratch: DeepRun
    }

    /// Every configuration × seed, configuration-major.
    package var units: [Unit] {
        suite.configurations.indices.flatMap { k in
            suite.seeds.map { seed in
                let c = suite.configurations[k]
                let upstream = DeepRun(role: .upstream, config: c.upstream, seed: seed)
                return Unit(configuration: k, seed: seed, upstream: upstream,
                            transfer: DeepRun(role: .transfer, config: c.downstream, seed: seed, plan: c.transfer, upstreamKey: upstream.key),
                            scratch: DeepRun(role: .scratch, config: c.downstream, seed: seed))
            }
        }
    }

    /// Bytes the suite holds at most: the two splits, read once and normalised (two copies), and
    /// per worker the largest run's batch activations, parameters and task images.
    public func memoryEstimate(layout: (train: [Int], test: [Int])) -> Double {
        let perRun = suite.configurations.flatMap { [$0.upstream, $0.downstream] }
            .map { $0.memoryEstimate(layout: layout, readingSplits: false) }.max() ?? 0
        return DeepConfig.splitBytes(layout) + Double(min(workers, units.count)) * perRun
    }

    /// Run what the store lacks, then judge. `progress` receives one line per finished run.
    package func run(images: TaskImages, store: SweepStore, progress: @escaping (String) -> Void) async throws -> DeepValidationResult {
        try await train(images: images, store: store, progress: progress)
        return try judge(store: store)
    }

    /// Train the runs of the units (of one share of them: those whose position is `index`
    /// modulo `count`, for one array task on a cluster) that the store lacks.
    package func train(images: TaskImages, store: SweepStore, share: WorkShare? = nil,
                      progress: @escaping (String) -> Void) async throws {
        let units = share?.select(self.units) ?? self.units
        var seen = Set<String>()
        let upstreams = units.map(\.upstream).filter { seen.insert($0.key).inserted }
        let downstreams = units.flatMap { [$0.transfer, $0.scratch] }.filter { seen.insert($0.key).inserted }
        let missingUp = try upstreams.filter { try store.deepRun(key: $0.key) == nil }
        let missingDown = try downstreams.filter { try store.deepRun(key: $0.key) == nil }
        let total = missingUp.count + missingDown.count
        progress("\(suite.configurations.count) configurations × \(suite.seeds.count) seeds: \(upstreams.count + downstreams.count) distinct runs, \(total) to run on \(workers) workers (the rest are in the store)")
        let start = Date()
        var done = 0
        func finished(_ run: DeepRun, _ record: DeepRunRecord) {
            done += 1
            let elapsed = Date().timeIntervalSince(start)
            let remaining = elapsed / Double(done) * Double(total - done)
            progress(String(format: "[%d/%d] %@ seed %llu: test accuracy %.1f %% (%.0f s; %.0f s elapsed, about %.0f s left)",
                            done, total, run.role.rawValue, run.seed, 100 * record.testAccuracy, record.seconds, elapsed, remaining))
        }
        // Upstream networks first: each transfer run reads its upstream's arrays from the store.
        try await ParallelRuns.run(missingUp, workers: workers, { run in
            try run.execute(images: images)
        }, onResult: { k, output in
            try store.insertDeepRun(key: missingUp[k].key, json: DeepRunRecord.encoder().encode(output.0), arrays: output.1)
            finished(missingUp[k], output.0)
        })
        try await ParallelRuns.run(missingDown, workers: workers, { run in
            try run.execute(images: images, upstream: try Self.upstreamArrays(of: run, in: store)).record
        }, onResult: { k, record in
            try store.insertDeepRun(key: missingDown[k].key, json: DeepRunRecord.encoder().encode(record), arrays: nil)
            finished(missingDown[k], record)
        })
        // Each transfer run's starting point, rebuilt from its upstream's stored arrays (cheap:
        // no training, two passes over the downstream images).
        let missingStart = try downstreams.filter { $0.role == .transfer }.filter { try store.deepRun(key: StartingPoint.key(of: $0)) == nil }
        if !missingStart.isEmpty { progress("recording \(missingStart.count) transfer runs' starting points (epoch 0)") }
        try await ParallelRuns.run(missingStart, workers: workers, { run in
            try StartingPoint.measure(run, images: images, upstream: try Self.upstreamArrays(of: run, in: store) ?? [:])
        }, onResult: { k, start in
            try store.insertDeepRun(key: StartingPoint.key(of: missingStart[k]), json: DeepRunRecord.encoder().encode(start), arrays: nil)
        })
    }

    /// The stored arrays of the upstream network a transfer run inherits from (nil for other runs).
    static func upstreamArrays(of run: DeepRun, in store: SweepStore) throws -> [String: Tensor<Float>]? {
        guard let key = run.upstreamKey else { return nil }
        guard let data = try store.deepRun(key: key)?.arrays else { throw ConfigError(field: "store", "the upstream run \(key) has no stored arrays") }
        return try Checkpoint.decode(data, field: "store")
    }

    /// Judge every statement on the runs in the store (all of them must be there).
    package func judge(store: SweepStore) throws -> DeepValidationResult {
        let decoder = DeepRunRecord.decoder()
        func record(_ run: DeepRun) throws -> DeepRunRecord {
            guard let json = try store.deepRun(key: run.key)?.json else { throw ConfigError(field: "store", "run \(run.key) is missing from the store") }
            return try decoder.decode(DeepRunRecord.self, from: json)
        }
        let outcomes = try self.units.map { unit in
            DeepOutcome(configuration: unit.configuration, seed: unit.seed, upstream: try record(unit.upstream),
                        transfer: try record(unit.transfer), scratch: try record(unit.scratch),
                        start: try store.deepRun(key: StartingPoint.key(of: unit.transfer)).map { try decoder.decode(StartingPoint.self, from: $0.json) })
        }
        return try DeepValidationResult(validation: self, outcomes: outcomes)
    }
}

/// The three runs of one configuration at one seed.
package struct DeepOutcome: Sendable {
    public let configuration: Int
    public let seed: UInt64
    public let upstream: DeepRunRecord
    public let transfer: DeepRunRecord
    public let scratch: DeepRunRecord
    /// The transfer run's starting point (nil in a store that was trained without it).
    package let start: StartingPoint?

    /// Transfer − scratch test accuracy (a fraction).
    public var gain: Double { transfer.testAccuracy - scratch.testAccuracy }
}

/// What a deep suite found: every outcome and every statement's judgement.
public struct DeepValidationResult: Sendable {
    public let validation: DeepValidation
    package let outcomes: [DeepOutcome]
    public let judgements: [DeepJudgement]

    init(validation: DeepValidation, outcomes: [DeepOutcome]) throws {
        self.validation = validation
        self.outcomes = outcomes
        var gains: [String: [Double]] = [:]
        for (k, c) in validation.suite.configurations.enumerated() {
            gains[c.label] = validation.suite.seeds.map { seed in outcomes.first { $0.configuration == k && $0.seed == seed }!.gain }
        }
        judgements = try validation.statements.map { try DeepJudgement.judge($0, gains: gains) }
    }

    /// The outcomes of configuration `k`, in seed order.
    package func outcomes(of k: Int) -> [DeepOutcome] { outcomes.filter { $0.configuration == k } }

    /// Verdict counts by name.
    public var counts: [String: Int] { Dictionary(grouping: judgements, by: \.verdict.rawValue).mapValues(\.count) }

    /// The exit code's rule for a deep suite: 1 when a statement of the paper is violated. A
    /// violated `paper (claim)` statement — a number at the paper's scale judged at this one — is
    /// a finding about scale and leaves it 0 (docs/theory.md §9c).
    public var isEvidenceAgainst: Bool { judgements.contains { $0.verdict == .violated && $0.statement.provenance != .paperClaim } }

    /// What ``isEvidenceAgainst`` makes of the exit code, in words.
    package var exitCodeMeaning: String {
        let scale = judgements.filter { $0.verdict == .violated && $0.statement.provenance == .paperClaim }.map(\.statement.id)
        let note = scale.isEmpty ? "" : "; violated at this scale only (paper (claim)): \(scale.joined(separator: ", "))"
        return (isEvidenceAgainst ? "exit code 1: a deep statement of the paper is violated" : "exit code 0: no deep statement of the paper is violated") + note
    }
}
