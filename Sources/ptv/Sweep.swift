import ArgumentParser
import Bounds
import Foundation
import NumericsCore
import Platform
import RunStore
import Sweeps
import TransferModel
import Vocabulary

/// `ptv sweep`: run a grid of configs × seeds in parallel into an embedded store; `ptv sweep
/// export` writes the store as CSV or JSON.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a grid of configs × seeds in parallel into a SQLite store (resumable).",
        discussion: """
        The grid file is YAML with base: (a config), grid: (config keys → lists of values; the \
        cells are their Cartesian product) and seeds: (a list). Each cell runs once per seed; \
        results are keyed by a hash of the effective config, so re-running the same command \
        skips finished runs, and a killed sweep loses at most the runs in flight.
        """,
        subcommands: [SweepRun.self, SweepExportCommand.self, SweepMergeCommand.self, SweepStatusCommand.self],
        defaultSubcommand: SweepRun.self)
}

struct SweepRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the unfinished runs of a grid (the default).")

    @Option(name: .long, help: "Grid YAML (base:, grid:, seeds:).")
    var grid: String

    @Option(name: .long, help: "SQLite store (created if missing; finished runs are skipped).")
    var store: String

    @Option(name: .long, help: "Runs in parallel (default: the number of cores).")
    var workers: Int = SweepRunner.defaultWorkers

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @OptionGroup var memory: MemoryLimit

    @Option(name: .long, help: "Run only shard i of N (i/N) into S.shards/i.sqlite beside the store (what each Slurm array task does).")
    var shard: String?

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "After the grid, add seeds to the cells where the theory files disagree or that lie next to a predicted boundary, by an α-spending schedule (docs/theory.md §6f), until they decide or --budget is spent. Needs a grid over two keys.")
    var adaptive = false

    @Option(name: .long, help: "With --adaptive: the most added runs the store may hold, over every invocation (an integer ≥ 0).")
    var budget: Int?

    @OptionGroup var theories: PredictingTheories

    func validate() throws {
        guard workers >= 1 && workers <= 1024 else { throw ValidationError("--workers: \(workers) is outside the allowed range: an integer in [1, 1024]") }
        guard !(cluster.slurm && shard != nil) else { throw ValidationError("give --slurm or --shard, not both") }
        guard !adaptive || (!cluster.slurm && shard == nil) else { throw ValidationError("--adaptive runs locally: give it without --slurm and --shard") }
        guard adaptive == (budget != nil) else { throw ValidationError(adaptive ? "--adaptive needs --budget RUNS" : "--budget is for --adaptive") }
        if let budget, budget < 0 || budget > 10_000_000 { throw ValidationError("--budget: \(budget) is outside the allowed range: an integer in [0, 10000000]") }
    }

    func run() async throws {
        let gridURL = URL(fileURLWithPath: grid).standardizedFileURL, storeURL = URL(fileURLWithPath: store).standardizedFileURL
        let sweepGrid = try SweepGrid.load(from: gridURL)
        try sweepGrid.largestEstimate.check(limit: memory.bytes, runs: min(workers, sweepGrid.runCount))
        if cluster.slurm { return try submit(sweepGrid, gridURL: gridURL, storeURL: storeURL) }
        let part = try shard.map { try SweepShard(parsing: $0) }
        let target = part.map { $0.url(beside: storeURL) } ?? storeURL
        if part != nil { try SystemFile.makeFolder(SweepShard.folder(of: storeURL).path) }
        let sweepStore = try SweepStore(url: target)
        let runner = SweepRunner(grid: sweepGrid, store: sweepStore, workers: workers, shard: part)
        var bar = ProgressReporter(isTerminal: SystemFile.standardErrorIsTerminal, quiet: quiet)
        let unplaced = sweepGrid.unplacedCells
        if let regime = sweepGrid.regime, !quiet {
            Progress.line("regime: every cell placed at C = \(regime.constant) with margin \(regime.margin) and clock \(regime.clock); \(unplaced.count) of \(sweepGrid.cellCount) cells cannot be placed and are skipped")
            for (label, reason) in unplaced.prefix(10) { Progress.line("  not placed: \(label): \(reason)") }
            if unplaced.count > 10 { Progress.line("  … and \(unplaced.count - 10) more") }
        }
        if !quiet {
            Progress.line("sweep: \(sweepGrid.cellCount) cells × \(sweepGrid.seeds.count) seeds = \(sweepGrid.runCount) runs\(part.map { ", shard \($0) of them" } ?? "") on \(workers) workers; runs already in the store are skipped")
        }
        let outcome = try await runner.run { bar.report($0) }
        bar.finish()
        print("sweep finished: \(outcome.ran) runs now, \(outcome.skipped) already stored\(unplaced.isEmpty ? "" : ", \(unplaced.count) cells not placed"); store \(target.path)")
        if adaptive, let budget { try await addSeeds(sweepGrid, store: sweepStore, budget: budget) }
    }

    /// `--adaptive`: seeds for the disputed and near-boundary cells (``AdaptiveSeeds``).
    func addSeeds(_ sweepGrid: SweepGrid, store: SweepStore, budget: Int) async throws {
        let (current, named) = try theories.load()
        let adaptive = try AdaptiveSeeds(grid: sweepGrid, store: store, theories: named, budget: budget, workers: workers)
        let quiet = self.quiet
        let outcome = try await Theory.$current.withValue(current) {
            try await adaptive.run { line in if !quiet { Progress.line(line) } }
        }
        print("adaptive seeds: \(outcome.decisive) of \(outcome.targets) target cells decisive; \(outcome.added) added runs in the store (budget \(budget)), \(outcome.ran) run now in \(outcome.rounds) rounds; stopped: \(outcome.stop)")
    }

    /// `--slurm`: write S.shards/sweep.sbatch, submit it, record the submission in S.shards/slurm.json.
    func submit(_ sweepGrid: SweepGrid, gridURL: URL, storeURL: URL) throws {
        try SlurmArray.checkReachable()
        let folder = SweepShard.folder(of: storeURL)
        try SystemFile.makeFolder(folder.path)
        let identity = sweepGrid.identity, tasks = cluster.tasks
        for shard in SweepShard.stores(in: folder) {
            if let held = try SweepStore(url: shard.url, create: false).meta("grid"), held != identity {
                throw ConfigError(field: "store", "\(folder.path) holds shards of another grid (\(shard.url.lastPathComponent)): merge them (ptv sweep merge) and remove the folder first")
            }
        }
        if let previous = try? SweepSubmission.read(folder), previous.tasks != tasks {
            throw ConfigError(field: "tasks", "the shards in \(folder.path) were cut into \(previous.tasks); resubmit with --tasks \(previous.tasks), or merge and remove the folder first")
        }
        try SweepStore(url: storeURL).setGrid(identity)
        let script = folder.appendingPathComponent("sweep.sbatch")
        let command = [SlurmArray.executable, "sweep", "run", "--grid", gridURL.path, "--store", storeURL.path, "--shard", "{task}/\(tasks)",
                       "--workers", "\(workers)", "--quiet", "--max-memory", String(memory.bytes / 1e9)]
        try ResultFile.write(SlurmArray.script(name: "ptv-sweep", tasks: tasks, cpus: workers, logs: folder, command: command), to: script)
        let job = try SlurmArray.submit(script, arguments: cluster.extraArguments)
        try SweepSubmission(job: job, tasks: tasks, grid: gridURL.path, identity: identity).write(folder)
        print(job)
        if !quiet { Progress.line("submitted job array \(job): \(tasks) tasks writing \(folder.path)/<task>.sqlite; then: ptv sweep merge --store \(storeURL.path)") }
    }
}

