import Foundation
import Testing

/// Sweeps on a real Slurm: the one-node cluster on loopback that scripts/test.sh starts
/// (scripts/slurm-loopback.sh; `SLURM_CONF` names it). Without one, the tests say they skipped.
struct SlurmTests {
    /// Run a Slurm client command; (exit status, output).
    static func client(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (-1, "") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let available: Bool = ProcessInfo.processInfo.environment["SLURM_CONF"] != nil && client(["sinfo", "-h"]).status == 0

    static func skip() -> Bool {
        if !available { print("skipped: no Slurm controller answers (scripts/test.sh starts one on loopback and sets SLURM_CONF)") }
        return !available
    }

    /// Wait until Slurm no longer lists any task of `job` as pending or running.
    static func wait(for job: String, seconds: Double = 600) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let queue = client(["squeue", "-h", "-r", "-j", job, "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING", "-o", "%K"])
            if queue.status == 0 && queue.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("job \(job) still running after \(seconds) s")
    }

    /// The export without its timing columns (every column whose name ends in `seconds`), rows sorted.
    static func withoutTimings(_ csv: String) -> [String] {
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first else { return [] }
        let kept = header.indices.filter { !header[$0].hasSuffix("seconds") }
        return [kept.map { header[$0] }.joined(separator: ",")] + rows.dropFirst().map { row in kept.map { row[$0] }.joined(separator: ",") }.sorted()
    }

    static let grid = """
    base: {m: 3, N1: 20, N2: 6, T1: 60, T2: 60, n_test: 100, record_every: 30, v2_norm: 0.5}
    grid:
      d: [50, 100, 200, 400, 800]
      u_norm: [0.5, 1, 2, 4, 8]
    seeds: [0, 1, 2, 3]
    """

