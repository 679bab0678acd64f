import DeepNetworks
import NumericsCore

/// The images both tasks of a deep experiment draw from (docs/theory.md §9a): a dataset's two
/// splits, read once and normalised with the whole training split's channel statistics, so the
/// upstream and downstream networks see pixels on one scale.
///
/// For each seed the training split is cut in two halves by a seeded permutation: the upstream
/// task draws from the first, the downstream task from the second, so no image is in both even
/// when their classes overlap. A task keeps its classes (relabelled in the order listed), draws
/// `train_samples` images of them, then applies its label noise and label shuffle; its test set
/// is `test_samples` images of its classes from the test split, with true labels.
public struct TaskImages: Sendable {
    public let dataset: DeepConfig.Dataset
    public let train: ImageDataset
    public let test: ImageDataset

    public init(dataset: DeepConfig.Dataset, folder: String?) throws {
        let (train, test) = try dataset.splits(folder: folder)
        let (mean, deviation) = train.channelStatistics
        self.dataset = dataset
        self.train = train.normalised(mean: mean, deviation: deviation)
        self.test = test.normalised(mean: mean, deviation: deviation)
    }

    /// Splits given in memory (already on one scale), for tests and for datasets read elsewhere.
    public init(dataset: DeepConfig.Dataset, train: ImageDataset, test: ImageDataset) {
        self.dataset = dataset
        self.train = train
        self.test = test
    }

    /// Which half of the training split a task draws from.
    public enum Side: String, Sendable { case upstream, downstream }

    /// The training and test images of `config`'s task on `side`, for `seed`. The draws use
    /// their own streams, so the downstream images are the same whatever the upstream task is.
    public func task(_ config: DeepConfig, side: Side, seed: UInt64) -> (train: ImageDataset, test: ImageDataset) {
        var split = SeededGenerator(seed: seed, stream: "deep-pools")
        let order = Array(0..<train.count).shuffled(using: &split)
        let half = side == .upstream ? order[..<(train.count / 2)] : order[(train.count / 2)...]
        let classes = config.classes ?? Array(0..<train.classCount)
        let wanted = Set(classes)
        var rng = SeededGenerator(seed: seed, stream: "deep-task-\(side.rawValue)")
        let pool = half.filter { wanted.contains(train.trueLabels[$0]) }
        let chosen = rng.choose(min(config.trainSamples, pool.count), from: pool.count).map { pool[$0] }
        var images = train.selecting(chosen).keeping(classes: classes)
            .withLabelNoise(config.labelNoise, using: &rng).withInputNoise(config.inputNoise, using: &rng)
        if config.shuffleLabels { images = images.withShuffledLabels(using: &rng) }
        var testDraw = SeededGenerator(seed: seed, stream: "deep-test-\(side.rawValue)")
        let testPool = test.labels.indices.filter { wanted.contains(test.trueLabels[$0]) }
        let testChosen = testDraw.choose(min(config.testSamples, testPool.count), from: testPool.count).map { testPool[$0] }.sorted()
        return (images, test.selecting(testChosen).keeping(classes: classes))
    }
}
