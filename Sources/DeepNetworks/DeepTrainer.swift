import Vocabulary
import Foundation
import NumericsCore

/// How a deep network is trained: mini-batch SGD with momentum and weight decay (or AdamW), a cosine
/// learning-rate schedule after a linear warm-up, optional crop-and-flip augmentation, and one
/// seed for initialisation, batch order and augmentation.
public struct DeepTrainingPlan: Sendable, Equatable {
    package typealias Optimiser = DeepOptimiser
    package var optimiser = Optimiser.sgd
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    package var momentum: Double
    package var weightDecay: Double
    package var warmupEpochs: Double
    /// Where the cosine schedule ends, as a fraction of `learningRate` (0: it decays to 0).
    package var finalLearningRate = 0.0
    package var augment: Bool
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int = 64, learningRate: Double = 0.05, momentum: Double = 0.9, weightDecay: Double = 5e-4,
                warmupEpochs: Double = 0, augment: Bool = false, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.warmupEpochs = warmupEpochs
        self.augment = augment
        self.seed = seed
    }

    /// η at step t of T: η₀·t/W during the W warm-up steps, then
    /// η₀·(r + (1 − r)·½(1 + cos(π(t − W)/(T − W)))) with r = `finalLearningRate`.
    public func learningRate(step t: Int, of total: Int, stepsPerEpoch: Int) -> Double {
        let warm = Int(warmupEpochs * Double(stepsPerEpoch))
        if t < warm { return learningRate * Double(t + 1) / Double(warm) }
        let span = max(1, total - warm)
        let r = finalLearningRate
        return learningRate * (r + (1 - r) * 0.5 * (1 + cos(Double.pi * Double(t - warm) / Double(span))))
    }
}

/// One epoch's figures.
package struct EpochRecord: Sendable {
    public let epoch: Int
    public let trainLoss: Double
    public let trainAccuracy: Double
    public let testLoss: Double
    public let testAccuracy: Double
    public let seconds: Double
}

/// Trains a network on an image dataset and evaluates it (docs/theory.md §9).
public struct DeepTrainer {
    public let network: Sequential<Float>
    public let plan: DeepTrainingPlan

    public init(network: Sequential<Float>, plan: DeepTrainingPlan) {
        self.network = network
        self.plan = plan
    }

    /// Mean loss and accuracy on `data` in evaluation mode (running statistics), in batches.
    public func evaluate(_ data: ImageDataset) -> (loss: Double, accuracy: Double) {
        var rng = SeededGenerator(seed: 0, stream: "unused")
        var loss = 0.0, correct = 0
        for start in stride(from: 0, to: data.count, by: plan.batchSize) {
            let indices = Array(start..<min(start + plan.batchSize, data.count))
            let (x, labels) = data.batch(indices, using: &rng)
            let logits = network.forward(x, training: false)
            loss += Double(SoftmaxCrossEntropy.loss(logits, labels: labels).loss) * Double(indices.count)
            correct += zip(SoftmaxCrossEntropy.predictions(logits), labels).filter { $0 == $1 }.count
        }
        return (loss / Double(max(1, data.count)), Double(correct) / Double(max(1, data.count)))
    }

    /// Train for `plan.epochs` epochs, scoring `test` after each (not at all when nil: the
    /// record's test figures are then NaN); `onEpoch` receives each epoch's record as it ends (so a
    /// caller can write it before the next starts), and `progress` (batch, batches) within one.
    package func train(_ data: ImageDataset, test: ImageDataset?, progress: (Int, Int, Int) -> Void = { _, _, _ in },
                      onEpoch: (EpochRecord) throws -> Void = { _ in }) throws -> [EpochRecord] {
        let parameters = network.parameters.map(\.parameter)
        // One optimiser, built once: `update(η)` steps it at learning rate η.
        let update: (Float) -> Void
        switch plan.optimiser {
        case .sgd:
            let sgd = SGD(parameters, learningRate: Float(plan.learningRate), momentum: Float(plan.momentum), weightDecay: Float(plan.weightDecay))
            update = { sgd.learningRate = $0; sgd.step() }
        case .adamw:
            let adamw = AdamW(parameters, learningRate: Float(plan.learningRate), weightDecay: Float(plan.weightDecay))
            update = { adamw.learningRate = $0; adamw.step() }
        }
        var order = SeededGenerator(seed: plan.seed, stream: "deep-batch-order")
        var augmentation = SeededGenerator(seed: plan.seed, stream: "deep-augmentation")
        let batches = (data.count + plan.batchSize - 1) / plan.batchSize
        var records: [EpochRecord] = []
        for epoch in 0..<plan.epochs {
            let start = ContinuousClock.now
            let permutation = Array(0..<data.count).shuffled(using: &order)
            var loss = 0.0, correct = 0
            for b in 0..<batches {
                let indices = Array(permutation[(b * plan.batchSize)..<min((b + 1) * plan.batchSize, data.count)])
                let (x, labels) = data.batch(indices, augment: plan.augment, using: &augmentation)
                let rate = Float(plan.learningRate(step: epoch * batches + b, of: plan.epochs * batches, stepsPerEpoch: batches))
                let logits = network.forward(x, training: true)
                let (batchLoss, gradient) = SoftmaxCrossEntropy.loss(logits, labels: labels)
                _ = network.backward(gradient)
                update(rate)
                loss += Double(batchLoss) * Double(indices.count)
                correct += zip(SoftmaxCrossEntropy.predictions(logits), labels).filter { $0 == $1 }.count
                progress(epoch, b + 1, batches)
            }
            let evaluation = test.map(evaluate) ?? (loss: .nan, accuracy: .nan)
            let elapsed = start.duration(to: .now)
            let record = EpochRecord(epoch: epoch + 1, trainLoss: loss / Double(data.count), trainAccuracy: Double(correct) / Double(data.count),
                                     testLoss: evaluation.loss, testAccuracy: evaluation.accuracy,
                                     seconds: elapsed.inSeconds)
            records.append(record)
            try onEpoch(record)
        }
        return records
    }
}

/// Training throughput of a network, for `ptv bench`: `steps` SGD steps (momentum 0.9, weight
/// decay 5·10⁻⁴) on one random batch after 3 warm-up steps, as scripts/torch_bench.py does in
/// PyTorch; training images per second.
public enum DeepThroughput {
    public static func imagesPerSecond(_ model: DeepModel, channels: Int, side: Int, classes: Int,
                                       batch: Int, steps: Int) -> Double {
        var rng = SeededGenerator(seed: 0, stream: "deep-bench")
        let network = model.network(channels: channels, side: side, classes: classes, using: &rng)
        let sgd = SGD(network.parameters.map(\.parameter), learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        let images = Tensor<Float>(gaussian: [batch, channels, side, side], standardDeviation: 1, using: &rng)
        let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(classes)) }
        func step() {
            let (_, gradient) = SoftmaxCrossEntropy.loss(network.forward(images, training: true), labels: labels)
            _ = network.backward(gradient)
            sgd.step()
        }
        for _ in 0..<3 { step() }
        let clock = ContinuousClock(), start = clock.now
        for _ in 0..<steps { step() }
        let elapsed = start.duration(to: clock.now)
        return Double(batch * steps) / (elapsed.inSeconds)
    }
}
