import Foundation
@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The run folder of `ptv train`: files appear phase by phase, and a failure is not lost.
struct RunDirectoryTests {
    static func folder(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-rundir-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        return url
    }

    /// Run `phases` of `config`, writing each into a run folder at `url` as `ptv train` does.
    static func record(_ config: ExperimentConfig, into url: URL, phases: [Phase] = Phase.allCases,
                       saveArrays: Bool = false, replacing: Bool = false) async throws {
        var directory = try RunDirectory(url: url, config: config, saveArrays: saveArrays, replacing: replacing)
        try directory.start()
        try await TransferExperiment(config: config).run(phases: phases, onPhase: { try directory.write($0) })
        try directory.finish()
    }

    @Test func writerWritesManifestPhasesAndEndTime() async throws {
        let url = Self.folder("ok")
        defer { try? FileManager.default.removeItem(at: url) }
        let config = Fixtures.config("T1: 5\nT2: 5\n")
        try await Self.record(config, into: url)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: url.appendingPathComponent("manifest.json"))) as? [String: Any]
        #expect(manifest?["finished"] is String && manifest?["git_commit"] is String)
        let metrics = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: url.appendingPathComponent("metrics.json"))) as? [String: Any])
        #expect(Set(metrics.keys).isSuperset(of: ["upstream", "transfer", "scratch"]))
    }

    /// The folder disappears after the run started: the run throws at the first phase's files
    /// instead of reporting success with nothing written.
    @Test func writeFailureStopsTheRun() async throws {
        let url = Self.folder("gone")
        let config = Fixtures.config("T1: 5\nT2: 5\n")
        var directory = try RunDirectory(url: url, config: config, saveArrays: false)
        try directory.start()
        try FileManager.default.removeItem(at: url)
        await #expect(throws: (any Error).self) {
            try await TransferExperiment(config: config).run(phases: [.upstream], onPhase: { try directory.write($0) })
        }
    }

    /// A folder holding an earlier run is refused, naming --force; replacing removes that run's
    /// files (a stale arrays/ included) and nothing else.
    @Test func earlierResultsAreRefusedOrReplacedWhole() async throws {
        let url = Self.folder("earlier")
        defer { try? FileManager.default.removeItem(at: url) }
        let config = Fixtures.config("T1: 5\nT2: 5\n")
        try await Self.record(config, into: url, saveArrays: true)
        try "mine".write(to: url.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent("arrays/upstream-W.npy").path))
        do {
            _ = try RunDirectory(url: url, config: config, saveArrays: false)
            Issue.record("an earlier run was not refused")
        } catch let error as ConfigError {
            #expect(error.field == "out" && error.problem.contains("--force") && error.problem.contains("manifest.json"), "\(error)")
        }
        try await Self.record(config, into: url, phases: [.upstream], replacing: true)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: url.path))
        #expect(names == ["manifest.json", "metrics.json", "trajectory-upstream.csv", "notes.txt"], "\(names)")
    }

    @Test func unwritableFolderIsAConfigError() {
        #expect(throws: ConfigError.self) {
            _ = try RunDirectory(url: URL(fileURLWithPath: "/proc/ptv-no-folder-here"), config: Fixtures.config(), saveArrays: false)
        }
    }
}

/// Result files are replaced whole, leave no temporary behind, and report failures.
struct ResultFileTests {
    @Test func replacesWholeAndLeavesNoTemporary() throws {
        let folder = RunDirectoryTests.folder("resultfile")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("a.json")
        try ResultFile.write(String(repeating: "x", count: 100_000), to: url)
        try ResultFile.write("short\n", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "short\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.json"])
    }

    @Test func missingFolderThrowsNamingThePath() {
        let url = URL(fileURLWithPath: "/nonexistent-ptv-folder/a.json")
        #expect(throws: (any Error).self) { try ResultFile.write("x", to: url) }
        do { try ResultFile.write("x", to: url) } catch {
            #expect("\(error)".contains("/nonexistent-ptv-folder") && "\(error)".contains("no such file"), "\(error)")
        }
    }
}
