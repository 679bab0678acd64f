import Bounds
import Foundation
import NumericsCore
import Platform
import TransferModel
import Vocabulary

/// One `ptv validate` run: load the suite and the statements, run every configuration × seed
/// (each run stored under `runs/` as it finishes), judge, and write the report.
public struct ValidationSession {
    public let suite: ValidationSuite
    public let library: ProofLibrary
    public let output: URL
    public let workers: Int
    /// Whether an earlier report in `output` is replaced (`--force`) rather than refused.
    public var replacing = false
    /// A finished report whose `runs/` holds every run of the suite: judged again without
    /// training (`ptv validate --runs`).
    public var recordedRuns: URL?
    /// Runs kept across invocations (the shard stores of a cluster run): a run found there is
    /// judged without training.
    public var archive: (any RunArchive)?
    /// Pages the report links to under "See also" (paths relative to the report folder).
    public var seeAlso: [String] = []
    /// The ladder of constants to chase failures up (docs/theory.md §8b): the suite's own
    /// `ladder:` unless replaced; nil or no rungs for none.
    public var ladder: ConstantLadder?

    /// Load the suite and `proofs/`; unknown statement ids in the suite are an error.
    public init(suiteFile: URL, proofsDirectory: URL, output: URL, workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        suite = try ValidationSuite.load(from: suiteFile)
        library = try Self.library(at: proofsDirectory)
        for id in suite.statements ?? [] where library.statement(id) == nil {
            throw ConfigError(field: "statements", "'\(InputText.excerpt(id))' is not a statement in \(proofsDirectory.path)")
        }
        self.output = output
        self.workers = workers
        if !suite.ladder.isEmpty { ladder = ConstantLadder(rungs: suite.ladder) }
    }

    /// The statements of a proofs folder, every probe name checked against the probes there are.
    public static func library(at proofsDirectory: URL) throws -> ProofLibrary {
        do { return try ProofLibrary.load(directory: proofsDirectory.path, probes: Set(Probe.catalog.keys)) } catch {
            throw SuiteError("proofs in \(InputText.excerpt(proofsDirectory.path)) do not load: \(error.message)")
        }
    }

    /// The statements the suite judges, in the library's dependency order.
    public var statements: [ProofStatement] { suite.selected(library.statements) }

    /// Run, judge and write; returns the report. `progress` receives one line per event.
    package func run(progress: (String) -> Void) async throws -> ValidationReport {
        // Everything — regimes, hypotheses, claims, the report's Γ — under the proofs folder's theory.
        try await Theory.$current.withValue(library.theory) { try await judgeAndReport(progress: progress) }
    }

    private func judgeAndReport(progress: (String) -> Void) async throws -> ValidationReport {
        // Recorded runs are read before the output folder is prepared: it may be the same folder.
        let recorded = try recordedRuns.map { try suite.recordedRuns(in: $0) }
        try OutputFolder.prepare(output, results: ValidationReport.resultNames, replacing: replacing)
        let runsFolder = output.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runsFolder, withIntermediateDirectories: true)
        var manifest = RunManifest(config: ["suite": suite.name.json, "configurations": suite.configurations.map { c -> JSONValue in
            ["label": c.label.json, "split": c.split.rawValue.json, "config": c.config.jsonObject.json] }.json, "seeds": suite.seeds.json,
            "constants": suite.constants.json], seed: nil)
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))

        let encoder = RunMeasurements.encoder()
        func store(_ measured: RunMeasurements) {
            let file = runsFolder.appendingPathComponent(ValidationSuite.runFile(measured.label, measured.seed))
            do { try ResultFile.write(encoder.encode(measured), to: file) } catch {
                progress("warning: run file \(file.lastPathComponent) not written (\(error)); the run is still judged")
            }
        }
        let runs: [RunMeasurements]
        if let recorded, let source = recordedRuns {
            progress("judging the \(recorded.count) runs recorded in \(source.path) (no training)")
            recorded.forEach(store)
            runs = recorded
        } else {
            let runner = SuiteRunner(suite: suite, workers: workers)
            let total = runner.jobs.count
            let start = Date()
            progress("running \(suite.configurations.count) configurations × \(suite.seeds.count) seeds = \(total) runs on \(workers) workers")
            runs = try await runner.run(archive: archive) { measured, done, stored in
                store(measured)
                let elapsed = Date().timeIntervalSince(start)
                let eta = elapsed / Double(done) * Double(total - done)
                progress(String(format: "[%d/%d] %@ seed %llu %@ (%.0f s elapsed, about %.0f s left)", done, total, measured.label, measured.seed,
                                stored ? "found in the shards" : "done", elapsed, eta))
            }
        }
        progress("judging \(statements.count) statements")
        let judgements = try Judge(suite: suite, runs: runs).judge(statements)
        var report = try ValidationReport(suite: suite, judgements: judgements, runs: runs)
        report.seeAlso = seeAlso
        try report.write(to: output)
        if let ladder, !ladder.rungs.isEmpty {
            // The report at the suite's C stands on disk while the chase runs; it is then
            // rewritten with the ladder.
            var chase = LadderChase(suite: suite, ladder: ladder, workers: workers)
            chase.archive = archive
            let ladderFolder = runsFolder.appendingPathComponent("ladder")
            report.ladders = try await chase.run(judgements, progress: progress) { measured, rung in
                let folder = ladderFolder.appendingPathComponent("C=\(Judge.format(rung))")
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    try ResultFile.write(encoder.encode(measured), to: folder.appendingPathComponent(ValidationSuite.runFile(measured.label, measured.seed)))
                } catch {
                    progress("warning: ladder run \(measured.label) seed \(measured.seed) not written (\(error)); it is still judged")
                }
            }
            try report.write(to: output)
        }
        manifest.finished = Date()
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))
        return report
    }
}

