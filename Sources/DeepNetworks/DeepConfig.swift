import Foundation
import NumericsCore
import Platform
import Vocabulary
import Yams

/// One deep-network training run (`ptv deep train --config`; README, "ptv deep"): the model,
/// the data, the optimiser, epochs and seed. Every field has a default; errors name the field
/// path (`model.stages[1].width`) and the allowed range.
public struct DeepConfig: Sendable, Equatable {
    public typealias Dataset = ImageDatasetName

    public var model = DeepModel.resnet(ResNetDescription(block: .basic, stem: 8, stages: [.init(blocks: 1, width: 8, stride: 2), .init(blocks: 1, width: 16, stride: 2)]))
    public var dataset = Dataset.fashion_mnist
    /// Classes kept (all when nil), relabelled in the order given.
    public var classes: [Int]?
    public var trainSamples = 2000
    public var testSamples = 1000
    public var labelNoise = 0.0
    public var inputNoise = 0.0
    /// Whether the training labels are permuted among the training images (a task with no
    /// signal in its labels: the deep analogue of a weak shared signal, docs/theory.md §9).
    public var shuffleLabels = false
    public var plan = DeepTrainingPlan(epochs: 3, batchSize: 32, learningRate: 0.05)

    public init() {}

    /// The README's table of deep config keys (a test keeps README.md equal to it).
    public static var referenceTable: String { DeepConfigKey.referenceTable }

    public static func load(from url: URL) throws -> DeepConfig {
        try parse(yaml: YAMLInput.text(of: url, field: "file"))
    }

    public static func parse(yaml text: String) throws -> DeepConfig {
        guard let root = try YAMLInput.compose(text, field: "file") else { return DeepConfig() }
        guard let mapping = root.mapping else { throw ConfigError(field: "file", "a deep config is a mapping of \(DeepConfigKey.allCases.map(\.rawValue).joined(separator: ", "))") }
        return try read(mapping, base: DeepConfig())
    }

    /// `base` with the keys of `mapping` set; errors name the key under `path`
    /// (`configurations[2].downstream.label_noise`) when one is given.
    public static func read(_ mapping: Node.Mapping, base: DeepConfig, path: String = "") throws -> DeepConfig {
        do { return try read(mapping, base: base) } catch let error as ConfigError where !path.isEmpty {
            throw ConfigError(field: "\(path).\(error.field)", error.problem)
        }
    }

