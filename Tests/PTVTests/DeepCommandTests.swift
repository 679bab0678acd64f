import Foundation
import Testing

/// `ptv deep train` end to end on Fashion-MNIST (when installed), and its refusals.
struct DeepCommandTests {
    static let installed = FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist")

    @Test func trainsAndWritesEveryFile() throws {
        guard Self.installed else { print("skipped: Fashion-MNIST is not installed"); return }
        let dir = CLI.temporaryDirectory("deep")
        try CLI.write("classes: [0, 1]\ntrain_samples: 96\ntest_samples: 64\nepochs: 2\nbatch_size: 32\n", to: dir.appendingPathComponent("d.yaml"))
        let out = dir.appendingPathComponent("out")
        let result = try CLI.run(["deep", "train", "--config", dir.appendingPathComponent("d.yaml").path, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("epoch 2 done"))
        let csv = try String(contentsOf: out.appendingPathComponent("epochs.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3 && csv[0] == "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds")
        let metrics = try CLI.json(out.appendingPathComponent("metrics.json"))
        #expect(metrics["epochs_done"] as? Int == 2 && (metrics["test_accuracy"] as? Double ?? 0) > 0.5)
        let manifest = try CLI.json(out.appendingPathComponent("manifest.json"))
        #expect(manifest["finished"] is String)
        let checkpoint = try Data(contentsOf: out.appendingPathComponent("model.safetensors"))
        #expect(checkpoint.count > 8)
    }

    /// A run started from another's checkpoint, in part (`--init-prefix`), records what it loaded;
    /// a prefix nothing matches, or a file that is not a checkpoint, exits 2.
    @Test func startsFromACheckpoint() throws {
        guard Self.installed else { print("skipped: Fashion-MNIST is not installed"); return }
        let dir = CLI.temporaryDirectory("deep-init")
        try CLI.write("classes: [0, 1]\ntrain_samples: 64\ntest_samples: 32\nepochs: 1\n", to: dir.appendingPathComponent("d.yaml"))
        let config = dir.appendingPathComponent("d.yaml").path, first = dir.appendingPathComponent("first")
        #expect(try CLI.run(["deep", "train", "--config", config, "--out", first.path, "--quiet"]).status == 0)
        let checkpoint = first.appendingPathComponent("model.safetensors").path
        let second = dir.appendingPathComponent("second")
        let result = try CLI.run(["deep", "train", "--config", config, "--out", second.path, "--init-from", checkpoint, "--init-prefix", "stem.", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let loaded = try #require((try CLI.json(second.appendingPathComponent("manifest.json"))["config"] as? [String: Any])?["init_loaded"] as? [String])
        #expect(!loaded.isEmpty && loaded.allSatisfy { $0.hasPrefix("stem.") }, "\(loaded)")
        let nothing = try CLI.run(["deep", "train", "--config", config, "--out", second.path, "--force", "--init-from", checkpoint, "--init-prefix", "blocks.9."])
        #expect(nothing.status == 2 && nothing.stderr.contains("'init-prefix'"), "\(nothing.stderr)")
        let notACheckpoint = try CLI.run(["deep", "train", "--config", config, "--out", second.path, "--force", "--init-from", config])
        #expect(notACheckpoint.status == 2 && notACheckpoint.stderr.contains("'init-from'"), "\(notACheckpoint.stderr)")
    }

    /// The same config twice gives the same run, bit for bit: per-epoch figures and checkpoint
    /// bytes (fixed seed), at one thread and at every core (`--threads`): OpenBLAS splits a
    /// product by blocks of its result, so each element is summed in the same order.
    @Test func aSeedDeterminesTheRun() throws {
        guard Self.installed else { print("skipped: Fashion-MNIST is not installed"); return }
        let dir = CLI.temporaryDirectory("deep-repeat")
        try CLI.write("classes: [0, 1, 2]\ntrain_samples: 64\ntest_samples: 32\nepochs: 2\naugment: true\nlabel_noise: 0.1\nseed: 7\n",
                      to: dir.appendingPathComponent("d.yaml"))
        let cores = ProcessInfo.processInfo.activeProcessorCount
        func run(_ name: String) throws -> (figures: [String], checkpoint: Data) {
            let out = dir.appendingPathComponent(name)
            let threads = name == "a" ? "1" : String(cores)
            #expect(try CLI.run(["deep", "train", "--config", dir.appendingPathComponent("d.yaml").path, "--out", out.path, "--quiet", "--threads", threads]).status == 0)
            let rows = try String(contentsOf: out.appendingPathComponent("epochs.csv"), encoding: .utf8).split(separator: "\n")
            return (rows.map { $0.split(separator: ",").dropLast().joined(separator: ",") }, try Data(contentsOf: out.appendingPathComponent("model.safetensors")))
        }
        let a = try run("a"), b = try run("b")
        #expect(a.figures == b.figures && a.figures.count == 3)
        #expect(a.checkpoint == b.checkpoint)
    }

    /// A run killed after its first epoch keeps that epoch whole: epochs.csv with its row, a
    /// checkpoint that reads back, metrics of epoch 1.
    @Test func aKilledRunKeepsItsFinishedEpochs() throws {
        guard Self.installed else { print("skipped: Fashion-MNIST is not installed"); return }
        let dir = CLI.temporaryDirectory("deep-kill")
        try CLI.write("train_samples: 256\ntest_samples: 64\nepochs: 50\n", to: dir.appendingPathComponent("d.yaml"))
        let out = dir.appendingPathComponent("out")
        let process = try CLI.launch(["deep", "train", "--config", dir.appendingPathComponent("d.yaml").path, "--out", out.path, "--quiet"])
        let csv = out.appendingPathComponent("epochs.csv")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && !((try? String(contentsOf: csv, encoding: .utf8))?.split(separator: "\n").count ?? 0 >= 2) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.count >= 2 && rows.count < 51 && rows.dropFirst().allSatisfy { $0.split(separator: ",").count == 6 })
        let metrics = try CLI.json(out.appendingPathComponent("metrics.json"))
        #expect((metrics["epochs_done"] as? Int ?? 0) >= 1)
        // The checkpoint is whole: its header's largest byte offset ends exactly at the file's end.
        let checkpoint = try Data(contentsOf: out.appendingPathComponent("model.safetensors"))
        let length = Int(checkpoint.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try #require(try JSONSerialization.jsonObject(with: checkpoint.subdata(in: 8..<(8 + length))) as? [String: Any])
        let end = header.values.compactMap { ($0 as? [String: Any])?["data_offsets"] as? [Int] }.map { $0[1] }.max() ?? 0
        #expect(8 + length + end == checkpoint.count && header["fc.weight"] != nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.allSatisfy { $0.hasSuffix(".tmp") } )  // at most the temporary of the write the kill interrupted
    }

    @Test(arguments: [
        ("epochs: 0\n", "epochs"), ("model: {block: wide}\n", "model.block"), ("model: {stages: [{blocks: 2, width: 0}]}\n", "model.stages[0].width"),
        ("classes: [3, 3]\n", "classes"), ("classes: [12]\n", "classes"), ("label_noise: 1\n", "label_noise"), ("colour: red\n", "colour"),
        ("dataset: imagenet\n", "dataset"), ("dataset: cifar10\n", "data"), ("model: small50\n", "model"),
        ("model: {family: vit, width: 32, heads: 5}\n", "model.heads"), ("model: {family: vit, patch: 5}\n", "model.patch"),
        ("model: {family: transformer}\n", "model.family"), ("optimiser: adam\n", "optimiser"),
    ])
    func badConfigsExitTwoNamingTheField(yaml: String, field: String) throws {
        let dir = CLI.temporaryDirectory("deep-bad")
        try CLI.write(yaml, to: dir.appendingPathComponent("d.yaml"))
        let result = try CLI.run(["deep", "train", "--config", dir.appendingPathComponent("d.yaml").path, "--out", dir.appendingPathComponent("o").path])
        #expect(result.status == 2, "\(yaml): \(result.stderr)")
        #expect(result.stderr.contains("'\(field)'") && result.stderr.split(separator: "\n").count == 1, "\(yaml): \(result.stderr)")
    }

    /// A run estimated above --max-memory is refused before anything is read.
    @Test func aRunAboveTheMemoryLimitIsRefused() throws {
        let dir = CLI.temporaryDirectory("deep-memory")
        try CLI.write("model: small101\nbatch_size: 4096\n", to: dir.appendingPathComponent("d.yaml"))
        let result = try CLI.run(["deep", "train", "--config", dir.appendingPathComponent("d.yaml").path, "--out", dir.appendingPathComponent("o").path,
                                  "--max-memory", "1"])
        #expect(result.status == 2 && result.stderr.contains("'batch_size'") && result.stderr.contains("--max-memory"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/manifest.json").path))
    }

    /// A folder without the dataset, or with a malformed IDX file, is refused naming --data's field.
    @Test func missingOrMalformedDataExitsTwo() throws {
        let dir = CLI.temporaryDirectory("deep-data")
        let missing = try CLI.run(["deep", "train", "--data", dir.path, "--out", dir.appendingPathComponent("o").path])
        #expect(missing.status == 2 && missing.stderr.contains("'data'") && missing.stderr.contains("not found"), "\(missing.stderr)")
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try CLI.write("not an idx file", to: dir.appendingPathComponent(name))
        }
        let malformed = try CLI.run(["deep", "train", "--data", dir.path, "--out", dir.appendingPathComponent("o").path, "--force"])
        #expect(malformed.status == 2 && malformed.stderr.contains("not an IDX file"), "\(malformed.stderr)")
        // A CIFAR-10 copy whose batches are not whole records.
        try CLI.write("dataset: cifar10\n", to: dir.appendingPathComponent("c.yaml"))
        for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] { try CLI.write("abc", to: dir.appendingPathComponent(name)) }
        let cifar = try CLI.run(["deep", "train", "--config", dir.appendingPathComponent("c.yaml").path, "--data", dir.path,
                                 "--out", dir.appendingPathComponent("o").path, "--force"])
        #expect(cifar.status == 2 && cifar.stderr.contains("not a CIFAR-10 binary file") && cifar.stderr.split(separator: "\n").count == 1, "\(cifar.stderr)")
    }
}

/// `ptv validate` on a deep suite: a small suite end to end (report, summary, store, resume),
/// and refusals of bad suites with exit 2 naming the field.
struct DeepValidateCommandTests {
    static let suite = """
    kind: deep
    name: tiny
    seeds: [0, 1]
    upstream:
      model: {block: bottleneck, stem: 4, stages: [{blocks: 2, width: 4, stride: 2}, {blocks: 1, width: 8, stride: 2}]}
      classes: [0, 2, 4, 5, 8]
      train_samples: 60
      test_samples: 50
      epochs: 1
    downstream:
      model: {block: basic, stem: 4, stages: [{blocks: 1, width: 4, stride: 2}, {blocks: 1, width: 8, stride: 2}]}
      classes: [6, 3, 1, 7, 9]
      train_samples: 30
      test_samples: 50
      epochs: 2
    transfer: {layers: [stem., stage1-2.block0.conv2], alpha: 0.5}
    configurations:
      - {label: ratio-2}
      - {label: ratio-4, upstream: {train_samples: 120}}
    statements: [deep-transfer-helps]
    """

    /// A small stand-in for Fashion-MNIST in its file format (uncompressed IDX under the .gz
    /// names, which the reader takes as they are): `train` and `test` images of 28 × 28, class
    /// c = i mod 10 a bright square whose position depends on c, plus noise.
    static func writeImages(to folder: URL, train: Int = 1200, test: Int = 400) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var state: UInt64 = 12345
        func noise() -> UInt8 { state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: state >> 59) }
        func header(_ values: [Int]) -> [UInt8] { values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * (3 - $0))) } } }
        for (prefix, n) in [("train", train), ("t10k", test)] {
            var images = header([0x0803, n, 28, 28]), labels = header([0x0801, n])
            for i in 0..<n {
                let c = i % 10
                labels.append(UInt8(c))
                for y in 0..<28 { for x in 0..<28 {
                    let inside = (y / 7 == c / 4) && (x / 7 == c % 4)
                    images.append((inside ? 180 : 20) + noise())
                } }
            }
            try Data(images).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
            try Data(labels).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
        }
    }

    @Test func runsAndResumes() throws {
        let dir = CLI.temporaryDirectory("deep-validate")
        let suite = dir.appendingPathComponent("tiny.yaml"), out = dir.appendingPathComponent("report"), data = dir.appendingPathComponent("data")
        try Self.writeImages(to: data)
        try CLI.write(Self.suite, to: suite)
        let first = try CLI.run(["validate", "--suite", suite.path, "--out", out.path, "--workers", "2", "--data", data.path])
        #expect(first.status == 0 || first.status == 1, "\(first.stderr)")
        #expect(first.stdout.contains("deep-transfer-helps"))
        #expect(first.stderr.contains("10 distinct runs, 10 to run"), "\(first.stderr)")  // 4 upstream, 4 transfer, one scratch per seed
        let summary = try CLI.json(out.appendingPathComponent("summary.json"))
        #expect((summary["statements"] as? [[String: Any]])?.first?["id"] as? String == "deep-transfer-helps")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("runs.sqlite").path))
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("+2.6") && html.contains("<svg"))
        let again = try CLI.run(["validate", "--suite", suite.path, "--out", out.path, "--force", "--data", data.path])
        #expect(again.stderr.contains("0 to run"), "\(again.stderr)")
        #expect(try CLI.json(out.appendingPathComponent("summary.json"))["counts"] as? [String: Int] == summary["counts"] as? [String: Int])
    }

    /// A deep statement added by the recipe (a file in proofs/deep, named by the suite) gets the
    /// same page as a lemma — verdict, statement, evidence by configuration, every row folded
    /// away — and a linked row in the index, with no code written for it.
    @Test func recipeStatementGetsTheSharedStatementPage() throws {
        let dir = CLI.temporaryDirectory("deep-recipe")
        let proofs = dir.appendingPathComponent("proofs"), data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: proofs.appendingPathComponent("deep"), withIntermediateDirectories: true)
        try CLI.write("""
            id: deep-recipe-check
            title: "Transfer does not lose more than nothing"
            provenance: reconstruction
            source: "a statement written for this test"
            configurations: [ratio-2, ratio-4]
            axis: sample_ratio
            claim: {gain: ">= 0"}
            """, to: proofs.appendingPathComponent("deep/deep-recipe-check.yaml"))
        let suite = dir.appendingPathComponent("tiny.yaml"), out = dir.appendingPathComponent("report")
        try CLI.write(Self.suite.replacingOccurrences(of: "statements: [deep-transfer-helps]", with: "statements: [deep-recipe-check]"), to: suite)
        try Self.writeImages(to: data)
        let result = try CLI.run(["validate", "--suite", suite.path, "--out", out.path, "--data", data.path, "--proofs", proofs.path, "--quiet"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("href=\"statements/deep-recipe-check.html\""))
        let page = try String(contentsOf: out.appendingPathComponent("statements/deep-recipe-check.html"), encoding: .utf8)
        for heading in ["Statement", "Evidence"] { #expect(page.contains(">\(heading)</h2>"), "\(heading)") }
        #expect(page.contains("Every evidence row (2), configuration by configuration"))   // one gain row at each configuration
        #expect(page.contains("transfer − scratch &gt;= 0") || page.contains("transfer − scratch >= 0"))
        #expect(page.contains("defined in: proofs/deep/deep-recipe-check.yaml"))
    }

    /// A violated `paper (claim)` statement — the paper's gain sizes at this scale — is reported
    /// and leaves the exit code 0; the tiny suite's gains are near 0, far below +2.6 and +12.0.
    @Test func paperClaimViolationsAreAFindingAboutScale() throws {
        let dir = CLI.temporaryDirectory("deep-paper-claim")
        let suite = dir.appendingPathComponent("tiny.yaml"), out = dir.appendingPathComponent("report"), data = dir.appendingPathComponent("data")
        try Self.writeImages(to: data)
        try CLI.write(Self.suite.replacingOccurrences(of: "statements: [deep-transfer-helps]", with: "statements: [deep-gain-at-paper-scale]"), to: suite)
        let result = try CLI.run(["validate", "--suite", suite.path, "--out", out.path, "--data", data.path])
        #expect(result.stdout.contains("violated        deep-gain-at-paper-scale"), "\(result.stdout)")
        #expect(result.status == 0 && result.stdout.contains("violated at this scale only (paper (claim)): deep-gain-at-paper-scale"), "\(result.status) \(result.stdout)")
    }

    @Test(arguments: [("alpha: 0.5", "alpha: 1.5", "'transfer.alpha'"),
                      ("{label: ratio-4, upstream: {train_samples: 120}}", "{label: ratio-4, upstream: {epochs: 0}}", "'configurations[1].upstream.epochs'"),
                      ("statements: [deep-transfer-helps]", "statements: [deep-nothing]", "'statements'"),
                      ("stage1-2.block0.conv2", "stage1-3.block0.conv2", "'configurations[0].transfer.layers'")])
    func refusesBadSuites(original: String, replacement: String, field: String) throws {
        let dir = CLI.temporaryDirectory("deep-validate-bad")
        let suite = dir.appendingPathComponent("bad.yaml")
        try CLI.write(Self.suite.replacingOccurrences(of: original, with: replacement), to: suite)
        let result = try CLI.run(["validate", "--suite", suite.path, "--out", dir.appendingPathComponent("out").path, "--quiet"])
        #expect(result.status == 2 && result.stderr.contains(field), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// `--threads` outside [1, cores] exits 2 naming the option, before anything is read.
    @Test(arguments: ["0", "-3", "100000"])
    func threadsOutsideTheMachineAreRefused(threads: String) throws {
        let dir = CLI.temporaryDirectory("deep-threads")
        let result = try CLI.run(["deep", "train", "--out", dir.appendingPathComponent("out").path, "--threads", threads])
        #expect(result.status == 2 && result.stderr.contains("--threads"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }
}