/// The Slurm submission of a sweep, kept as S.shards/slurm.json (the last one).
struct SweepSubmission: Codable {
    var job: String
    var tasks: Int
    var grid: String
    var identity: String

    static func read(_ folder: URL) throws -> SweepSubmission {
        try JSONDecoder().decode(SweepSubmission.self, from: SystemFile.read(folder.appendingPathComponent("slurm.json").path, limit: 1 << 20))
    }

    func write(_ folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try ResultFile.write(try encoder.encode(self), to: folder.appendingPathComponent("slurm.json"))
    }
}

/// `ptv sweep merge`: fold the shards into the store.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fold the shard stores S.shards/*.sqlite into the store S.sqlite (one transaction per shard; idempotent).")

    @Option(name: .long, help: "The sweep's store (its shards are in S.shards/ beside it).")
    var store: String

    func run() throws {
        let storeURL = URL(fileURLWithPath: store)
        let shards = try SweepShard.requiredStores(in: SweepShard.folder(of: storeURL), field: "store")
        let target = try SweepStore(url: storeURL)
        var added = 0
        for shard in shards {
            let result = try target.merge(shard: shard.url)
            added += result.added
            print("shard \(shard.index): \(result.added) runs added, \(result.held - result.added) already in the store")
        }
        print("merged \(shards.count) shards: \(added) runs added; the store holds \(try target.runCount()) runs")
    }
}

