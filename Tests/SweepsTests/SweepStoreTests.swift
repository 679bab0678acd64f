import Foundation
@testable import Platform
@testable import RunStore
@testable import Sweeps
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The store, the parallel runner, exports and phase diagrams on a small grid.
struct SweepStoreTests {
    static let grid = """
    base: {m: 3, N1: 16, N2: 6, T1: 30, T2: 30, n_test: 60, record_every: 10, v2_norm: 0.5}
    grid:
      d: [40, 80]
      u_norm: [0.5, 1, 2, 4]
    seeds: [0, 1, 2]
    """

    static func temporaryStore() throws -> SweepStore {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-sweeps-\(UUID().uuidString).sqlite")
        return try SweepStore(url: url)
    }

    @Test func runnerStoresEveryRunOnceAndResumes() async throws {
        let grid = try SweepGrid.parse(yaml: Self.grid)
        let store = try Self.temporaryStore()
        var reports = 0
        let first = try await SweepRunner(grid: grid, store: store, workers: 2).run { _ in reports += 1 }
        #expect(first.ran == 24 && first.skipped == 0 && reports == 24)
        let again = try await SweepRunner(grid: grid, store: store, workers: 2).run()
        #expect(again.ran == 0 && again.skipped == 24)
        let runs = try store.runs()
        let keys = Set(try grid.jobs.map(\.key))
        #expect(runs.count == 24 && Set(runs.map(\.key)) == keys)
        for run in runs {
            #expect(Set(run.metrics.keys) == ["upstream", "transfer", "scratch"])
            #expect(run.metrics["transfer"]?["decomposition_max_rel_error"].map { $0 <= 1e-9 } == true)
        }
        // A stored run equals the same job run again (deterministic from the config).
        let job = try grid.job(at: 5)
        let rerun = try await SweepResult.run(job)
        let stored = try #require(runs.first { $0.key == job.key })
        for phase in rerun.phases {
            #expect(stored.metrics[phase.phase]?["test_error"] == phase.values["test_error"])
            #expect(stored.metrics[phase.phase]?["train_loss"] == phase.values["train_loss"])
        }
    }

    /// Finished runs wait for their batch: a full batch (``StoreBatch/maxRuns``) is written at
    /// once, in one insert; what waits is written by `flush`, and a run already stored is left as is.
    @Test func storeBatchWritesFullBatchesAndFlushesTheRest() async throws {
        let grid = try SweepGrid.parse(yaml: "base: {m: 2, N1: 4, N2: 2, T1: 2, T2: 2, n_test: 4, record_every: 2}\ngrid: {d: [20]}\nseeds: [\(Array(0..<(StoreBatch.maxRuns + 3)).map(String.init).joined(separator: ", "))]\n")
        var results: [SweepResult] = []
        for job in try grid.jobs { results.append(try await SweepResult.run(job)) }
        let store = try Self.temporaryStore()
        var batch = StoreBatch(store: store)
        for result in results.prefix(StoreBatch.maxRuns - 1) { try batch.add(result) }
        let before = try store.runCount()
        #expect(before < StoreBatch.maxRuns)
        try batch.add(results[StoreBatch.maxRuns - 1])
        #expect(try store.runCount() == StoreBatch.maxRuns)
        for result in results.suffix(3) + results.prefix(2) { try batch.add(result) }
        try batch.flush()
        #expect(try store.runCount() == results.count)
        #expect(Set(try store.runs().map(\.key)) == Set(results.map(\.key)))
    }

