import Foundation
@testable import RunStore
@testable import Sweeps
import Testing

/// `ptv sweep`, `ptv sweep export` and `ptv phase` end to end, including a sweep killed with
/// SIGKILL and resumed.
@Suite(.serialized)
struct SweepCommandTests {
    /// 24 runs of ~0.1–0.2 s each (weight engine, so a run takes long enough to be caught mid-sweep).
    static let grid = """
    base: {d: 600, m: 8, N1: 80, N2: 10, T1: 300, T2: 100, n_test: 200, record_every: 100, engine: weights, v2_norm: 0.5}
    grid:
      u_norm: [0.5, 1, 2, 4]
      alpha: [0.25, 0.75]
    seeds: [0, 1, 2]
    """

    static func export(_ store: URL, format: String = "json") throws -> [[String: Any]] {
        let result = try CLI.run(["sweep", "export", "--store", store.path, "--format", format])
        guard result.status == 0, let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            return []
        }
        return rows
    }

    /// The rows keyed by run key, without wall-clock columns.
    static func comparable(_ rows: [[String: Any]]) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for row in rows {
            var fields: [String: String] = [:]
            for (k, v) in row where k != "seconds" && !k.hasSuffix("_seconds") { fields[k] = "\(v)" }
            out[row["key"] as! String] = fields
        }
        return out
    }

    @Test func sweepKilledWithSIGKILLResumesToExactlyTheUninterruptedResults() throws {
        let dir = CLI.temporaryDirectory("sweep-kill")
        let gridFile = dir.appendingPathComponent("grid.yaml")
        try CLI.write(Self.grid, to: gridFile)
        let killed = dir.appendingPathComponent("killed.sqlite"), clean = dir.appendingPathComponent("clean.sqlite")

        let process = try CLI.launch(["sweep", "--grid", gridFile.path, "--store", killed.path, "--workers", "2"])
        let deadline = Date().addingTimeInterval(60)
        var stored = 0
        while Date() < deadline && process.isRunning {
            stored = FileManager.default.fileExists(atPath: killed.path) ? (try Self.export(killed).count) : 0
            if stored >= 2 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the sweep finished before it could be killed")
        let partial = try Self.export(killed)
        #expect(partial.count >= 2 && partial.count < 24, "\(partial.count) runs stored at the kill")
        // Whatever was stored is whole: every run has all three phases.
        for row in partial { for phase in ["upstream", "transfer", "scratch"] { #expect(row["\(phase)_test_error"] != nil) } }

        let resumed = try CLI.run(["sweep", "--grid", gridFile.path, "--store", killed.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("\(24 - partial.count) runs now, \(partial.count) already stored"), "\(resumed.stdout)")
        let again = try CLI.run(["sweep", "--grid", gridFile.path, "--store", killed.path, "--quiet"])
        #expect(again.stdout.contains("0 runs now, 24 already stored"))

        let uninterrupted = try CLI.run(["sweep", "--grid", gridFile.path, "--store", clean.path, "--quiet"])
        #expect(uninterrupted.status == 0)
        let a = try Self.export(killed), b = try Self.export(clean)
        #expect(a.count == 24 && b.count == 24)
        #expect(Set(a.map { $0["key"] as! String }).count == 24)  // exactly one row per run
        let ca = Self.comparable(a), cb = Self.comparable(b)
        #expect(ca.keys.sorted() == cb.keys.sorted())
        for key in ca.keys where ca[key] != cb[key] {
            Issue.record("run \(key) differs after resuming")
        }
    }

    /// `--adaptive`: seeds go to disputed and near-boundary cells look by look (2 → 4 → 8 seeds),
    /// each recorded with its look and reason; the budget caps the added runs over every
    /// invocation, a second invocation with the same budget runs nothing, and a larger one goes on.
    @Test func adaptiveSeedsFollowTheScheduleAndTheBudget() throws {
        let dir = CLI.temporaryDirectory("sweep-adaptive")
        let gridFile = dir.appendingPathComponent("grid.yaml"), store = dir.appendingPathComponent("s.sqlite")
        try CLI.write("base: {m: 3, N1: 30, N2: 6, T1: 60, T2: 60, n_test: 100, record_every: 30, v2_norm: 0.5}\ngrid:\n  d: [50, 100, 200]\n  u_norm: [0.5, 1, 2, 4]\nseeds: [0, 1]\n", to: gridFile)
        let first = try CLI.run(["sweep", "--grid", gridFile.path, "--store", store.path, "--adaptive", "--budget", "12"])
        #expect(first.status == 0 && first.stdout.contains("adaptive seeds:"), "\(first.stderr)")
        let added = try SweepStore(url: store, create: false).addedSeeds()
        #expect(!added.isEmpty && added.count <= 12, "\(added.count) added runs")
        // Whole looks only: a cell's added seeds number 2 (look 2) or 2 + 4 (look 3), never a part.
        let runs = try SweepStore(url: store, create: false).runs()
        #expect(runs.count == 24 + added.count)
        for (_, cell) in Dictionary(grouping: runs, by: \.cellKey) { #expect([2, 4, 8].contains(cell.count), "\(cell.count) seeds in a cell") }
        for entry in added.values {
            #expect(entry.look >= 2 && (entry.reason.hasPrefix("disputed") || entry.reason.hasPrefix("near a predicted boundary")), "\(entry)")
        }
        // The grid's seeds stay the diagram's seeds; added ones only widen their cells.
        let again = try CLI.run(["sweep", "--grid", gridFile.path, "--store", store.path, "--adaptive", "--budget", "12"])
        #expect(again.status == 0 && again.stdout.contains("0 run now"), "\(again.stdout)")
        #expect(try SweepStore(url: store, create: false).addedSeeds().count == added.count)
        let more = try CLI.run(["sweep", "--grid", gridFile.path, "--store", store.path, "--adaptive", "--budget", "40"])
        let afterMore = try SweepStore(url: store, create: false).addedSeeds().count
        #expect(more.status == 0 && afterMore > added.count && afterMore <= 40, "\(more.stdout)")
        for (arguments, field) in [(["--budget", "5"], "--budget is for --adaptive"), (["--adaptive"], "--adaptive needs --budget"),
                                   (["--adaptive", "--budget", "-1"], "--budget")] {
            let refused = try CLI.run(["sweep", "--grid", gridFile.path, "--store", store.path] + arguments)
            #expect(refused.status == 2 && refused.stderr.contains(field), "\(arguments): \(refused.stderr)")
        }
    }

    @Test func exportFormatsAndPhaseDiagram() throws {
        let dir = CLI.temporaryDirectory("sweep-export")
        let gridFile = dir.appendingPathComponent("grid.yaml")
        try CLI.write("base: {m: 3, N1: 30, N2: 6, T1: 60, T2: 60, n_test: 100, record_every: 30, v2_norm: 0.5}\ngrid:\n  d: [50, 100, 200]\n  u_norm: [0.5, 1, 2, 4]\nseeds: [0, 1]\n", to: gridFile)
        let store = dir.appendingPathComponent("s.sqlite")
        let run = try CLI.run(["sweep", "--grid", gridFile.path, "--store", store.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("sweep: 24/24 runs"))  // plain progress lines when stderr is not a terminal
        let csv = try CLI.run(["sweep", "export", "--store", store.path, "--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 25 && lines[0].hasPrefix("key,cell,d,m,N1,N2,u_norm"))
        let out = dir.appendingPathComponent("export.json")
        #expect(try CLI.run(["sweep", "export", "--store", store.path, "--format", "json", "--out", out.path]).status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [[String: Any]]
        #expect(json?.count == 24)

        let phaseDir = dir.appendingPathComponent("phase")
        let phase = try CLI.run(["phase", "--store", store.path, "--x", "d", "--y", "u_norm", "--out", phaseDir.path])
        #expect(phase.status == 0, "\(phase.stderr)")
        #expect(phase.stdout.contains("empirical boundary slope") && phase.stdout.contains("predicted exponent +0.25"))
        for name in ["transfer_error.svg", "scratch_error.svg", "difference.svg", "benign_transfer.svg", "negative_transfer.svg",
                     "gamma_hat_ratio.svg", "summary.json"] {
            #expect(FileManager.default.fileExists(atPath: phaseDir.appendingPathComponent(name).path), "\(name)")
        }
        // Every shipped theory file predicts, and its sign agreement (or the lack of a decisive cell) is stated.
        for theory in ["proofs/theory.yaml", "proofs/candidates/learning.yaml", "proofs/candidates/static.yaml", "proofs/candidates/unmemorised.yaml"] {
            #expect(phase.stdout.contains("\(theory): predicted sign") || phase.stdout.contains("\(theory): no cell"), "\(theory)\n\(phase.stdout)")
        }
        // Side by side with a second store (here the same one): both full pages and the comparison page.
        let both = try CLI.run(["phase", "--store", store.path, "--beside", store.path, "--x", "d", "--y", "u_norm", "--out", phaseDir.path])
        #expect(both.status == 0, "\(both.stderr)")
        let page = try String(contentsOf: phaseDir.appendingPathComponent("side-by-side.html"), encoding: .utf8)
        #expect(page.contains("class=\"columns\"") && page.contains("beside/index.html") && page.contains("sign agreement"))
        // The scoreboard: on both pages, and per theory file in summary.json.
        #expect(page.contains("agreement on decisive disputed cells: proofs/candidates/learning.yaml"))
        let index = try String(contentsOf: phaseDir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("Scoreboard") && index.contains("agreement on decisive disputed cells"))
        let scoreboard = try #require(try CLI.json(phaseDir.appendingPathComponent("summary.json"))["scoreboard"] as? [String: Any])
        // Four files (the shipped theory and three candidates), so 4·3/2 pairs.
        #expect((scoreboard["theories"] as? [[String: Any]])?.count == 4 && (scoreboard["pairs"] as? [[String: Any]])?.count == 6)
        #expect(FileManager.default.fileExists(atPath: phaseDir.appendingPathComponent("beside/negative_transfer.svg").path))
    }

    @Test(arguments: [
        (["sweep", "--grid", "GRID", "--store", "STORE"], "grid.d[1]"),
        (["sweep", "--grid", "GRID", "--store", "STORE", "--workers", "0"], "--workers"),
        (["sweep", "--grid", "MISSING", "--store", "STORE"], "grid file"),
        (["sweep", "export", "--store", "STORE", "--format", "xml"], "--format"),
        (["sweep", "export", "--store", "MISSING", "--format", "csv"], "store"),
        (["phase", "--store", "MISSING", "--x", "d", "--y", "u_norm", "--out", "OUT"], "store"),
        (["phase", "--store", "STORE", "--beside", "MISSING", "--x", "d", "--y", "u_norm", "--out", "OUT"], "--beside"),
        (["phase", "--store", "STORE", "--candidates", "MISSING", "--x", "d", "--y", "u_norm", "--out", "OUT"], "--candidates"),
    ])
    func badInputExitsWithCode2AndNamesTheField(arguments: [String], field: String) throws {
        let dir = CLI.temporaryDirectory("sweep-errors")
        try CLI.write("grid: {d: [100, 1]}\nseeds: [0]\n", to: dir.appendingPathComponent("grid.yaml"))
        let resolved = arguments.map { a -> String in
            switch a {
            case "GRID": return dir.appendingPathComponent("grid.yaml").path
            case "STORE": return dir.appendingPathComponent("s.sqlite").path
            case "MISSING": return dir.appendingPathComponent("missing").path
            case "OUT": return dir.appendingPathComponent("out").path
            default: return a
            }
        }
        let result = try CLI.run(resolved)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(field), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}

/// Shards without Slurm: `--shard i/N` splits a grid by cell, `merge` folds the shards in and
/// refuses one of another grid; `--slurm` without a reachable Slurm exits 2.
struct SweepShardCommandTests {
    static let grid = "base: {m: 3, N1: 20, N2: 6, T1: 40, T2: 40, n_test: 50, record_every: 20, v2_norm: 0.5}\ngrid:\n  d: [50, 100, 200]\n  u_norm: [0.5, 1, 2]\nseeds: [0, 1]\n"

    @Test func shardsCoverTheGridAndMergeOnce() throws {
        let dir = CLI.temporaryDirectory("shards")
        let grid = dir.appendingPathComponent("g.yaml"), store = dir.appendingPathComponent("s.sqlite")
        try CLI.write(Self.grid, to: grid)
        var total = 0
        for i in 0..<3 {
            let result = try CLI.run(["sweep", "--grid", grid.path, "--store", store.path, "--shard", "\(i)/3", "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            let ran = Int(result.stdout.split(separator: " ")[2]) ?? -1   // "sweep finished: <n> runs now, …"
            #expect(ran % 2 == 0, "every seed of a cell lands in one shard: \(result.stdout)")
            total += ran
        }
        #expect(total == 18)
        let merged = try CLI.run(["sweep", "merge", "--store", store.path])
        #expect(merged.stdout.contains("18 runs added"), "\(merged.stdout)")
        #expect(try CLI.run(["sweep", "merge", "--store", store.path]).stdout.contains("0 runs added; the store holds 18 runs"))
        let status = try CLI.run(["sweep", "status", "--store", store.path, "--grid", grid.path])
        #expect(status.stdout.contains("0 runs missing in the shards; the store holds 18 runs"), "\(status.stdout)")
    }

    @Test func mergeRefusesAnotherGridsShard() throws {
        let dir = CLI.temporaryDirectory("shards-mismatch")
        let a = dir.appendingPathComponent("a.yaml"), b = dir.appendingPathComponent("b.yaml")
        try CLI.write(Self.grid, to: a)
        try CLI.write(Self.grid.replacingOccurrences(of: "seeds: [0, 1]", with: "seeds: [5]"), to: b)
        let s = dir.appendingPathComponent("s.sqlite"), t = dir.appendingPathComponent("t.sqlite")
        #expect(try CLI.run(["sweep", "--grid", a.path, "--store", s.path, "--shard", "0/2", "--quiet"]).status == 0)
        #expect(try CLI.run(["sweep", "--grid", b.path, "--store", t.path, "--shard", "1/2", "--quiet"]).status == 0)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("t.shards/1.sqlite"), to: dir.appendingPathComponent("s.shards/1.sqlite"))
        let merged = try CLI.run(["sweep", "merge", "--store", s.path])
        #expect(merged.status == 2 && merged.stderr.contains("another grid"), "\(merged.stderr)")
        // A shard store refuses to run another grid's share, too.
        let mixed = try CLI.run(["sweep", "--grid", b.path, "--store", s.path, "--shard", "0/2", "--quiet"])
        #expect(mixed.status == 2 && mixed.stderr.contains("another grid"), "\(mixed.stderr)")
    }

    /// A PATH with `timeout` but no Slurm client: a folder holding a link to timeout(1) only.
    static let pathWithoutSlurm: String = {
        let folder = CLI.temporaryDirectory("path-without-slurm")
        try? FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("timeout").path, withDestinationPath: "/usr/bin/timeout")
        return folder.path
    }()

    @Test func slurmWithoutSlurmIsRefused() throws {
        let dir = CLI.temporaryDirectory("no-slurm")
        let grid = dir.appendingPathComponent("g.yaml")
        try CLI.write(Self.grid, to: grid)
        let noClient = try CLI.run(["sweep", "--grid", grid.path, "--store", dir.appendingPathComponent("s.sqlite").path, "--slurm"], environment: ["PATH": Self.pathWithoutSlurm])
        #expect(noClient.status == 2 && noClient.stderr.contains("'slurm'") && noClient.stderr.contains("sinfo"), "\(noClient.stderr)")
        let noController = try CLI.run(["sweep", "--grid", grid.path, "--store", dir.appendingPathComponent("s.sqlite").path, "--slurm"],
                                       environment: ["SLURM_CONF": dir.appendingPathComponent("missing.conf").path])
        #expect(noController.status == 2 && noController.stderr.contains("'slurm'"), "\(noController.stderr)")
        for bad in [["--shard", "4/4"], ["--shard", "x"], ["--slurm", "--tasks", "0"], ["--sbatch-args", "-p x"]] {
            let result = try CLI.run(["sweep", "--grid", grid.path, "--store", dir.appendingPathComponent("s.sqlite").path] + bad)
            #expect(result.status == 2, "\(bad): \(result.stderr)")
        }
    }
}

/// `ptv validate --shard i/N` without a cluster: the shares together hold every run once, and
/// judging from them (`--from-shards`) trains nothing and gives the local run's verdicts.
struct ValidateShardCommandTests {
    @Test func sharesAndJudgingFromThem() throws {
        let dir = CLI.temporaryDirectory("validate-shards")
        let suite = dir.appendingPathComponent("suite.yaml")
        try CLI.write(ValidateCommandTests.suite, to: suite)
        let out = dir.appendingPathComponent("r"), local = dir.appendingPathComponent("local")
        var total = 0
        for i in 0..<2 {
            let result = try CLI.run(["validate", "--suite", suite.path, "--out", out.path, "--shard", "\(i)/2", "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            total += Int(result.stdout.split(separator: " ")[2]) ?? 0   // "shard i/N: <n> runs, …"
        }
        #expect(total == 6)
        let judged = try CLI.run(["validate", "--suite", suite.path, "--out", out.path, "--from-shards"])
        #expect(judged.stderr.components(separatedBy: "found in the shards").count == 7, "\(judged.stderr)")
        _ = try CLI.run(["validate", "--suite", suite.path, "--out", local.path, "--quiet"])
        #expect(try CLI.json(out.appendingPathComponent("summary.json"))["counts"] as? [String: Int]
                == CLI.json(local.appendingPathComponent("summary.json"))["counts"] as? [String: Int])
        let both = try CLI.run(["validate", "--suite", suite.path, "--out", out.path, "--shard", "0/2", "--from-shards"])
        #expect(both.status == 2)
    }
}

/// A grid with `regime:`: every stored run, read back from the export and given to `ptv bounds`,
/// lies inside every condition at the grid's C.
struct RegimeSweepCommandTests {
    @Test func everyStoredRunIsInsideTheHypotheses() throws {
        let dir = CLI.temporaryDirectory("regime-sweep")
        let grid = dir.appendingPathComponent("g.yaml"), store = dir.appendingPathComponent("s.sqlite")
        try CLI.write(RegimePlacementGrid.yaml, to: grid)
        let swept = try CLI.run(["sweep", "--grid", grid.path, "--store", store.path])
        #expect(swept.status == 0 && swept.stderr.contains("3 of 4 cells cannot be placed"), "\(swept.stderr)")
        let export = try CLI.run(["sweep", "export", "--store", store.path, "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        for (k, row) in rows.enumerated() {
            let keys = ["d", "N1", "N2", "m", "u_norm", "v1_norm", "v2_norm", "p", "eta", "eta2", "sigma0", "T1", "T2", "sampler"]
            let config = keys.map { "\($0): \(row[$0] ?? "")" }.joined(separator: ", ")
            let file = dir.appendingPathComponent("run\(k).yaml")
            try CLI.write("{\(config), constants: {C: 3}}\n", to: file)
            let bounds = try CLI.run(["bounds", "--config", file.path])
            #expect(bounds.status == 0 && bounds.stdout.contains("regime: ") && !bounds.stdout.contains("outside the hypotheses"), "\(config)\n\(bounds.stdout)")
        }
    }
}

/// The shipped in-regime grids: a sample of placed cells of each (the first, middle and last
/// placed cell, with the first and last seed), given to `ptv bounds` at the grid's C, lie inside
/// every condition. Placement only: nothing is trained.
struct ShippedRegimeGridTests {
    @Test(arguments: ["phase-d-u-regime.yaml", "phase-n1-u-regime.yaml", "phase-alpha-u-regime.yaml", "phase-d-u-disputed.yaml", "phase-m-u-full.yaml"])
    func sampledCellsAreInsideTheHypotheses(file: String) throws {
        let grid = try SweepGrid.load(from: CLI.packageRoot.appendingPathComponent("validation/grids/\(file)"))
        let regime = try #require(grid.regime)
        let placed = (0..<grid.cellCount).filter { grid.unplaced[$0] == nil }
        #expect(placed.count >= grid.cellCount / 3, "\(file): only \(placed.count) of \(grid.cellCount) cells placed")
        let dir = CLI.temporaryDirectory("shipped-regime")
        for cell in Set([placed.first!, placed[placed.count / 2], placed.last!]).sorted() {
            for index in [cell * grid.seeds.count, cell * grid.seeds.count + grid.seeds.count - 1] {
                let config = try grid.job(at: index).config
                var lines = config.jsonObject.compactMap { key, value -> String? in
                    key == "constants" || key == "variant" ? nil : "\(key): \(value)"
                }
                lines.append("constants: {C: \(regime.constant)}")
                let url = dir.appendingPathComponent("cell\(index).yaml")
                try CLI.write(lines.sorted().joined(separator: "\n") + "\n", to: url)
                let bounds = try CLI.run(["bounds", "--config", url.path])
                #expect(bounds.status == 0 && bounds.stdout.contains("regime: ") && !bounds.stdout.contains("outside the hypotheses"),
                        "\(file) cell \(cell): \(bounds.stdout)")
            }
        }
    }
}

enum RegimePlacementGrid {
    static let yaml = """
    base: {N1: 50, N2: 20, m: 24, u_norm: 10, v1_norm: 10, v2_norm: 10, sampler: gram, n_test: 100}
    grid:
      d: [1000000, 100000000]
      p: [0, 0.4]
    seeds: [0, 1]
    regime: {C: 3, margin: 2, clock: 3000}
    """
}