    static func read(_ mapping: Node.Mapping, base: DeepConfig) throws -> DeepConfig {
        var config = base
        for (name, value) in try YAMLInput.entries(mapping, field: "") {
            guard let key = DeepConfigKey(rawValue: name) else {
                throw ConfigError(field: name, "unknown key (allowed: \(DeepConfigKey.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            try binding(key).read(&config, value, key)
        }
        if case .vit(let vit) = config.model, config.dataset.side % vit.patch != 0 {
            throw ConfigError(field: "model.patch", "\(vit.patch) does not divide the image side \(config.dataset.side) of \(config.dataset.rawValue)")
        }
        if let classes = config.classes, let bad = classes.first(where: { $0 >= config.dataset.classCount }) {
            throw ConfigError(field: "classes", "\(bad) is not a class of \(config.dataset.rawValue) (0–\(config.dataset.classCount - 1))")
        }
        return config
    }

    package static func integer(_ node: Node, _ field: String, _ range: ClosedRange<Int>) throws -> Int {
        try KeyReader.integer(KeyReader.text(node, field: field, kind: .integer(range)), field: field, range)
    }

    package static func real(_ node: Node, _ field: String, _ domain: ConfigKey.RealDomain) throws -> Double {
        try KeyReader.real(KeyReader.text(node, field: field, kind: .real(domain)), field: field, domain)
    }

    /// How each ``DeepConfigKey`` reaches its property: read (by ``KeyReader``, against the key's
    /// kind) and echoed as JSON.
    struct Binding: Sendable {
        let read: @Sendable (inout DeepConfig, Node, DeepConfigKey) throws -> Void
        let json: @Sendable (DeepConfig) -> JSONValue

        static func int(_ path: WritableKeyPath<DeepConfig, Int> & Sendable) -> Binding {
            Binding(read: { config, node, key in
                guard case .integer(let range) = key.kind else { return }
                config[keyPath: path] = try DeepConfig.integer(node, key.rawValue, range)
            }, json: { $0[keyPath: path].json })
        }

        static func real(_ path: WritableKeyPath<DeepConfig, Double> & Sendable) -> Binding {
            Binding(read: { config, node, key in
                guard case .real(let domain) = key.kind else { return }
                config[keyPath: path] = try DeepConfig.real(node, key.rawValue, domain)
            }, json: { $0[keyPath: path].json })
        }

        static func flag(_ path: WritableKeyPath<DeepConfig, Bool> & Sendable) -> Binding {
            Binding(read: { config, node, key in
                config[keyPath: path] = try KeyReader.flag(KeyReader.text(node, field: key.rawValue, kind: key.kind), field: key.rawValue)
            }, json: { $0[keyPath: path].json })
        }

        static func choice<E: RawRepresentable & CaseIterable & Sendable>(_ path: WritableKeyPath<DeepConfig, E> & Sendable) -> Binding
            where E.RawValue == String {
            Binding(read: { config, node, key in
                config[keyPath: path] = try KeyReader.choice(KeyReader.text(node, field: key.rawValue, kind: key.kind), field: key.rawValue)
            }, json: { $0[keyPath: path].rawValue.json })
        }

        static let model = Binding(read: { config, node, _ in config.model = try readModel(node) }, json: { $0.model.jsonObject.json })

        static let classes = Binding(read: { config, node, key in
            guard let list = node.sequence, !list.isEmpty else { throw ConfigError(field: key.rawValue, "expected a non-empty list of class labels") }
            let labels = try list.enumerated().map { try DeepConfig.integer($1, "classes[\($0)]", 0...99) }
            guard Set(labels).count == labels.count else { throw ConfigError(field: key.rawValue, "a label is listed twice") }
            config.classes = labels
        }, json: { $0.classes.json })

        static let seed = Binding(read: { config, node, key in
            config.plan.seed = try KeyReader.seed(KeyReader.text(node, field: key.rawValue, kind: key.kind), field: key.rawValue)
        }, json: { $0.plan.seed.json })
    }

    /// The one place where a deep key meets its property (exhaustive: a new key does not
    /// compile until it has one).
    static func binding(_ key: DeepConfigKey) -> Binding {
        switch key {
        case .model: .model
        case .dataset: .choice(\.dataset)
        case .classes: .classes
        case .train_samples: .int(\.trainSamples)
        case .test_samples: .int(\.testSamples)
        case .label_noise: .real(\.labelNoise)
        case .input_noise: .real(\.inputNoise)
        case .shuffle_labels: .flag(\.shuffleLabels)
        case .optimiser: .choice(\.plan.optimiser)
        case .epochs: .int(\.plan.epochs)
        case .batch_size: .int(\.plan.batchSize)
        case .learning_rate: .real(\.plan.learningRate)
        case .final_learning_rate: .real(\.plan.finalLearningRate)
        case .momentum: .real(\.plan.momentum)
        case .weight_decay: .real(\.plan.weightDecay)
        case .warmup_epochs: .real(\.plan.warmupEpochs)
        case .augment: .flag(\.plan.augment)
        case .seed: .seed
        }
    }

    static func readModel(_ node: Node) throws -> DeepModel {
        if let name = node.scalar?.string {
            switch name {
            case "small34": return .resnet(.small34)
            case "small101": return .resnet(.small101)
            case "vit12": return .vit(.small12)
            default: throw ConfigError(field: "model", "'\(InputText.excerpt(name))' is not a model (small34, small101, vit12, or a mapping)")
            }
        }
        guard let mapping = node.mapping else { throw ConfigError(field: "model", "expected small34, small101, vit12, or a mapping") }
        if let family = mapping["family"]?.string, family == "vit" { return .vit(try readViT(mapping)) }
        if let family = mapping["family"]?.string, family != "resnet" {
            throw ConfigError(field: "model.family", "'\(InputText.excerpt(family))' is not allowed (resnet, vit)")
        }
        var model = ResNetDescription(block: .basic, stem: 8, stages: [])
        for (key, value) in try YAMLInput.entries(mapping, field: "model") {
            switch key {
            case "block":
                let text = try KeyReader.label(value, field: "model.block")
                guard let block = ResNetDescription.Block(rawValue: text) else { throw ConfigError(field: "model.block", "'\(InputText.excerpt(text))' is not allowed (basic, bottleneck)") }
                model.block = block
            case "family": continue
            case "stem": model.stem = try integer(value, "model.stem", 1...1024)
            case "stages":
                guard let list = value.sequence, (1...8).contains(list.count) else { throw ConfigError(field: "model.stages", "expected a list of 1 to 8 stages") }
                model.stages = try list.enumerated().map { k, stage in
                    let path = "model.stages[\(k)]"
                    guard let fields = stage.mapping else { throw ConfigError(field: path, "expected a mapping with blocks, width, stride") }
                    var result = ResNetDescription.Stage(blocks: 1, width: 8, stride: 1)
                    for (name, v) in try YAMLInput.entries(fields, field: path) {
                        switch name {
                        case "blocks": result.blocks = try integer(v, "\(path).blocks", 1...64)
                        case "width": result.width = try integer(v, "\(path).width", 1...1024)
                        case "stride": result.stride = try integer(v, "\(path).stride", 1...4)
                        default: throw ConfigError(field: "\(path).\(name)", "unknown key (allowed: blocks, width, stride)")
                        }
                    }
                    return result
                }
            default: throw ConfigError(field: "model.\(key)", "unknown key (allowed: family, block, stem, stages)")
            }
        }
        guard !model.stages.isEmpty else { throw ConfigError(field: "model.stages", "expected a list of 1 to 8 stages") }
        return .resnet(model)
    }

    static func readViT(_ mapping: Node.Mapping) throws -> ViTDescription {
        var model = ViTDescription.small12
        for (key, value) in try YAMLInput.entries(mapping, field: "model") {
            switch key {
            case "family": continue
            case "patch": model.patch = try integer(value, "model.patch", 1...64)
            case "width": model.width = try integer(value, "model.width", 1...1024)
            case "heads": model.heads = try integer(value, "model.heads", 1...64)
            case "depth": model.depth = try integer(value, "model.depth", 1...48)
            case "mlp_ratio": model.mlpRatio = try integer(value, "model.mlp_ratio", 1...8)
            default: throw ConfigError(field: "model.\(key)", "unknown key (allowed: family, patch, width, heads, depth, mlp_ratio)")
            }
        }
        guard model.width % model.heads == 0 else { throw ConfigError(field: "model.heads", "\(model.heads) does not divide the width \(model.width)") }
        return model
    }

    /// The training and test images the config asks for, from `folder` (the dataset's default
    /// place when nil): class subset, sub-sample, label and input noise on the training images,
    /// both normalised with the training images' channel statistics.
    public func data(folder: String?) throws -> (train: ImageDataset, test: ImageDataset) {
        var (train, test) = try dataset.splits(folder: folder)
        if let classes {
            train = train.keeping(classes: classes)
            test = test.keeping(classes: classes)
        }
        var rng = SeededGenerator(seed: plan.seed, stream: "deep-data")
        train = train.sample(trainSamples, using: &rng).withLabelNoise(labelNoise, using: &rng).withInputNoise(inputNoise, using: &rng)
        if shuffleLabels { train = train.withShuffledLabels(using: &rng) }
        test = test.sample(testSamples, using: &rng)
        let (mean, deviation) = train.channelStatistics
        return (train.normalised(mean: mean, deviation: deviation), test.normalised(mean: mean, deviation: deviation))
    }
}

extension DeepConfig.Dataset {
    /// The shapes [N, C, H, W] of the two splits in `folder` (the dataset's default place when
    /// nil), from the files' headers and sizes, before any pixel is read; the splits' images
    /// must have one shape.
    public func layout(folder: String?) throws -> (train: [Int], test: [Int]) {
        let shapes: [[Int]]
        switch self {
        case .fashion_mnist:
            shapes = try [true, false].map { train in
                try ImageFiles.idxShape(ImageFiles.fashionMNISTFiles(train: train, folder: folder ?? ImageFiles.fashionMNISTFolder, field: "data").images, field: "data")
            }
        case .cifar10, .cifar100:
            guard let folder else { throw ConfigError(field: "data", "\(rawValue) needs --data DIR with your copy of its binary files") }
            let record = (self == .cifar100 ? 2 : 1) + 3072
            shapes = try cifarFiles(folder: folder).map { files in
                let bytes = try files.reduce(0) { total, path in
                    switch try? SystemFile.kind(of: path) {
                    case .regular(let size)?: return total + size
                    default: throw ConfigError(field: "data", "cannot read \(InputText.excerpt(path)): missing or not a regular file")
                    }
                }
                return [bytes / record, 3, 32, 32]
            }
        }
        guard Array(shapes[0].dropFirst()) == Array(shapes[1].dropFirst()) else {
            throw ConfigError(field: "data", "the test images are \(shapes[1].dropFirst().map(String.init).joined(separator: "×")) and the training images \(shapes[0].dropFirst().map(String.init).joined(separator: "×")): the splits must have one image size")
        }
        return (shapes[0], shapes[1])
    }

    /// The CIFAR binary files of the training and the test split in `folder`.
    func cifarFiles(folder: String) -> [[String]] {
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        return self == .cifar100 ? [[path("train.bin")], [path("test.bin")]] : [(1...5).map { path("data_batch_\($0).bin") }, [path("test_batch.bin")]]
    }

    /// The whole training and test splits as read from `folder` (the dataset's default place
    /// when nil), pixels in [0, 1]. Both splits must have one image size and labels inside the
    /// dataset's classes, which size every network (a test label beyond the training labels is
    /// refused here, not met by a network too small for it).
    public func splits(folder: String?) throws -> (train: ImageDataset, test: ImageDataset) {
        var (train, test) = try read(folder: folder)
        for (name, split) in [("training", train), ("test", test)] {
            if let bad = split.labels.first(where: { $0 < 0 || $0 >= classCount }) {
                throw ConfigError(field: "data", "the \(name) split has label \(bad), but \(rawValue) has \(classCount) classes (0–\(classCount - 1))")
            }
        }
        guard Array(train.images.shape.dropFirst()) == Array(test.images.shape.dropFirst()) else {
            throw ConfigError(field: "data", "the test images are \(test.images.shape.dropFirst().map(String.init).joined(separator: "×")) and the training images \(train.images.shape.dropFirst().map(String.init).joined(separator: "×")): the splits must have one image size")
        }
        train.classCount = classCount
        test.classCount = classCount
        return (train, test)
    }

    private func read(folder: String?) throws -> (train: ImageDataset, test: ImageDataset) {
        let train: ImageDataset, test: ImageDataset
        switch self {
        case .fashion_mnist:
            train = try ImageFiles.fashionMNIST(train: true, folder: folder ?? ImageFiles.fashionMNISTFolder)
            test = try ImageFiles.fashionMNIST(train: false, folder: folder ?? ImageFiles.fashionMNISTFolder)
        case .cifar10, .cifar100:
            guard let folder else { throw ConfigError(field: "data", "\(rawValue) needs --data DIR with your copy of its binary files") }
            let files = cifarFiles(folder: folder)
            train = try ImageFiles.cifar(files: files[0], hundred: self == .cifar100, field: "data")
            test = try ImageFiles.cifar(files: files[1], hundred: self == .cifar100, field: "data")
        }
        return (train, test)
    }
}

extension DeepConfig {
    /// Bytes the run holds at most, estimated before anything is allocated: the images (both
    /// splits as read, then the samples), and per batch the activations the backward pass keeps.
    /// `readingSplits: false` leaves out the two copies of the splits (a caller that reads them
    /// once for many runs counts them itself, with `splitBytes`).
    public func memoryEstimate(layout: (train: [Int], test: [Int]), readingSplits: Bool = true) -> Double {
        let imageShape = Array(layout.train.dropFirst())
        let pixels = Double(imageShape.reduce(1, *))
        let data = (readingSplits ? Self.splitBytes(layout) : 0) + 4 * pixels * Double(trainSamples + testSamples)
        let batch = 4 * Double(plan.batchSize) * model.activationsPerImage(side: imageShape[1], channels: imageShape[0])
        return data + batch + 4 * 3 * Double(model.parameterCount(channels: imageShape[0], side: imageShape[1], classes: dataset.classCount))
    }

    /// Bytes the two splits take while read: the file's bytes, then the pixels in Float, then
    /// their normalised copy (5 bytes a pixel, twice over at the peak), per split.
    public static func splitBytes(_ layout: (train: [Int], test: [Int])) -> Double {
        2 * 5 * Double(layout.train.reduce(1, *) + layout.test.reduce(1, *))
    }

    /// Checks of the model against the images' real shape [N, C, H, W] (the config's own checks
    /// assume the dataset's nominal side): a ViT's patches must tile square images.
    public func check(imageShape shape: [Int]) throws {
        if case .vit(let vit) = model {
            guard shape[2] == shape[3] else {
                throw ConfigError(field: "model", "a ViT needs square images; these are \(shape[2])×\(shape[3])")
            }
            guard shape[2] >= vit.patch, shape[2] % vit.patch == 0 else {
                throw ConfigError(field: "model.patch", "\(vit.patch) does not divide the images' side \(shape[2])")
            }
        }
    }
}

/// The network of a deep run: a ResNet or a ViT.
public enum DeepModel: Sendable, Equatable {
    case resnet(ResNetDescription)
    case vit(ViTDescription)

    public func network(channels: Int, side: Int, classes: Int, using rng: inout SeededGenerator) -> Sequential<Float> {
        switch self {
        case .resnet(let r): r.network(channels: channels, classes: classes, using: &rng)
        case .vit(let v): v.network(channels: channels, side: side, classes: classes, using: &rng)
        }
    }

    /// The description as JSON values (manifests; the PyTorch scripts read the same keys).
    package var jsonObject: [String: JSONValue] {
        switch self {
        case .resnet(let r):
            ["family": "resnet", "block": r.block.rawValue.json, "stem": r.stem.json,
             "stages": r.stages.map { ["blocks": $0.blocks.json, "width": $0.width.json, "stride": $0.stride.json] as JSONValue }.json]
        case .vit(let v):
            ["family": "vit", "patch": v.patch.json, "width": v.width.json, "heads": v.heads.json, "depth": v.depth.json, "mlp_ratio": v.mlpRatio.json]
        }
    }

    /// Values a training forward pass keeps per image (an upper estimate for memory planning).
    package func activationsPerImage(side: Int, channels: Int) -> Double {
        switch self {
        case .resnet(let r): return r.activationsPerImage(height: side, width: side, channels: channels)
        case .vit(let v):
            let t = Double(1 + (side / v.patch) * (side / v.patch)), d = Double(v.width)
            return Double(channels * side * side) + Double(v.depth) * (t * d * Double(12 + 3 * v.mlpRatio) + 2 * Double(v.heads) * t * t)
        }
    }

    /// Trainable values of the network.
    public func parameterCount(channels: Int, side: Int, classes: Int) -> Int {
        var rng = SeededGenerator(seed: 0, stream: "count")
        return network(channels: channels, side: side, classes: classes, using: &rng).parameters.reduce(0) { $0 + $1.parameter.value.count }
    }
}

extension DeepConfig.Dataset {
    /// Classes in the full dataset.
    public var classCount: Int { self == .cifar100 ? 100 : 10 }
    /// Side of the square images (28 for Fashion-MNIST, 32 for CIFAR).
    public var side: Int { self == .fashion_mnist ? 28 : 32 }
}

extension ResNetDescription {
    /// Values kept per image by a training forward pass (outputs, normalised values and
    /// im2col columns of every layer), an upper estimate for memory planning.
    package func activationsPerImage(height: Int, width: Int, channels: Int) -> Double {
        var h = height, w = width, total = Double(channels * h * w) * 9 + Double(stem * h * w) * 4
        var inputs = stem
        for stage in stages {
            for b in 0..<stage.blocks {
                let stride = b == 0 ? stage.stride : 1
                h = (h - 1) / stride + 1
                w = (w - 1) / stride + 1
                let out = block == .basic ? stage.width : 4 * stage.width
                total += Double(h * w) * Double(9 * (inputs + stage.width) + 6 * out + 4 * stage.width)
                inputs = out
            }
        }
        return total
    }

}

extension DeepConfig {
    /// The effective config as JSON values, one member per ``DeepConfigKey`` (for manifests).
    package var jsonObject: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: DeepConfigKey.allCases.map { ($0.rawValue, Self.binding($0).json(self)) })
    }

