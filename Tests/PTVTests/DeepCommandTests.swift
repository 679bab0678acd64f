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

    @Test(arguments: [
        ("epochs: 0\n", "epochs"), ("model: {block: wide}\n", "model.block"), ("model: {stages: [{blocks: 2, width: 0}]}\n", "model.stages[0].width"),
        ("classes: [3, 3]\n", "classes"), ("classes: [12]\n", "classes"), ("label_noise: 1\n", "label_noise"), ("colour: red\n", "colour"),
        ("dataset: imagenet\n", "dataset"), ("dataset: cifar10\n", "data"), ("model: small50\n", "model"),
    ])
    func badConfigsExitTwoNamingTheField(yaml: String, field: String) throws {
        let dir = CLI.temporaryDirectory("deep-bad")
        try CLI.write(yaml, to: dir.appendingPathComponent("d.yaml"))
        let result = try CLI.run(["deep", "train", "--config", dir.appendingPathComponent("d.yaml").path, "--out", dir.appendingPathComponent("o").path])
        #expect(result.status == 2, "\(yaml): \(result.stderr)")
        #expect(result.stderr.contains("'\(field)'") && result.stderr.split(separator: "\n").count == 1, "\(yaml): \(result.stderr)")
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
    }
}
