/// Every key of a deep-network run's configuration (`ptv deep train --config`, and the
/// `upstream:`/`downstream:` blocks of a deep suite; docs/theory.md §9), declared once with its
/// kind, default and meaning, like ``ConfigKey``. The deep config reader, its JSON echo, the run
/// key and the README's table derive from this declaration; values are read by the same
/// `KeyReader` as the synthetic keys.
public enum DeepConfigKey: String, CaseIterable, Sendable {
    case model, dataset, classes, train_samples, test_samples, label_noise, input_noise, shuffle_labels,
         optimiser, epochs, batch_size, learning_rate, final_learning_rate, momentum, weight_decay, warmup_epochs, augment, seed

    public var kind: ConfigKey.Kind {
        switch self {
        case .model: .structured("ResNet: blocks 1–64, widths 1–1024, stride 1–4, at most 8 stages; ViT: patch dividing the image side, heads dividing width, depth 1–48")
        case .dataset: .choice(ImageDatasetName.allCases.map(\.rawValue))
        case .classes: .structured("distinct labels of the dataset")
        case .train_samples, .test_samples: .integer(1...10_000_000)
        case .label_noise, .momentum: .real(ConfigKey.RealDomain(text: "in [0, 1)") { $0 >= 0 && $0 < 1 })
        case .input_noise, .weight_decay, .warmup_epochs: .real(.nonNegative)
        case .shuffle_labels, .augment: .flag
        case .optimiser: .choice(DeepOptimiser.allCases.map(\.rawValue))
        case .epochs: .integer(1...100_000)
        case .batch_size: .integer(1...4096)
        case .learning_rate: .real(.positive)
        case .final_learning_rate: .real(.closed(0, 1))
        case .seed: .seed
        }
    }

    /// The default, as written in a config file.
    public var defaultText: String {
        switch self {
        case .model: "a ResNet: stem 8, stages [{blocks: 1, width: 8, stride: 2}, {blocks: 1, width: 16, stride: 2}]"
        case .dataset: ImageDatasetName.fashion_mnist.rawValue
        case .classes: "all"
        case .train_samples: "2000"
        case .test_samples: "1000"
        case .label_noise, .input_noise, .warmup_epochs, .final_learning_rate: "0"
        case .shuffle_labels, .augment: "false"
        case .optimiser: DeepOptimiser.sgd.rawValue
        case .epochs: "3"
        case .batch_size: "32"
        case .learning_rate: "0.05"
        case .momentum: "0.9"
        case .weight_decay: "5e-4"
        case .seed: "0"
        }
    }

    /// One line: what the key means.
    public var meaning: String {
        switch self {
        case .model: "`small34`, `small101`, `vit12`, `{block: basic or bottleneck, stem: C, stages: [{blocks, width, stride}, …]}` (a ResNet) or `{family: vit, patch, width, heads, depth, mlp_ratio}`"
        case .dataset: "`fashion-mnist` (Debian's dataset-fashion-mnist), `cifar10`, `cifar100` (a copy under --data)"
        case .classes: "class labels kept, relabelled in the order given"
        case .train_samples: "training images drawn from the training split"
        case .test_samples: "test images drawn from the test split"
        case .label_noise: "rate p at which a training label is replaced by another class"
        case .input_noise: "s.d. of Gaussian noise added to training pixels"
        case .shuffle_labels: "permute the training labels among the training images, keeping the class counts"
        case .optimiser: "`sgd` (momentum, weight decay) or `adamw` (β = 0.9, 0.999; decoupled weight decay)"
        case .epochs: "passes over the training images"
        case .batch_size: "images per step"
        case .learning_rate: "peak learning rate η₀"
        case .final_learning_rate: "where the cosine schedule ends, as a fraction r of the peak: η = η₀(r + (1 − r)·½(1 + cos πs)) at progress s"
        case .momentum: "SGD momentum"
        case .weight_decay: "L2 weight decay on weights"
        case .warmup_epochs: "linear warm-up before the cosine schedule"
        case .augment: "random crop (2 pixels) and flip of training batches"
        case .seed: "initialisation, sampling, batch order, augmentation"
        }
    }

    /// The README's table of deep config keys (a test keeps README.md equal to it).
    public static var referenceTable: String {
        let rows = allCases.map { "| `\($0.rawValue)` | \($0.meaning) | \($0.defaultText) | \($0.kind.allowedText) |" }
        return (["| key | meaning | default | allowed |", "|---|---|---|---|"] + rows).joined(separator: "\n")
    }
}