extension ValidationSuite {
    /// The statements of `library` this suite judges (its `statements:` list, or all), in order.
    public func selected(_ library: [ProofStatement]) -> [ProofStatement] {
        guard let wanted = statements.map(Set.init) else { return library }
        return library.filter { wanted.contains($0.id) }
    }

    /// The largest manifest or run file `--runs` reads (a run of the full suite is under 1 MB).
    static let largestRecordedFile = 1 << 30

    /// The file of one run under a report's `runs/`.
    static func runFile(_ label: String, _ seed: UInt64) -> String { "\(label)-seed\(seed).json" }

    /// Every (configuration, seed) run of this suite from a finished report's `runs/`, in job
    /// order; a missing or unreadable run is refused naming it (the report was recorded with
    /// another suite).
    ///
    /// The report's `manifest.json` must record the same configurations (label and effective
    /// config) — otherwise runs of one configuration would be judged as another's — and each run
    /// file must hold the run its name says, with arrays of the sizes its counts declare.
    public func recordedRuns(in folder: URL) throws -> [RunMeasurements] {
        func refuse(_ problem: String) -> ConfigError { ConfigError(field: "runs", problem) }
        let manifestFile = folder.appendingPathComponent("manifest.json")
        guard let manifest = (try? SystemFile.read(manifestFile.path, limit: Self.largestRecordedFile)).flatMap(JSONValue.parse),
              let recorded = manifest["config"]?["configurations"]?.array else {
            throw refuse("\(InputText.excerpt(manifestFile.path)) is missing or unreadable: not a report written by ptv validate")
        }
        let recordedConfigs = Dictionary(recorded.compactMap { entry in
            entry["label"]?.string.map { ($0, entry["config"] ?? [:]) }
        }) { first, _ in first }
        for configuration in configurations {
            guard let config = recordedConfigs[configuration.label] else {
                throw refuse("the report in \(InputText.excerpt(folder.path)) has no configuration '\(InputText.excerpt(configuration.label))' (give the suite it was recorded with)")
            }
            // Compared as JSON values read back from the same text form.
            guard JSONValue.parse(JSONOutput.text(configuration.config.jsonObject.json)) == config else {
                throw refuse("configuration '\(InputText.excerpt(configuration.label))' differs from the one the report recorded; its runs would be judged as another configuration's")
            }
        }
        let decoder = RunMeasurements.decoder()
        return try SuiteRunner(suite: self).jobs.map { index, seed in
            let label = configurations[index].label
            let file = folder.appendingPathComponent("runs").appendingPathComponent(Self.runFile(label, seed))
            guard let data = try? SystemFile.read(file.path, limit: Self.largestRecordedFile) else {
                throw refuse("\(InputText.excerpt(file.path)) is missing: the report in \(InputText.excerpt(folder.path)) holds no run \(label) seed \(seed) of this suite (give the suite it was recorded with)")
            }
            let run: RunMeasurements
            do { run = try decoder.decode(RunMeasurements.self, from: data) } catch {
                throw refuse("\(InputText.excerpt(file.path)) is not a recorded run (\(InputText.excerpt("\(error)")))")
            }
            guard run.label == label, run.seed == seed, run.phases.allSatisfy(\.isConsistent) else {
                throw refuse("\(InputText.excerpt(file.path)) does not hold a whole run of \(label) seed \(seed)")
            }
            return run
        }
    }
}
