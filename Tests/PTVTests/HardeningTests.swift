import Foundation
@testable import NumericsCore
@testable import Platform
import Testing

/// The second hostile-input campaign (issue 26): every crash, hang, escape and silent acceptance
/// it found, run as a user would under an 8 GiB address-space limit (`HostileInputTests.expectEnds`:
/// each ends in time with the allowed exit code, a refusal as one line naming what was wrong).
/// Special files (FIFOs, a planted link, a sparse file) are made inside the test's own folder.
@Suite(.serialized)
struct HardeningTests {
    static let folder = CLI.temporaryDirectory("hardening")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func file(_ name: String, _ text: String) throws -> String {
        try CLI.write(text, to: folder.appendingPathComponent(name))
        return path(name)
    }

    static func fifo(_ name: String) -> String {
        let p = path(name)
        unlink(p)
        _ = mkfifo(p, 0o644)
        return p
    }

    static func bigEndian(_ values: [Int]) -> [UInt8] { values.flatMap { v in (0..<4).map { UInt8((v >> (8 * (3 - $0))) & 0xff) } } }

    /// A Fashion-MNIST-shaped folder (gzipped IDX) with `n` training and `m` test images of
    /// side × side pixels, labels cycling through `trainLabels` and `testLabels`.
    static func idxFolder(_ name: String, side: Int = 28, testSide: Int? = nil, n: Int = 24, m: Int = 12,
                          trainLabels: [UInt8] = [0, 1], testLabels: [UInt8] = [0, 1]) throws -> String {
        let dir = path(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (prefix, count, s, labels) in [("train", n, side, trainLabels), ("t10k", m, testSide ?? side, testLabels)] {
            let pixels = (0..<(count * s * s)).map { UInt8(($0 * 37) % 251) }
            try GzipFile.write(bigEndian([0x0803, count, s, s]) + pixels, to: "\(dir)/\(prefix)-images-idx3-ubyte.gz")
            try GzipFile.write(bigEndian([0x0801, count]) + (0..<count).map { labels[$0 % labels.count] }, to: "\(dir)/\(prefix)-labels-idx1-ubyte.gz")
        }
        return dir
    }

    static let tinyDeep = "model: {block: basic, stem: 4, stages: [{blocks: 1, width: 4, stride: 1}]}\ntrain_samples: 24\ntest_samples: 12\nepochs: 1\nbatch_size: 8\n"

    static func ends(_ arguments: [String], allowed: Set<Int32> = [2], mentioning: String? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.LimitedResult {
        try HostileInputTests.expectEnds(arguments, allowed: allowed, mentioning: mentioning, sourceLocation: sourceLocation)
    }

    // Deep inputs.

    /// --help (of the tool and of every command) and --version print and exit 0: the parser
    /// reports a help request as its own error type, which must not reach the user as a failure.
    @Test(arguments: [[], ["train"], ["validate"], ["sweep"], ["sweep", "run"], ["phase"], ["deep", "train"], ["bench"]])
    func helpExitsZero(command: [String]) throws {
        let result = try CLI.run(command + ["--help"])
        #expect(result.status == 0 && result.stdout.contains("USAGE") && result.stderr.isEmpty, "\(command): \(result.status) \(result.stderr)")
    }

    @Test func testLabelsBeyondTheTrainingLabelsTrain() throws {
        let data = try Self.idxFolder("labels-beyond", testLabels: [0, 1, 7, 9])
        let config = try Self.file("tiny.yaml", Self.tinyDeep)
        _ = try Self.ends(["deep", "train", "--config", config, "--data", data, "--out", Self.path("out-beyond"), "--quiet"], allowed: [0])
    }

    @Test func labelsOutsideTheDatasetsClassesAreRefused() throws {
        let data = try Self.idxFolder("labels-255", trainLabels: [0, 255])
        let config = try Self.file("tiny.yaml", Self.tinyDeep)
        _ = try Self.ends(["deep", "train", "--config", config, "--data", data, "--out", Self.path("out-255")], mentioning: "label 255")
    }

    @Test func splitsOfTwoImageSizesAreRefused() throws {
        let data = try Self.idxFolder("two-sizes", side: 28, testSide: 20)
        _ = try Self.ends(["deep", "train", "--config", try Self.file("tiny.yaml", Self.tinyDeep), "--data", data,
                           "--out", Self.path("out-sizes")], mentioning: "one image size")
    }

    @Test func aViTWhosePatchDoesNotTileTheImagesIsRefused() throws {
        let small = try Self.idxFolder("vit-small", side: 5)
        let vit = try Self.file("vit.yaml", "model: {family: vit, patch: 7, width: 8, heads: 2, depth: 1, mlp_ratio: 2}\ntrain_samples: 24\ntest_samples: 12\nepochs: 1\n")
        _ = try Self.ends(["deep", "train", "--config", vit, "--data", small, "--out", Self.path("out-vit")], mentioning: "model.patch")
        let odd = try Self.idxFolder("vit-30", side: 30)
        _ = try Self.ends(["deep", "train", "--config", vit, "--data", odd, "--out", Self.path("out-vit30")], mentioning: "does not divide the images' side 30")
    }

    @Test func aHugeImageIsEstimatedAtItsRealSize() throws {
        let data = try Self.idxFolder("huge-image", side: 4096, n: 1, m: 1)
        _ = try Self.ends(["deep", "train", "--config", try Self.file("tiny.yaml", Self.tinyDeep), "--data", data,
                           "--out", Self.path("out-huge"), "--max-memory", "2"], mentioning: "--max-memory")
    }

    @Test func aFIFOInTheDataFolderIsRefusedNotWaitedOn() throws {
        let dir = Self.path("fifo-data")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = Self.fifo("fifo-data/train-images-idx3-ubyte.gz")
        _ = try Self.ends(["deep", "train", "--data", dir, "--out", Self.path("out-fifo-data")], mentioning: "FIFO")
    }

    @Test func checkpointSizesNearTwoToTheSixtyThreeAreRefused() throws {
        for (k, shape) in ["[4611686018427387904, 4]", "[3037000500, 3037000500]"].enumerated() {
            var header = Array("{\"w\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[0,9223372036854775800]}}".utf8)
            while header.count % 8 != 0 { header.append(0x20) }
            let bytes = (0..<8).map { UInt8((header.count >> (8 * $0)) & 0xff) } + header + [0, 0, 0, 0]
            let file = Self.path("overflow.safetensors")
            _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
            _ = try Self.ends(["deep", "train", "--init-from", file, "--out", Self.path("out-overflow\(k)")], mentioning: "not a safetensors checkpoint")
            #expect(!FileManager.default.fileExists(atPath: Self.path("out-overflow\(k)")))   // refused before anything is written
        }
    }

    @Test func aSparseCheckpointAboveTheMemoryLimitIsRefusedBeforeReading() throws {
        let file = Self.path("sparse.safetensors")
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0 && ftruncate(fd, 9 << 30) == 0)   // 9 GiB of holes: no disk used
        close(fd)
        _ = try Self.ends(["deep", "train", "--init-from", file, "--out", Self.path("out-sparse"), "--max-memory", "8"], mentioning: "at most")
        unlink(file)
    }

    // Stores.

    static func smallStore(_ name: String) throws -> String {
        let grid = try file("small-grid.yaml", "base: {d: 50, m: 2, N1: 6, N2: 4, T1: 2, T2: 2, n_test: 10}\ngrid: {u_norm: [1]}\nseeds: [0]\n")
        let store = path(name)
        unlink(store)
        _ = try ends(["sweep", "--grid", grid, "--store", store, "--quiet"], allowed: [0])
        return store
    }

    /// Edit a store behind the tool's back, with Python's sqlite3.
    static func sql(_ store: String, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", store, statement]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func textInANumberColumnIsRefusedNamingTheColumn() throws {
        let store = try Self.smallStore("text.sqlite")
        try Self.sql(store, "UPDATE phase SET test_error = 'abc' WHERE phase = 'scratch'")
        _ = try Self.ends(["sweep", "export", "--store", store, "--format", "csv"], mentioning: "column test_error")
        _ = try Self.ends(["phase", "--store", store, "--x", "u_norm", "--y", "d", "--out", Self.path("out-text-phase")], mentioning: "column test_error")
    }

    @Test func damagedAndForeignStoresAreRefusedNamingThem() throws {
        let store = try Self.smallStore("damaged.sqlite")
        try Self.sql(store, "DROP TABLE phase")
        _ = try Self.ends(["sweep", "export", "--store", store, "--format", "csv"], mentioning: "damaged.sqlite is not a usable store")
        let garbage = try Self.file("garbage.sqlite", "not a database at all\n")
        _ = try Self.ends(["sweep", "export", "--store", garbage, "--format", "json"], mentioning: "garbage.sqlite")
    }

    @Test func specialFilesAreNeverReplacedOrWrittenBeside() throws {
        let store = try Self.smallStore("export.sqlite")
        let pipe = Self.fifo("export-target")
        _ = try Self.ends(["sweep", "export", "--store", store, "--format", "csv", "--out", pipe], mentioning: "FIFO")
        var info = stat()
        #expect(lstat(pipe, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)   // still a FIFO
        let storeFIFO = Self.fifo("store-fifo")
        let grid = try Self.file("small-grid.yaml", "base: {d: 50, m: 2, N1: 6, N2: 4, T1: 2, T2: 2, n_test: 10}\ngrid: {u_norm: [1]}\nseeds: [0]\n")
        _ = try Self.ends(["sweep", "--grid", grid, "--store", storeFIFO], mentioning: "FIFO")
        #expect(!FileManager.default.fileExists(atPath: storeFIFO + "-journal") && !FileManager.default.fileExists(atPath: storeFIFO + "-wal"))
    }

    @Test func aPlantedLinkAtATemporaryNameIsNotWrittenThrough() throws {
        let out = Self.path("out-planted")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let victim = Self.path("victim")
        // Every name the old temporary-file scheme would use for metrics.json in the next few pids.
        for pid in getpid()..<(getpid() + 400) { symlink(victim, "\(out)/.metrics.json.\(pid).tmp") }
        let config = try Self.file("train.yaml", "T1: 5\nT2: 5\nn_test: 20\n")
        _ = try Self.ends(["train", "--config", config, "--out", out, "--quiet"], allowed: [0])
        #expect(!FileManager.default.fileExists(atPath: victim))
        var info = stat()
        #expect(lstat("\(out)/metrics.json", &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
    }

    @Test func outNamingAFileSaysSo() throws {
        let file = try Self.file("a-file", "x\n")
        let result = try Self.ends(["train", "--out", file], mentioning: "it exists and is a file")
        #expect(!result.stderr.contains("success"))
    }

    // The one scalar policy.

    @Test(arguments: [("d: !!str 20\n", "tag"), ("sigma_p2: _1\n", "'sigma_p2'"), ("constants: {C1: '2'}\n", "'constants.C1'"),
                      ("d: 1__000\n", "'d'")])
    func scalarsOutsideThePolicyAreRefused(yaml: String, mentioning: String) throws {
        let config = try Self.file("scalar.yaml", yaml)
        _ = try Self.ends(["train", "--config", config, "--out", Self.path("out-scalar")], mentioning: mentioning)
    }

    @Test func quotedNumbersAreRefusedInDeepConfigsToo() throws {
        let config = try Self.file("deep-quoted.yaml", "classes: ['1', '2']\n")
        _ = try Self.ends(["deep", "train", "--config", config, "--out", Self.path("out-deep-quoted")], mentioning: "classes[0]")
    }

    @Test func seedsInASuiteGridAreRefused() throws {
        let suite = try Self.file("seed-grid.yaml", "grid: {seed: [1, 2]}\n")
        _ = try Self.ends(["validate", "--suite", suite, "--out", Self.path("out-seed-grid")], mentioning: "grid.seed")
    }

    @Test func aLongPlainListIsTooManyEntriesNotAnAliasBomb() throws {
        let list = try Self.file("long-list.yaml", "seeds: [" + (0..<1_000_001).map(String.init).joined(separator: ",") + "]\n")
        _ = try Self.ends(["validate", "--suite", list, "--out", Self.path("out-long-list")], mentioning: "too many entries")
    }

    // Linear time.

    @Test func longListsAreCheckedInLinearTime() throws {
        let seeds = try Self.file("seeds.yaml", "seeds: [" + (0..<400_000).map(String.init).joined(separator: ",") + "]\n")
        _ = try Self.ends(["validate", "--suite", seeds, "--out", Self.path("out-seeds")], mentioning: "configurations")
        let axis = try Self.file("axis.yaml", "grid: {d: [" + (0..<200_000).map { String(1000 + $0) }.joined(separator: ",") + "]}\n")
        _ = try Self.ends(["sweep", "--grid", axis, "--store", Self.path("axis.sqlite")], mentioning: "seeds")
        let assumptions = (0..<6000).flatMap { ["--assume", "x\($0) >= x\($0 + 1)^2"] }
        _ = try Self.ends(["prove"] + assumptions + ["--claim", "x0 >= x6000"], mentioning: "at most 1000")
        let many = (0..<300).flatMap { ["--assume", "x\($0) >= x\($0 + 1)^2"] }
        _ = try Self.ends(["prove"] + many + ["--claim", "x0 >= x300"], mentioning: "at most 256")
    }

    // Lifting.

    @Test(arguments: [("eta: 1e308\n", "'eta'"), ("eta: 1e10\nT1: 100000000\n", "'T1'"), ("d: 1000000000000000\nu_norm: 1e300\n", "cannot be evaluated")])
    func hostileLiftsAreRefused(yaml: String, mentioning: String) throws {
        let config = try Self.file("lift.yaml", yaml)
        _ = try Self.ends(["bounds", "--lift", "--config", config], mentioning: mentioning)
    }
}
