import Bounds
import Foundation
import NumericsCore
import Platform
import RunStore
import TransferModel

/// Seeds added to the cells of a two-key grid where the theory files disagree, until those
/// cells decide or a budget of runs is spent (`ptv sweep --adaptive`; docs/theory.md §6f).
///
/// After the grid's own seeds, a cell is a *target* when it is disputed (two files predict
/// opposite signs of transfer − scratch there, ``PhaseScoreboard``) or lies next to a predicted
/// boundary (a file's predicted sign changes between it and a neighbouring cell). A target whose
/// interval at its current look of the ``SeedSchedule`` covers 0 gets the seeds of its next look
/// (doubling its seeds); a cell whose interval excludes 0 stops. Rounds repeat until no target is
/// open or the next look of every open one would exceed the budget. Everything is decided from
/// the store, so an interrupted run resumes where it stopped and spends nothing twice.
package struct AdaptiveSeeds: Sendable {
    package let grid: SweepGrid
    package let store: SweepStore
    package let theories: [PhaseDiagram.NamedTheory]
    /// The most added runs the store may hold (counted over every invocation).
    package let budget: Int
    package let workers: Int

    /// Why a cell is a target.
    package enum Reason: String, Sendable {
        case disputed
        case nearBoundary = "near a predicted boundary"
    }

    /// One look's seeds for one cell.
    package struct Step: Sendable {
        package let cell: Int
        package let look: Int
        package let jobs: [SweepJob]
        package let reason: String
    }

    /// What the rounds did.
    package struct Outcome: Sendable {
        /// Target cells, and how many of them are decisive at their last look.
        package var targets = 0
        package var decisive = 0
        /// Added runs in the store, and those run by this invocation.
        package var added = 0
        package var ran = 0
        package var rounds = 0
        /// Why the rounds stopped.
        package var stop = ""
    }

    package init(grid: SweepGrid, store: SweepStore, theories: [PhaseDiagram.NamedTheory], budget: Int, workers: Int) throws {
        guard grid.axes.count == 2 else {
            throw ConfigError(field: "--adaptive", "needs a grid over two keys (this one has \(grid.axes.count): \(grid.axes.map(\.key).joined(separator: ", ")))")
        }
        guard budget >= 0 else { throw ConfigError(field: "--budget", "\(budget) is outside the allowed range: an integer ≥ 0") }
        self.grid = grid
        self.store = store
        self.theories = theories
        self.budget = budget
        self.workers = max(1, workers)
    }

    /// The schedule's first look is the grid's seeds.
    var schedule: SeedSchedule { get throws { try SeedSchedule(initial: grid.seeds.count, alpha: 1 - PhaseDiagram.cellConfidence) } }

    /// Seed numbers added at look `k` (k ≥ 2): the next n₀·2^(k−2) integers after the grid's
    /// largest seed and the earlier looks' seeds — the same for every cell.
    func addedSeeds(look k: Int) throws -> [UInt64] {
        let schedule = try self.schedule, first = (grid.seeds.max() ?? 0) + 1
        let before = UInt64(schedule.seeds(look: k - 1) - schedule.initial), count = UInt64(schedule.seeds(look: k) - schedule.seeds(look: k - 1))
        return (0..<count).map { first + before + $0 }
    }

    /// Run rounds until no target is open or the budget stops them. `progress` gets a line per
    /// round and per finished run.
    package func run(progress: @escaping (String) -> Void) async throws -> Outcome {
        var outcome = Outcome()
        while true {
            let (steps, state) = try plan()
            outcome.targets = state.targets
            outcome.decisive = state.decisive
            outcome.added = state.added
            guard !steps.isEmpty else {
                outcome.stop = state.open == 0 ? "every target cell is decisive" : "the budget (\(budget) added runs) cannot pay for the next look of the \(state.open) open target cells"
                return outcome
            }
            outcome.rounds += 1
            for step in steps {
                try store.recordAddedSeeds(step.jobs.map(\.key), look: step.look, reason: step.reason)
            }
            let finished = try store.finishedKeys()
            let jobs = steps.flatMap(\.jobs).filter { !finished.contains($0.key) }
            progress("adaptive round \(outcome.rounds): \(state.open) of \(state.targets) target cells open; next look for \(steps.count) of them, \(jobs.count) runs")
            var batch = StoreBatch(store: store)
            defer { try? batch.flush() }
            try await ParallelRuns.run(jobs, workers: workers, { job in try await SweepResult.run(job) }, onResult: { k, result in
                try batch.add(result)
                outcome.ran += 1
                progress("[\(k + 1)/\(jobs.count)] \(grid.label(cell: jobs[k].cell)) seed \(jobs[k].seed) (\(String(format: "%.1f", result.seconds)) s)")
            })
            try batch.flush()
        }
    }

    /// The targets' state in the store, and the steps of the next round.
    func plan() throws -> (steps: [Step], state: (targets: Int, open: Int, decisive: Int, added: Int)) {
        let runs = try store.runs()
        let recorded = try store.addedSeeds()
        let x = grid.axes[1].key, y = grid.axes[0].key
        let diagram = try PhaseDiagram(runs: runs, x: x, y: y)
        let transfer = try diagram.transferSummary(theories: theories)
        let schedule = try self.schedule
        // The grid cell at each (x, y) of the diagram, through the cells' numeric values.
        var cellAt: [[Double]: Int] = [:]
        for cell in 0..<grid.cellCount where grid.unplaced[cell] == nil {
            let values = try grid.config(cell: cell).numericValues
            if let xv = values[x], let yv = values[y] { cellAt[[xv, yv]] = cell }
        }
        var reasons: [[Int]: Reason] = [:]
        for c in transfer.scoreboard.cells { reasons[[c.row, c.column]] = .disputed }
        for p in transfer.predictions {
            for i in diagram.ys.indices {
                for j in diagram.xs.indices {
                    guard let s = p.signs[i][j], s != 0 else { continue }
                    let neighbours = [(i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)].filter { diagram.ys.indices.contains($0.0) && diagram.xs.indices.contains($0.1) }
                    if neighbours.contains(where: { p.signs[$0.0][$0.1].map { $0 != 0 && $0 != s } ?? false }), reasons[[i, j]] == nil {
                        reasons[[i, j]] = .nearBoundary
                    }
                }
            }
        }
        var steps: [Step] = [], open = 0, decisive = 0
        var budgetLeft = budget - recorded.count
        // Disputed cells first, then grid order.
        let targets = reasons.keys.sorted { a, b in
            let ra = reasons[a] == .disputed ? 0 : 1, rb = reasons[b] == .disputed ? 0 : 1
            return ra != rb ? ra < rb : a.lexicographicallyPrecedes(b)
        }
        for position in targets {
            let (i, j) = (position[0], position[1])
            guard let cell = cellAt[[diagram.xs[j], diagram.ys[i]]], !diagram.differences[i][j].isEmpty else { continue }
            let look = diagram.looks[i][j], count = diagram.differences[i][j].count
            let nextLook: Int
            if count < schedule.seeds(look: look) {
                guard look > 1 else { continue }   // the grid's own seeds are not all in: `ptv sweep` runs them
                open += 1
                nextLook = look   // an interrupted look: finish it (its runs are already recorded and paid for)
            } else {
                if try schedule.interval(diagram.differences[i][j], look: look).sign != 0 { decisive += 1; continue }
                open += 1
                nextLook = look + 1
            }
            let seeds = try addedSeeds(look: nextLook)
            let base = try grid.job(at: cell * grid.seeds.count)
            let jobs = seeds.map { base.reseeded($0) }
            let unpaid = jobs.filter { recorded[$0.key] == nil }.count
            guard unpaid <= budgetLeft else { continue }
            budgetLeft -= unpaid
            steps.append(Step(cell: cell, look: nextLook, jobs: jobs,
                              reason: "\(reasons[position]!.rawValue); open at look \(nextLook - 1) (\(schedule.seeds(look: nextLook - 1)) seeds, \(String(format: "%.4g", 100 * (1 - schedule.alpha(look: nextLook - 1)))) % interval)"))
        }
        return (steps, (targets.count, open, decisive, recorded.count))
    }
}
