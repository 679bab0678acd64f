import ArgumentParser
import DeepExperiments
import Foundation
import NumericsCore
import Platform
import RunStore
import Sweeps
import TransferModel
import Validation
import Vocabulary

/// `ptv validate`: judge every statement of proofs/ on a suite and write the report.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a validation suite and judge every statement of proofs/ on it.",
        discussion: """
        Writes index.html, lemmas/<id>.{md,html}, figures/*.svg, summary.json, manifest.json and \
        runs/*.json (one per finished run) into the output folder. With a ladder of constants \
        (--ladder, or the suite's ladder:), every statement violated, undecided or blocked at the \
        suite's C is chased up the ladder (docs/theory.md §8b) and gets a ladder verdict. Exit \
        code: with a ladder, 1 when a statement is violated-persistent (evidence against it); \
        without one, 1 when a statement is violated; for a deep suite, 1 when a statement of the \
        paper is violated (a violated 'paper (claim)' statement, a number at the paper's scale, \
        is a finding about scale and leaves it 0); 0 otherwise; 2 on bad usage.
        """)

    /// The suites shipped in validation/, by name.
    static let builtInSuites = ["quick", "full", "finite-size", "deep-quick", "deep-full", "deep-curves"]

    @Option(name: .long, help: "\(Validate.builtInSuites.joined(separator: ", ")) (quick is the default), or a suite YAML file.")
    var suite = "quick"

    @Option(name: .long, help: "Folder of statement files (default: proofs/).")
    var proofs: String?

    @Option(name: .long, help: "Output folder for the report.")
    var out: String

    @OptionGroup var options: ReportRunOptions

    @Option(name: .long, help: "A finished report folder: judge the runs recorded in its runs/ again, without training (the suite must be the one it was recorded with).")
    var runs: String?

    func validate() throws { try InputError.requireFolder(out) }

    @OptionGroup var memory: MemoryLimit

    @Option(name: .long, help: "Deep suites: the SQLite run store (default: <out>/runs.sqlite); runs already in it are not run again.")
    var store: String?

    @Option(name: .long, help: "Deep suites: folder of the dataset's files (default: Debian's Fashion-MNIST; required for CIFAR).")
    var data: String?

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .customLong("see-also"), help: "A page to link from the report, as a path relative to --out (repeatable; e.g. phase/side-by-side.html).")
    var seeAlso: [String] = []

    @OptionGroup var shards: ShardOptions

    @OptionGroup var ladder: LadderOptions

    func run() async throws {
        let suiteFile = try ProjectFiles.suite(suite)
        guard [cluster.slurm, shards.shard != nil, shards.fromShards, runs != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("give at most one of --slurm, --shard, --from-shards, --runs")
        }
        if cluster.slurm { return try submit(suiteFile) }
        if DeepSuite.isDeep(suiteFile) { return try await runDeep(suiteFile) }
        guard store == nil, data == nil else { throw ValidationError("--store and --data are for deep suites (kind: deep)") }
        if let (part, store) = try shards.shardStore(output: URL(fileURLWithPath: out)) { return try await runShard(suiteFile, part, store) }
        let proofsDirectory = try ProjectFiles.folder(proofs, default: "proofs", option: "--proofs")
        var session = try ValidationSession(suiteFile: suiteFile, proofsDirectory: proofsDirectory,
                                            output: URL(fileURLWithPath: out), workers: options.workers)
        session.replacing = options.force
        session.seeAlso = seeAlso
        session.recordedRuns = try runs.map { try ProjectFiles.folder($0, default: "", option: "--runs") }
        if shards.fromShards { session.archive = try ShardArchive(folder: ShardOptions.folder(URL(fileURLWithPath: out))) }
        session.ladder = try ladder.ladder(suite: session.suite)
        let parallel = min(options.workers, session.suite.configurations.count * session.suite.seeds.count)
        for configuration in session.suite.configurations where runs == nil {
            try ResourceEstimate(configuration.config).check(limit: memory.bytes, runs: parallel, label: configuration.label)
        }
        let quiet = options.quiet
        let report = try await session.run { if !quiet { Progress.line($0) } }
        print(ValidationSummary(report: report, index: URL(fileURLWithPath: out).appendingPathComponent("index.html").path).text, terminator: "")
        if report.isEvidenceAgainst { throw ExitCode(1) }
    }
}

extension Validate {
    /// `--shard i/N`: this share of the suite's runs into <out>/shards/i.sqlite; no report.
    func runShard(_ suiteFile: URL, _ part: SweepShard, _ store: SweepStore) async throws {
        let validationSuite = try ValidationSuite.load(from: suiteFile)
        let archive = StoreArchive(store: store)
        let runner = SuiteRunner(suite: validationSuite, workers: options.workers, share: part.share)
        for (c, _) in runner.jobs { try ResourceEstimate(validationSuite.configurations[c].config).check(limit: memory.bytes, runs: options.workers, label: validationSuite.configurations[c].label) }
        let quiet = options.quiet
        var trained = 0
        _ = try await runner.run(archive: archive) { measured, done, stored in
            if !stored { trained += 1 }
            if !quiet { Progress.line("[\(done)/\(runner.jobs.count)] \(measured.label) seed \(measured.seed) \(stored ? "already in the shard" : "done")") }
        }
        print("shard \(part): \(runner.jobs.count) runs, \(trained) trained now; \(store.url.path)")
    }

