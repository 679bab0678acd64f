import ArgumentParser
import Foundation
import NumericsCore
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
        subcommands: [SweepRun.self, SweepExportCommand.self],
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

    func run() async throws {
        guard workers >= 1 && workers <= 1024 else {
            throw InputError("--workers: \(workers) is outside the allowed range: an integer in [1, 1024]")
        }
        let sweepGrid = try SweepGrid.load(from: URL(fileURLWithPath: grid))
        try sweepGrid.largestEstimate.check(limit: memory.bytes, runs: min(workers, sweepGrid.runCount))
        let sweepStore = try SweepStore(url: URL(fileURLWithPath: store))
        let runner = SweepRunner(grid: sweepGrid, store: sweepStore, workers: workers)
        var bar = ProgressReporter(isTerminal: SystemFile.standardErrorIsTerminal, quiet: quiet)
        if !quiet {
            Progress.line("sweep: \(sweepGrid.cellCount) cells × \(sweepGrid.seeds.count) seeds = \(sweepGrid.runCount) runs on \(workers) workers; runs already in the store are skipped")
        }
        let outcome = try await runner.run { bar.report($0) }
        bar.finish()
        print("sweep finished: \(outcome.ran) runs now, \(outcome.skipped) already stored; store \(store)")
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
            do { try ResultFile.write(text, to: URL(fileURLWithPath: out)) } catch {
                throw InputError("--out: cannot write \(out) (\(error.localizedDescription))")
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
