import ArgumentParser
import DeepNetworks
import Foundation
import NumericsCore
import Platform
import TransferModel
import Vocabulary

/// `ptv deep`: deep networks (ResNet, ViT) on image data, on the same numerics core.
struct DeepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deep", abstract: "Train deep networks (ResNet, ViT) on Fashion-MNIST or a CIFAR copy.",
        subcommands: [DeepTrainCommand.self])
}

/// `ptv deep train`: one network, one dataset, per-epoch results.
struct DeepTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train one network and write per-epoch results and the checkpoint.",
        discussion: """
        Writes epochs.csv (epoch, train_loss, train_accuracy, test_loss, test_accuracy, seconds), \
        metrics.json, manifest.json and model.safetensors into the output folder after every epoch \
        (an interrupted run keeps the epochs it finished). Config keys: README, "ptv deep".
        """)

    @Option(name: .long, help: "YAML config (missing keys take their defaults).")
    var config: String?

    @Option(name: .long, help: "Output folder (created if needed).")
    var out: String

    @Option(name: .long, help: "Folder of the dataset's files (default: Debian's Fashion-MNIST; required for CIFAR).")
    var data: String?

    @Option(name: .long, help: "A safetensors checkpoint to start from (by default every array is loaded).")
    var initFrom: String?

    @Option(name: .long, help: "With --init-from, load only the arrays whose names start with this (repeatable: stem., stage1.).")
    var initPrefix: [String] = []

    @Flag(name: .long, help: "No progress lines on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Replace the results of an earlier run in the output folder.")
    var force = false

    @Option(name: .long, help: "OpenBLAS threads for the network's products (default 1: `ptv bench` measures two threads slower on the shipped networks, whose products are small).")
    var threads: Int?

    @OptionGroup var memory: MemoryLimit

    /// The threads a lone run uses: `--threads`, or one (see the option's help).
    var threadCount: Int { threads ?? 1 }

    func validate() throws {
        try InputError.requireFolder(out)
        guard initFrom != nil || initPrefix.isEmpty else { throw ValidationError("--init-prefix needs --init-from") }
    }

    static let resultNames = ["epochs.csv", "metrics.json", "manifest.json", "model.safetensors"]

    func run() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let threads, !(1...max(cores, 1)).contains(threads) {
            throw InputError("--threads: \(threads) is outside the allowed range: an integer in [1, \(cores)] (the machine's cores)")
        }
        let deep = try config.map { try DeepConfig.load(from: URL(fileURLWithPath: $0)) } ?? DeepConfig()
        // The images' real shape from the files' headers, before anything is read or allocated.
        let layout = try deep.dataset.layout(folder: data)
        try deep.check(imageShape: layout.train)
        let estimate = deep.memoryEstimate(layout: layout)
        if estimate > memory.bytes {
            throw ConfigError(field: "batch_size", "the run needs about \(ResourceEstimate.format(estimate)), more than the limit \(ResourceEstimate.format(memory.bytes)) (--max-memory): lower batch_size, the samples or the model's widths")
        }
        // A checkpoint is read and checked before anything is written.
        let checkpoint = try initFrom.map { path in
            // The file and its decoded arrays are both held: at most a third of the memory limit.
            let limit = Int(min(memory.bytes / 3, Double(Checkpoint.largestFile)))
            return try Checkpoint.decode(try InputFile.data(of: path, field: "init-from", limit: limit), field: "init-from")
        }
        let output = URL(fileURLWithPath: out)
        try OutputFolder.prepare(output, results: Self.resultNames, replacing: force)
        var manifest = RunManifest(config: deep.jsonObject, seed: deep.plan.seed)
        manifest.config["threads"] = threadCount.json
        BLAS.useThreads(threadCount)
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))
        let (train, test) = try deep.data(folder: data)
        var rng = SeededGenerator(seed: deep.plan.seed, stream: "deep-init")
        let network = deep.model.network(channels: train.images.shape[1], side: train.images.shape[2], classes: train.classCount, using: &rng)
        if let initFrom, let arrays = checkpoint {
            let prefixes = initPrefix
            let loaded = try Checkpoint.load(arrays, into: network, field: "init-from") { name in prefixes.isEmpty || prefixes.contains { name.hasPrefix($0) } }
            guard !loaded.isEmpty else { throw ConfigError(field: "init-prefix", "no array of \(InputText.excerpt(initFrom)) starts with \(prefixes.joined(separator: ", "))") }
            if !quiet { Progress.line("loaded \(loaded.count) arrays from \(initFrom)") }
            manifest.config["init_from"] = initFrom.json
            manifest.config["init_loaded"] = loaded.json
            try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))
        }
        let parameterCount = network.parameters.reduce(0) { $0 + $1.parameter.value.count }
        if !quiet {
            Progress.line("deep: \(train.count) training and \(test.count) test images of \(train.images.shape.dropFirst().map(String.init).joined(separator: "×")), \(train.classCount) classes; \(parameterCount) parameters; estimate at most \(ResourceEstimate.format(estimate)) of memory")
        }
        let trainer = DeepTrainer(network: network, plan: deep.plan)
        let throttle = ProgressThrottle(interval: .seconds(2))
        let clock = ContinuousClock(), start = clock.now
        var rows: [String] = ["epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds"]
        let quiet = self.quiet, epochs = deep.plan.epochs
        let records = try trainer.train(train, test: test, progress: { epoch, batch, batches in
            guard !quiet, throttle.due() else { return }
            let done = Double(epoch * batches + batch) / Double(epochs * batches)
            let elapsed = start.duration(to: clock.now)
            let seconds = elapsed.inSeconds
            Progress.line(String(format: "epoch %d/%d, batch %d/%d (%.0f %%, about %.0f s left)", epoch + 1, epochs, batch, batches,
                                 100 * done, seconds / done * (1 - done)))
        }, onEpoch: { record in
            rows.append(String(format: "%d,%.6g,%.6g,%.6g,%.6g,%.4g", record.epoch, record.trainLoss, record.trainAccuracy,
                               record.testLoss, record.testAccuracy, record.seconds))
            // The checkpoint and metrics first, epochs.csv last: a row there announces an epoch whose
            // files are all in place (a kill between the writes left a row without its metrics).
            try ResultFile.write(try Checkpoint.encode(Checkpoint.arrays(of: network), metadata: ["epoch": String(record.epoch)]),
                                 to: output.appendingPathComponent("model.safetensors"))
            try JSONOutput.write(["epochs_done": record.epoch.json, "train_loss": record.trainLoss.json, "train_accuracy": record.trainAccuracy.json,
                                  "test_loss": record.testLoss.json, "test_accuracy": record.testAccuracy.json, "parameters": parameterCount.json,
                                  "train_images": train.count.json, "test_images": test.count.json] as JSONValue,
                                 to: output.appendingPathComponent("metrics.json"))
            try ResultFile.write(rows.joined(separator: "\n") + "\n", to: output.appendingPathComponent("epochs.csv"))
            if !quiet {
                Progress.line(String(format: "epoch %d done: train loss %.4f, train accuracy %.4f, test accuracy %.4f, %.1f s",
                                     record.epoch, record.trainLoss, record.trainAccuracy, record.testAccuracy, record.seconds))
            }
        })
        manifest.finished = Date()
        try JSONOutput.write(manifest.jsonObject, to: output.appendingPathComponent("manifest.json"))
        let seconds = records.reduce(0) { $0 + $1.seconds }
        print(String(format: "test accuracy %.4f after %d epochs (%.1f s, %.0f training images/s); results written to %@",
                     records.last?.testAccuracy ?? 0, records.count, seconds, Double(train.count * records.count) / max(seconds, 1e-9), out))
    }
}
