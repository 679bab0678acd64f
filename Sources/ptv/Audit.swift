import ArgumentParser
import Bounds
import Foundation
import NumericsCore
import Platform
import RunStore
import Sweeps
import TransferModel
import Validation
import Vocabulary

/// `ptv audit`: a transfer rule against a baseline rule on paired seeds, with every statement
/// judged under both.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Put a transfer rule through the theory, paired seed by seed against a baseline rule and scratch.",
        discussion: """
        --variant and --against take a built-in variant (filter, weight, frozen, rescaled, \
        random_slots, top_signal, top_snr) or a rule file: a YAML mapping with selection, fraction \
        and transform (README, "Transfer rules"). Writes index.html, summary.json, manifest.json \
        and, for a grid, figures/audit-heatmap.svg. With a ladder (--ladder, or the suite's \
        ladder:), each rule's failing statements are chased up it (docs/theory.md §8b). Exit code \
        0 when done, 1 when a statement that holds for the baseline is violated for the variant \
        (with a ladder: holds or holds-from for the baseline, violated-persistent for the \
        variant), 2 on bad input.
        """)

    @Option(name: .long, help: "The rule audited: a built-in variant or a rule file.")
    var variant: String

    @Option(name: .long, help: "The baseline rule (default: filter, Algorithm 1).")
    var against = "filter"

    @Option(name: .long, help: "quick (default), full, finite-size, or a suite YAML file.")
    var suite: String?

    @Option(name: .long, help: "A sweep grid YAML (base:, grid:, seeds:) instead of a suite; its cells are the configurations.")
    var grid: String?

    @Option(name: .long, help: "Folder of statement files (default: proofs/).")
    var proofs: String?

    @Option(name: .long, help: "Output folder for the report.")
    var out: String

    @Option(name: .long, help: "SQLite store for the audited runs (created if missing): runs already in it are not run again.")
    var store: String?

    @OptionGroup var options: ReportRunOptions

    @OptionGroup var memory: MemoryLimit

    @OptionGroup var cluster: ClusterOptions

    @OptionGroup var shards: ShardOptions

    @OptionGroup var ladder: LadderOptions

    func validate() throws {
        guard suite == nil || grid == nil else { throw ArgumentParser.ValidationError("give --suite or --grid, not both") }
        guard [cluster.slurm, shards.shard != nil, shards.fromShards, store != nil].filter({ $0 }).count <= 1 else {
            throw ArgumentParser.ValidationError("give at most one of --slurm, --shard, --from-shards, --store")
        }
        try InputError.requireFolder(out)
    }

    func run() async throws {
        let variantRule = try AuditedRule.named(variant, option: "variant")
        let baselineRule = try AuditedRule.named(against, option: "against")
        let proofsDirectory = try ProjectFiles.folder(proofs, default: "proofs", option: "--proofs")
        let library = try ValidationSession.library(at: proofsDirectory)
        let audited = try grid.map { try Self.suite(fromGrid: URL(fileURLWithPath: $0)) }
            ?? ValidationSuite.load(from: ProjectFiles.suite(suite ?? "quick"))
        var audit = try TransferAudit(suite: audited, variant: variantRule, baseline: baselineRule, library: library, workers: options.workers)
        audit.ladder = try ladder.ladder(suite: audited)
        let parallel = min(options.workers, 2 * audited.configurations.count * audited.seeds.count)
        for configuration in audit.variantSuite.configurations + audit.baselineSuite.configurations {
            try ResourceEstimate(configuration.config).check(limit: memory.bytes, runs: parallel, label: configuration.label)
        }
        let output = URL(fileURLWithPath: out).standardizedFileURL, folder = ShardOptions.folder(output)
        if cluster.slurm {
            try SlurmArray.checkReachable()
            try SystemFile.makeFolder(folder.path)
            let proofsFolder = proofsDirectory.standardizedFileURL.path
            func absolute(_ path: String) -> String { TransferVariant(rawValue: path) != nil ? path : URL(fileURLWithPath: path).standardizedFileURL.path }
            let source = try grid.map { ["--grid", URL(fileURLWithPath: $0).standardizedFileURL.path] }
                ?? ["--suite", ProjectFiles.suite(suite ?? "quick").standardizedFileURL.path]
            let command = [SlurmArray.executable, "audit", "--variant", absolute(variant), "--against", absolute(against), "--out", output.path,
                           "--proofs", proofsFolder, "--workers", "\(options.workers)", "--quiet", "--max-memory", String(memory.bytes / 1e9)] + source
            return try cluster.submitWithJudge(name: "audit", command: command, cpus: options.workers, folder: folder, output: output, quiet: options.quiet)
        }
        if let (part, shardStore) = try shards.shardStore(output: output) {  // one array task's share of the runs; no report
            let archive = StoreArchive(store: shardStore)
            let runner = SuiteRunner(suite: audit.combinedSuite, workers: options.workers, share: part.share)
            _ = try await Theory.$current.withValue(library.theory) { try await runner.run(archive: archive) { _, _, _ in } }
            print("shard \(part): \(runner.jobs.count) runs; \(shardStore.url.path)")
            return
        }
        let archive: (any RunArchive)? = shards.fromShards ? try ShardArchive(folder: folder)
            : try store.map { StoreArchive(store: try SweepStore(url: URL(fileURLWithPath: $0))) }
        try OutputFolder.prepare(output, results: AuditResult.resultNames, replacing: options.force)
        var manifest = RunManifest(config: ["suite": audited.name.json, "variant": variantRule.name.json, "variant_source": variantRule.source.json,
                                            "baseline": baselineRule.name.json, "baseline_source": baselineRule.source.json,
                                            "seeds": audited.seeds.json,
                                            "configurations": zip(audit.variantSuite.configurations, audit.baselineSuite.configurations).map { v, b -> JSONValue in
                                                ["label": v.label.json, "variant": v.config.jsonObject.json, "baseline": b.config.jsonObject.json] }.json],
                                   seed: nil)
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))

        let quiet = options.quiet
        let result = try await audit.run(archive: archive) { if !quiet { Progress.line($0) } }
        try result.write(to: output)
        manifest.finished = Date()
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))

        for c in result.comparisons {
            print(String(format: "%@  %@ − %@: %+.2f points [%+.2f, %+.2f]  %@", c.label, variantRule.name, baselineRule.name,
                         100 * c.versusBaseline.mean, 100 * c.versusBaseline.lower, 100 * c.versusBaseline.upper, c.outcome))
        }
        let changed = result.verdicts.filter { $0.variant.verdict != $0.baseline.verdict }
        print("verdicts changed: \(changed.isEmpty ? "none" : changed.map { "\($0.id) (\($0.baseline.verdict.rawValue) → \($0.variant.verdict.rawValue))" }.joined(separator: ", "))")
        if !result.variantLadders.isEmpty {
            let moved = zip(result.variantLadders, result.baselineLadders).filter { $0.verdict != $1.verdict }
            print("ladder verdicts changed: \(moved.isEmpty ? "none" : moved.map { "\($0.id) (\($1.verdict.rawValue) → \($0.verdict.rawValue))" }.joined(separator: ", "))")
        }
        print("report: \(output.appendingPathComponent("index.html").path)")
        if !result.regressions.isEmpty { throw ExitCode(1) }
    }

    /// A sweep grid as a suite: every placed cell a configuration (labelled by its grid values,
    /// checkerboard calibration / held-out as a suite's own grid), at the grid's seeds. The
    /// statements are judged on every recorded step, so the runs record trajectories whatever the
    /// grid's `record`.
    static func suite(fromGrid url: URL) throws -> ValidationSuite {
        let grid = try SweepGrid.load(from: url)
        // Cells a grid's regime cannot place are left out, as ptv sweep skips them.
        let configurations = try (0..<grid.cellCount).filter { grid.unplaced[$0] == nil }.map { cell -> ValidationSuite.Configuration in
            var config = try grid.job(at: cell * grid.seeds.count).config
            config.record = .trajectories
            return ValidationSuite.Configuration(
                label: grid.label(cell: cell), split: grid.indices(cell: cell).reduce(0, +) % 2 == 0 ? .calibration : .heldOut,
                config: config, cell: grid.values(cell: cell))
        }
        return ValidationSuite(name: url.deletingPathExtension().lastPathComponent, seeds: grid.seeds, configurations: configurations)
    }
}