    @Test func exportsOneFlatRowPerRun() async throws {
        let grid = try SweepGrid.parse(yaml: "base: {m: 2, N1: 8, N2: 4, T1: 5, T2: 5, n_test: 20, constants: {C1: 2.5}}\ngrid: {d: [20, 30]}\nseeds: [7, 18446744073709551615]\n")
        let store = try Self.temporaryStore()
        try await SweepRunner(grid: grid, store: store, workers: 1).run()
        let runs = try store.runs()
        let csv = SweepExport.csv(runs).split(separator: "\n").map(String.init)
        #expect(csv.count == 5)
        let header = csv[0].split(separator: ",").map(String.init)
        for column in ["key", "cell", "d", "u_norm", "seed", "layout", "constants.C1", "upstream_test_error", "transfer_test_error",
                       "scratch_clean_test_error", "transfer_decomposition_max_rel_error", "scratch_engine"] {
            #expect(header.contains(column), "\(column)")
        }
        #expect(!header.contains("engine"))
        let first = csv[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(first.count == header.count)
        #expect(first[header.firstIndex(of: "d")!] == "20" && first[header.firstIndex(of: "constants.C1")!] == "2.5")
        #expect(first[header.firstIndex(of: "seed")!] == "7")
        #expect(csv[2].split(separator: ",").map(String.init)[header.firstIndex(of: "seed")!] == "18446744073709551615")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(SweepExport.json(runs).utf8)) as? [[String: Any]])
        #expect(json.count == 4)
        #expect(json.allSatisfy { ($0["transfer_test_error"] as? Double) != nil && ($0["d"] as? Double) != nil })
        #expect(json.allSatisfy { $0.values.allSatisfy { !($0 is [String: Any]) && !($0 is [Any]) } })  // flat
    }

    @Test func phaseDiagramFitsAKnownBoundarySlope() throws {
        // Synthetic runs whose transfer error drops below p + τ exactly at y* = 0.5·x^{1/4}.
        var runs: [StoredRun] = []
        let xs = [100.0, 400, 1600, 6400], ys = (0..<12).map { 0.2 * pow(1.4, Double($0)) }
        for seed in UInt64(0)..<4 {
            for x in xs {
                for y in ys {
                    let star = 0.5 * pow(x, 0.25) * (1 + 0.02 * Double(seed))
                    let error = max(0, 0.1 - 0.2 * log(y / star))  // linear in log y, = 0.1 at y = y*
                    let config: [String: ConfigValue] = ["d": .number(x), "u_norm": .number(y), "p": .number(0),
                                                         "alpha": .number(0.5), "N1": .number(100), "N2": .number(10),
                                                         "v1_norm": .number(1), "v2_norm": .number(0.5), "sigma_p1": .number(1),
                                                         "sigma_p2": .number(1), "constants.C1": .number(1), "seed": .number(Double(seed))]
                    runs.append(StoredRun(key: "\(seed)-\(x)-\(y)", cellKey: "\(x)-\(y)", seed: seed, config: config, gridValues: [:],
                                          engines: [:], seconds: 0,
                                          metrics: ["transfer": ["test_error": min(error, 0.5)], "scratch": ["test_error": 0.3]]))
                }
            }
        }
        let diagram = try PhaseDiagram(runs: runs, x: "d", y: "u_norm")
        let fit = diagram.slopeFit()
        #expect(fit.perSeed.count == 4)
        // Interpolation is linear in log y, so it finds y* exactly: the slope is ¼ up to rounding.
        #expect(abs(try #require(fit.mean) - 0.25) < 1e-9)
        #expect(try #require(fit.halfWidth) < 1e-6)
        #expect(fit.theoryExponent == 0.25)
        #expect(!diagram.benignBoundary().isEmpty)
        let files = try diagram.render()
        for name in ["transfer_error.svg", "scratch_error.svg", "difference.svg", "benign_transfer.svg", "benign_scratch.svg",
                     "negative_transfer.svg", "summary.json", "index.html"] {
            #expect(files[name]?.isEmpty == false, "\(name)")
        }
        #expect(files["transfer_error.svg"]!.hasPrefix("<svg") && files["transfer_error.svg"]!.contains("Γ(α) = C1"))
        // Mixed slices are refused, naming the key.
        var other = runs[0]
        other = StoredRun(key: "x", cellKey: "x", seed: 9, config: other.config.merging(["N2": .number(11)]) { $1 },
                          gridValues: [:], engines: [:], seconds: 0, metrics: other.metrics)
        #expect(throws: ConfigError.self) { try PhaseDiagram(runs: runs + [other], x: "d", y: "u_norm") }
        #expect(throws: ConfigError.self) { try PhaseDiagram(runs: runs, x: "d", y: "bogus") }
    }
}