    /// `--slurm`: an array of --tasks shard tasks, then a judging job once they all succeed.
    func submit(_ suiteFile: URL) throws {
        try SlurmArray.checkReachable()
        // Refuse a bad suite here, not on the cluster.
        if DeepSuite.isDeep(suiteFile) { _ = try DeepSuite.load(from: suiteFile) } else { _ = try ValidationSuite.load(from: suiteFile) }
        let output = URL(fileURLWithPath: out).standardizedFileURL, folder = ShardOptions.folder(output)
        try SystemFile.makeFolder(folder.path)
        let proofsFolder = try ProjectFiles.folder(proofs, default: "proofs", option: "--proofs").standardizedFileURL
        let common = [SlurmArray.executable, "validate", "--suite", suiteFile.standardizedFileURL.path, "--out", output.path,
                      "--proofs", proofsFolder.path, "--workers", "\(options.workers)", "--quiet", "--max-memory", String(memory.bytes / 1e9)]
            + (data.map { ["--data", URL(fileURLWithPath: $0).standardizedFileURL.path] } ?? [])
            + (store.map { ["--store", URL(fileURLWithPath: $0).standardizedFileURL.path] } ?? [])
        try cluster.submitWithJudge(name: "validate", command: common, cpus: options.workers, folder: folder, output: output, quiet: options.quiet)
    }

    /// A deep suite (docs/theory.md §9): runs into the store, statements of <proofs>/deep.
    func runDeep(_ suiteFile: URL) async throws {
        guard runs == nil else { throw ValidationError("--runs is for synthetic suites; a deep suite re-judges from its --store") }
        let deepSuite = try DeepSuite.load(from: suiteFile)
        let proofsDirectory = try ProjectFiles.folder(proofs, default: "proofs", option: "--proofs").appendingPathComponent("deep")
        let validation = try DeepValidation(suite: deepSuite, statements: DeepStatement.load(directory: proofsDirectory), workers: options.workers)
        let layout = try deepSuite.configurations[0].upstream.dataset.layout(folder: data)
        for c in deepSuite.configurations { for config in [c.upstream, c.downstream] { try config.check(imageShape: layout.train) } }
        let estimate = validation.memoryEstimate(layout: layout)
        if estimate > memory.bytes {
            throw ConfigError(field: "batch_size", "the suite needs about \(ResourceEstimate.format(estimate)) on \(validation.workers) workers, more than the limit \(ResourceEstimate.format(memory.bytes)) (--max-memory): lower --workers, batch_size or the samples")
        }
        let output = URL(fileURLWithPath: out)
        // A folder holding an earlier report is refused before the images are read.
        if shards.shard == nil { try OutputFolder.prepare(output, results: DeepValidationResult.resultNames, replacing: options.force) }
        let images = try TaskImages(dataset: deepSuite.configurations[0].upstream.dataset, folder: data)
        let quiet = options.quiet
        if let (part, shardStore) = try shards.shardStore(output: output) {  // one array task's share; no report
            try await validation.train(images: images, store: shardStore, share: part.share) { if !quiet { Progress.line($0) } }
            print("shard \(part): done; \(shardStore.url.path)")
            return
        }
        let runStore = try SweepStore(url: store.map { URL(fileURLWithPath: $0) } ?? output.appendingPathComponent("runs.sqlite"))
        if shards.fromShards {
            let files = try SweepShard.requiredStores(in: ShardOptions.folder(output), field: "from-shards")
            let added = try files.reduce(0) { $0 + (try runStore.mergeDeepRuns(shard: $1.url)) }
            if !quiet { Progress.line("merged \(files.count) shards into \(runStore.url.path): \(added) runs added") }
        }
        var manifest = RunManifest(config: ["suite": deepSuite.name.json, "suite_file": suiteFile.path.json, "seeds": deepSuite.seeds.json,
                                            "store": runStore.url.path.json, "statements": validation.statements.map(\.id).json], seed: nil)
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))
        let result = try await validation.run(images: images, store: runStore) { if !quiet { Progress.line($0) } }
        try result.write(to: output)
        manifest.finished = Date()
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))
        for j in result.judgements {
            print("\(j.verdict.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(j.statement.id) — \(j.reason)")
        }
        print(result.counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        print("report: \(output.appendingPathComponent("index.html").path)")
        print(result.exitCodeMeaning)
        if result.isEvidenceAgainst { throw ExitCode(1) }
    }
}

/// Finds the project's own files (built-in suites, proofs/) from the working directory or,
/// failing that, from the source tree this binary was built from.
enum ProjectFiles {
    static let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func locate(_ relative: String) -> URL? {
        for base in [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), sourceRoot] {
            let url = base.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    static func suite(_ name: String) throws -> URL {
        if Validate.builtInSuites.contains(name) {
            guard let url = locate("validation/\(name).yaml") else { throw InputError("built-in suite validation/\(name).yaml not found") }
            return url
        }
        guard FileManager.default.fileExists(atPath: name) else {
            throw InputError("--suite: '\(InputText.excerpt(name))' is neither a built-in suite (\(Validate.builtInSuites.joined(separator: ", "))) nor an existing file")
        }
        return URL(fileURLWithPath: name)
    }

    static func folder(_ given: String?, default relative: String, option: String) throws -> URL {
        if let given {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: given, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw InputError("\(option): '\(InputText.excerpt(given))' is not a folder")
            }
            return URL(fileURLWithPath: given)
        }
        guard let url = locate(relative) else { throw InputError("\(relative)/ not found; give \(option)") }
        return url
    }
}
