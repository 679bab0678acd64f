import Foundation
import NumericsCore
import Platform
import Vocabulary

/// Writes one experiment's results into a folder, phase by phase, so an interrupted run keeps
/// every phase it finished (docs/theory.md §4; formats described in README.md):
/// `manifest.json`, `metrics.json`, `trajectory-<phase>.csv`, and with arrays enabled
/// `arrays/<phase>-{X,y,W0,W,Xtest,ytest}.npy`.
public struct RunDirectory {
    public let url: URL
    public let saveArrays: Bool
    private var manifest: RunManifest
    private var metrics: [String: JSONValue] = [:]

    /// Every name a run writes into its folder.
    public static let resultNames = ["manifest.json", "metrics.json", "arrays"] + Phase.allCases.map { "trajectory-\($0.rawValue).csv" }

    /// Prepare the folder (`OutputFolder`: created, checked writable, refused when it holds an
    /// earlier run unless `replacing`, which removes that run's files); ``start()`` writes the
    /// manifest. Failures are `ConfigError(field: "out")`.
    public init(url: URL, config: ExperimentConfig, saveArrays: Bool, replacing: Bool = false,
                commandLine: [String] = CommandLine.arguments) throws {
        self.url = url
        self.saveArrays = saveArrays
        manifest = RunManifest(config: config.jsonObject, seed: config.seed, commandLine: commandLine)
        manifest.sampler = SampleSpace.description(of: config)
        try OutputFolder.prepare(url, results: Self.resultNames, replacing: replacing)
        if saveArrays {
            try FileManager.default.createDirectory(at: url.appendingPathComponent("arrays"), withIntermediateDirectories: true)
        }
    }

    /// Write the manifest (without an end time).
    public func start() throws {
        try JSONOutput.write(manifest.jsonObject, to: url.appendingPathComponent("manifest.json"))
    }

    /// Write one finished phase: its metrics (merged into metrics.json), trajectory and arrays.
    public mutating func write(_ outcome: PhaseOutcome) throws {
        var phaseMetrics: [String: JSONValue] = outcome.metrics.filter { !MarginDecomposition.partMetricNames.contains($0.key) }.mapValues(\.json)
        // The margin parts as an object: group → patch kind → {mean, var}.
        var parts: [String: JSONValue] = [:]
        for (group, byKind) in outcome.margins.parts {
            var kinds: [String: JSONValue] = [:]
            for (kind, part) in byKind {
                let moments = MarginDecomposition.Moments(part)
                kinds[kind.rawValue] = ["mean": moments.mean.json, "var": moments.variance.json]
            }
            parts[group.rawValue] = kinds.json
        }
        phaseMetrics["margin_parts"] = parts.json
        phaseMetrics["n_test"] = outcome.test.count.json  // counts written as integers
        phaseMetrics["steps"] = outcome.run.steps.json
        metrics[outcome.phase.rawValue] = phaseMetrics.json
        if let inheritance = outcome.inheritance {
            metrics["inherited"] = ["+1": inheritance.inheritedSlots[0].json, "-1": inheritance.inheritedSlots[1].json]
            metrics["inherited_coordinates"] = ["+1": inheritance.inheritedCoordinates[0].json, "-1": inheritance.inheritedCoordinates[1].json]
        }
        try ResultFile.write(TrajectoryTable(outcome).csv, to: url.appendingPathComponent("trajectory-\(outcome.phase.rawValue).csv"))
        if saveArrays { try writeArrays(outcome) }
        try JSONOutput.write(metrics, to: url.appendingPathComponent("metrics.json"))
    }

    /// Stamp the end time into the manifest.
    public mutating func finish() throws {
        manifest.finished = Date()
        try JSONOutput.write(manifest.jsonObject, to: url.appendingPathComponent("manifest.json"))
    }

    private func writeArrays(_ outcome: PhaseOutcome) throws {
        let folder = url.appendingPathComponent("arrays")
        let name = outcome.phase.rawValue
        let m = outcome.run.initial.m
        func save(_ suffix: String, _ values: [Double], _ shape: [Int]) throws {
            // Through ResultFile: a killed run leaves each array whole or absent, never truncated.
            try ResultFile.write(NPYFile.encode(values, shape: shape), to: folder.appendingPathComponent("\(name)-\(suffix).npy"))
        }
        // The test set in ℝᵈ: the reduced draw plus its complement (TestSet.materialised()).
        for (suffix, data) in [("", outcome.train), ("test", outcome.test.materialised())] {
            try save("X" + suffix, data.patches.storage, [data.count, data.patchCount, data.dimension])
            try save("y" + suffix, data.labels, [data.count])
        }
        try save("W0", outcome.run.initial.weights.storage, [2, m, outcome.run.initial.dimension])
        try save("W", outcome.run.final.weights.storage, [2, m, outcome.run.final.dimension])
    }
}