    /// The members of ``jsonObject`` that differ from the defaults' (a run's identity: a key
    /// added later at its default leaves every earlier identity as it was).
    package var changedJSON: [String: JSONValue] { jsonObject.changed(from: DeepConfig().jsonObject) }
}

extension DeepModel {
    /// The layer that sees the pixels (docs/theory.md §9b): its weight's name, its square kernel
    /// and its stride — the ResNet stem's 3 × 3 convolution (stride 1) or the ViT's patch
    /// embedding (kernel and stride p).
    public var inputLayer: (weight: String, kernel: Int, stride: Int) {
        switch self {
        case .resnet: ("stem.conv.weight", 3, 1)
        case .vit(let v): ("patch_embed.proj.weight", v.patch, v.patch)
        }
    }

    /// The weight whose output rows are the units of the last hidden layer, the input of the
    /// classifier (docs/theory.md §9b): the last block's last convolution of a ResNet (its
    /// channels survive the residual sum and the pooling), the last block's second MLP layer
    /// of a ViT (its outputs are the residual stream's coordinates that the head reads).
    public var representationWeight: String {
        switch self {
        case .resnet(let r):
            "stage\(r.stages.count).block\(r.stages[r.stages.count - 1].blocks - 1).\(r.block == .basic ? "conv2" : "conv3").weight"
        case .vit(let v): "blocks.\(v.depth - 1).mlp.fc2.weight"
        }
    }
}