/// `ptv sweep status`: done and missing runs per shard, and the array's Slurm state.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Done and missing runs per shard of a sweep, and the Slurm state of its job array.")

    @Option(name: .long, help: "The sweep's store.")
    var store: String

    @Option(name: .long, help: "The grid (default: the one of the last --slurm submission).")
    var grid: String?

    func run() throws {
        let storeURL = URL(fileURLWithPath: store)
        let submission = try? SweepSubmission.read(SweepShard.folder(of: storeURL))
        guard let gridPath = grid ?? submission?.grid else { throw ConfigError(field: "grid", "no Slurm submission recorded beside \(store); give --grid") }
        let sweepGrid = try SweepGrid.load(from: URL(fileURLWithPath: gridPath))
        let files = Dictionary(uniqueKeysWithValues: SweepShard.stores(in: SweepShard.folder(of: storeURL)).map { ($0.index, $0.url) })
        let tasks = submission?.tasks ?? (files.keys.max().map { $0 + 1 } ?? 1)
        let states = submission.map { SlurmArray.states(job: $0.job) } ?? [:]
        if let submission { print("job \(submission.job), \(tasks) tasks, grid \(gridPath)") }
        var missing = 0
        for i in 0..<tasks {
            let expected = try sweepGrid.runCount(in: SweepShard(index: i, count: tasks))
            let done = try files[i].map { try SweepStore(url: $0, create: false).runCount() } ?? 0
            missing += max(0, expected - done)
            print("shard \(i): \(done)/\(expected) done, \(max(0, expected - done)) missing\(submission == nil ? "" : ", slurm: \(states[i] ?? "not in the queue")")")
        }
        let merged = FileManager.default.fileExists(atPath: storeURL.path) ? try SweepStore(url: storeURL, create: false).runCount() : 0
        print("\(missing) runs missing in the shards; the store holds \(merged) runs")
    }
}

struct SweepExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a sweep store as CSV or JSON: one row per (cell, seed), config keys and each phase's metrics.")

    @Option(name: .long, help: "SQLite store written by `ptv sweep`.")
    var store: String

    @Option(name: .long, help: "csv or json (a list of flat objects).")
    var format: String = "csv"

    @Option(name: .long, help: "Output file (default: standard output).")
    var out: String?

    func run() throws {
        guard let chosen = SweepExport.Format(rawValue: format) else {
            throw InputError("--format: '\(InputText.excerpt(format))' is not allowed (one of: csv, json)")
        }
        let runs = try SweepStore(url: URL(fileURLWithPath: store), create: false).runs()
        let text = try SweepExport.export(runs, format: chosen)
        if let out {
            do { try ResultFile.write(text, to: URL(fileURLWithPath: out)) } catch let error as ResultFile.WriteError {
                throw InputError("--out: \(error.message)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

/// Progress of a sweep on stderr: a bar with ETA redrawn in place on a terminal, otherwise a
/// plain line at most every 2 s (and for the last run).
struct ProgressReporter {
    let isTerminal: Bool
    let quiet: Bool
    private var lastLine = Date.distantPast
    private var drewBar = false

    init(isTerminal: Bool, quiet: Bool) {
        self.isTerminal = isTerminal
        self.quiet = quiet
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    mutating func report(_ p: SweepRunner.Progress) {
        guard !quiet else { return }
        let eta = p.eta.map(ProgressReporter.duration) ?? "?"
        let cell = p.job.gridValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        if isTerminal {
            let width = 30
            let reached = p.done + p.skipped
            let filled = p.total > 0 ? width * reached / p.total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let percent = p.total > 0 ? 100 * reached / p.total : 100
            FileHandle.standardError.write(Data("\r\u{1B}[2K[\(bar)] \(reached)/\(p.total) \(percent)%  elapsed \(ProgressReporter.duration(p.elapsed))  ETA \(eta)".utf8))
            drewBar = true
        } else if p.done + p.skipped == p.total || Date().timeIntervalSince(lastLine) >= 2 {
            Progress.line(String(format: "sweep: %d/%d runs (%d ran, %d stored before), elapsed %@, ETA %@ (last: %@ seed %@, %.2f s)",
                                 p.done + p.skipped, p.total, p.done, p.skipped,
                                 ProgressReporter.duration(p.elapsed), eta, cell, String(p.job.seed), p.seconds))
            lastLine = Date()
        }
    }

    func finish() {
        if drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