    /// A 4-task array of 100 runs, merged, exports what a local sweep of the grid exports,
    /// byte for byte apart from the timing columns; a second merge adds nothing.
    @Test func arraySweepMergesToTheLocalStore() throws {
        guard !Self.skip() else { return }
        let dir = CLI.temporaryDirectory("slurm-sweep")
        let grid = dir.appendingPathComponent("grid.yaml")
        try CLI.write(Self.grid, to: grid)
        let local = dir.appendingPathComponent("local.sqlite"), cluster = dir.appendingPathComponent("cluster.sqlite")
        #expect(try CLI.run(["sweep", "--grid", grid.path, "--store", local.path, "--quiet"]).status == 0)
        let submitted = try CLI.run(["sweep", "--grid", grid.path, "--store", cluster.path, "--slurm", "--tasks", "4", "--workers", "1", "--quiet"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let job = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!job.isEmpty && job.allSatisfy(\.isNumber), "\(submitted.stdout)")
        try Self.wait(for: job)
        let status = try CLI.run(["sweep", "status", "--store", cluster.path])
        #expect(status.stdout.contains("0 runs missing in the shards"), "\(status.stdout)")
        let merged = try CLI.run(["sweep", "merge", "--store", cluster.path])
        #expect(merged.status == 0 && merged.stdout.contains("100 runs added"), "\(merged.stdout)\(merged.stderr)")
        let again = try CLI.run(["sweep", "merge", "--store", cluster.path])
        #expect(again.status == 0 && again.stdout.contains("0 runs added; the store holds 100 runs"), "\(again.stdout)")
        let a = try CLI.run(["sweep", "export", "--store", local.path]).stdout, b = try CLI.run(["sweep", "export", "--store", cluster.path]).stdout
        #expect(Self.withoutTimings(a).count == 101)
        #expect(Self.withoutTimings(a) == Self.withoutTimings(b))
    }

    /// A task cancelled part-way and resubmitted alone completes the store, with no duplicates.
    @Test func cancelledTaskResubmittedAlone() throws {
        guard !Self.skip() else { return }
        let dir = CLI.temporaryDirectory("slurm-cancel")
        let grid = dir.appendingPathComponent("grid.yaml"), store = dir.appendingPathComponent("s.sqlite")
        // Slower runs so that a task is still running when it is cancelled: T = 600 000 steps, about
        // 0.6 s a run in a debug build (the fused coefficient kernel is optimised even there), so a
        // shard of 25 runs takes about 15 s (at T = 15 000 the shard finished before the cancel
        // once the kernel was fused; at T = 1 500 before the first status poll saw it start).
        try CLI.write(Self.grid.replacingOccurrences(of: "T1: 60, T2: 60", with: "T1: 600000, T2: 600000")
                          .replacingOccurrences(of: "record_every: 30", with: "record_every: 300000"), to: grid)
        let submitted = try CLI.run(["sweep", "--grid", grid.path, "--store", store.path, "--slurm", "--tasks", "4", "--workers", "1", "--quiet"])
        let job = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let shard2 = dir.appendingPathComponent("s.shards/2.sqlite")
        let deadline = Date().addingTimeInterval(300)
        var cancelledPartWay = false
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: shard2.path), (try? CLI.run(["sweep", "status", "--store", store.path]).stdout.contains("shard 2: 0/")) == false {
                cancelledPartWay = Self.client(["scancel", "\(job)_2"]).status == 0
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        try Self.wait(for: job)
        let status = try CLI.run(["sweep", "status", "--store", store.path]).stdout
        #expect(cancelledPartWay && !status.contains("0 runs missing"), "task 2 was not cancelled part-way: \(status)")
        let resubmitted = try CLI.run(["sweep", "--grid", grid.path, "--store", store.path, "--slurm", "--tasks", "4", "--workers", "1", "--sbatch-args=--array=2", "--quiet"])
        #expect(resubmitted.status == 0, "\(resubmitted.stderr)")
        try Self.wait(for: resubmitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try CLI.run(["sweep", "status", "--store", store.path]).stdout.contains("0 runs missing in the shards"))
        let merged = try CLI.run(["sweep", "merge", "--store", store.path])
        #expect(merged.stdout.contains("the store holds 100 runs"), "\(merged.stdout)")
        let rows = try CLI.run(["sweep", "export", "--store", store.path]).stdout.split(separator: "\n")
        #expect(rows.count == 101 && Set(rows.dropFirst().map { $0.split(separator: ",")[0] }).count == 100)
    }

    /// `ptv validate --slurm`: the array's shards and the judging job give the verdicts of a
    /// local run of the same suite.
    @Test func validateOnTheClusterJudgesLikeALocalRun() throws {
        guard !Self.skip() else { return }
        let dir = CLI.temporaryDirectory("slurm-validate")
        let suite = dir.appendingPathComponent("suite.yaml")
        try CLI.write(ValidateCommandTests.suite, to: suite)
        let local = dir.appendingPathComponent("local"), cluster = dir.appendingPathComponent("cluster")
        _ = try CLI.run(["validate", "--suite", suite.path, "--out", local.path, "--quiet"])
        let submitted = try CLI.run(["validate", "--suite", suite.path, "--out", cluster.path, "--slurm", "--tasks", "3", "--workers", "1", "--quiet"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let jobs = submitted.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(jobs.count == 2, "\(submitted.stdout)")
        for job in jobs { try Self.wait(for: job) }
        func verdicts(_ out: URL) throws -> [String: String] {
            let statements = try CLI.json(out.appendingPathComponent("summary.json"))["statements"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: statements.map { ($0["id"] as? String ?? "", $0["verdict"] as? String ?? "") })
        }
        let a = try verdicts(local), b = try verdicts(cluster)
        #expect(!a.isEmpty && a == b)
        // Each of the three tasks and the judging job left its log beside the shards.
        let log = try FileManager.default.contentsOfDirectory(atPath: cluster.appendingPathComponent("shards").path).filter { $0.hasPrefix("slurm-") }
        #expect(log.count == 4, "\(log)")
    }

    /// A deep suite on the cluster: shards of configuration × seed units, then the judging job
    /// merges them into the run store; the summary equals a local run's.
    @Test func deepSuiteOnTheClusterJudgesLikeALocalRun() throws {
        guard !Self.skip() else { return }
        let dir = CLI.temporaryDirectory("slurm-deep")
        let suite = dir.appendingPathComponent("tiny.yaml"), data = dir.appendingPathComponent("data")
        try DeepValidateCommandTests.writeImages(to: data)
        try CLI.write(DeepValidateCommandTests.suite, to: suite)
        let local = dir.appendingPathComponent("local"), cluster = dir.appendingPathComponent("cluster")
        _ = try CLI.run(["validate", "--suite", suite.path, "--out", local.path, "--data", data.path, "--quiet"])
        let submitted = try CLI.run(["validate", "--suite", suite.path, "--out", cluster.path, "--data", data.path, "--slurm", "--tasks", "2", "--workers", "1", "--quiet"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        for job in submitted.stdout.split(whereSeparator: \.isWhitespace) { try Self.wait(for: String(job)) }
        func gains(_ out: URL) throws -> [String] {
            let configurations = try CLI.json(out.appendingPathComponent("summary.json"))["configurations"] as? [[String: Any]] ?? []
            return configurations.map { "\($0["label"] ?? "") \(($0["gain"] as? [String: Any])?["mean"] ?? "")" }
        }
        #expect(try !gains(local).isEmpty && gains(local) == gains(cluster))
    }

    /// `ptv audit --slurm`: the paired differences and verdicts of a local audit of the same suite.
    @Test func auditOnTheClusterMatchesALocalAudit() throws {
        guard !Self.skip() else { return }
        let dir = CLI.temporaryDirectory("slurm-audit")
        let suite = dir.appendingPathComponent("suite.yaml")
        try CLI.write(ValidateCommandTests.suite, to: suite)
        let local = dir.appendingPathComponent("local"), cluster = dir.appendingPathComponent("cluster")
        _ = try CLI.run(["audit", "--variant", "frozen", "--suite", suite.path, "--out", local.path, "--quiet"])
        let submitted = try CLI.run(["audit", "--variant", "frozen", "--suite", suite.path, "--out", cluster.path, "--slurm", "--tasks", "2", "--workers", "1", "--quiet"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        for job in submitted.stdout.split(whereSeparator: \.isWhitespace) { try Self.wait(for: String(job)) }
        func findings(_ out: URL) throws -> [String] {
            let summary = try CLI.json(out.appendingPathComponent("summary.json"))
            let configurations = summary["configurations"] as? [[String: Any]] ?? []
            return configurations.map { "\($0["label"] ?? "") \(($0["variant_minus_baseline"] as? [String: Any])?["mean"] ?? "")" }
                + ((summary["statements"] as? [[String: Any]]) ?? []).map { "\($0["id"] ?? "") \($0["variant"] ?? "") \($0["baseline"] ?? "")" }.sorted()
        }
        #expect(try !findings(local).isEmpty && findings(local) == findings(cluster))
    }
}
