import Foundation
import GRDB
import Platform
import Testing
import TransferModel
@testable import RunStore

/// SHA-256 against the published FIPS 180-4 / NIST example vectors (not this code's output).
@Suite struct RunHashTests {
    @Test func nistVectors() {
        #expect(RunHash.hex("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(RunHash.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(RunHash.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(RunHash.hex(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

/// The store keeps what it is given, once, and refuses what it did not write.
@Suite struct SweepStoreRoundTripTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func result(d: Int, seed: UInt64, testError: Double) -> SweepResult {
        var config = ExperimentConfig()
        config.d = d
        config.seed = seed
        let grid = ["d": String(d)]
        return SweepResult(key: RunKey.key(config), cellKey: RunKey.key(config, includingSeed: false), seed: seed,
                           configJSON: RunKey.canonicalJSON(config), gridValues: grid, gridJSON: grid.json.canonicalText,
                           engines: ["upstream": "weights"], seconds: 1.5,
                           phases: [.init(phase: "downstream", values: ["test_error": testError, "steps": 20], trajectoryCSV: "")])
    }

    @Test func insertedRunsReadBackWithTheirValues() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SweepStore(url: dir.appendingPathComponent("s.sqlite"))
        try store.insert([Self.result(d: 100, seed: 0, testError: 0.125), Self.result(d: 200, seed: 1, testError: 0.25)])
        let runs = try store.runs()
        #expect(runs.count == 2)
        let byD: [Double: StoredRun] = Dictionary(uniqueKeysWithValues: runs.map { ($0.number("d") ?? -1, $0) })
        #expect(byD[100]?.metrics["downstream"]?["test_error"] == 0.125)
        #expect(byD[200]?.metrics["downstream"]?["test_error"] == 0.25)
        #expect(byD[200]?.seed == 1)
        #expect(byD[100]?.gridValues == ["d": "100"])
        #expect(byD[100]?.engines == ["upstream": "weights"])
        #expect(byD[100]?.metrics["downstream"]?["train_error"] == nil)   // absent stays absent, not 0
    }

    /// A key already present keeps its first values: a re-run never overwrites a finished run.
    @Test func aDuplicateKeyIsIgnored() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SweepStore(url: dir.appendingPathComponent("s.sqlite"))
        try store.insert([Self.result(d: 100, seed: 0, testError: 0.125)])
        try store.insert([Self.result(d: 100, seed: 0, testError: 0.5)])
        #expect(try store.runCount() == 1)
        #expect(try store.runs().first?.metrics["downstream"]?["test_error"] == 0.125)
    }

    /// A SQLite file of someone else's, and a text file, are refused as stores with a ConfigError
    /// naming the field; neither file is changed.
    @Test func aForeignFileIsRefusedAndLeftAlone() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.txt")
        try Data("not a database\n".utf8).write(to: text)
        let foreign = dir.appendingPathComponent("other.sqlite")
        try DatabaseQueue(path: foreign.path).write { db in
            try db.execute(sql: "CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('mine')")
        }
        for url in [text, foreign] {
            let before = try Data(contentsOf: url)
            do {
                _ = try SweepStore(url: url, field: "store")
                Issue.record("\(url.lastPathComponent) was opened as a store")
            } catch let error as ConfigError {
                #expect(error.field == "store")
            }
            #expect(try Data(contentsOf: url) == before, "\(url.lastPathComponent) changed")
        }
    }

    /// Merging a shard adds its runs once; merging it again adds nothing.
    @Test func mergingTwiceAddsNothingTheSecondTime() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shardURL = dir.appendingPathComponent("shard.sqlite")
        let shard = try SweepStore(url: shardURL)
        try shard.claim(grid: "grid-identity")
        try shard.insert([Self.result(d: 100, seed: 0, testError: 0.125), Self.result(d: 100, seed: 1, testError: 0.375)])
        let main = try SweepStore(url: dir.appendingPathComponent("main.sqlite"))
        try main.insert([Self.result(d: 100, seed: 0, testError: 0.125)])
        let first = try main.merge(shard: shardURL)
        #expect(first.added == 1 && first.held == 2)
        let second = try main.merge(shard: shardURL)
        #expect(second.added == 0 && second.held == 2)
        #expect(try main.runCount() == 2)
        #expect(Set(try main.runs().compactMap { $0.metrics["downstream"]?["test_error"] }) == [0.125, 0.375])
    }
}
