@testable import DeepNetworks
import Foundation
@testable import NumericsCore
import Testing

/// A small ResNet learns Fashion-MNIST well above chance after a short run. By default three
/// classes (T-shirt, trouser, sneaker; chance 1/3), 240 training and 240 test images, 3
/// epochs, at least 70 % test accuracy; with `PTV_SLOW_TESTS=1` all ten classes (chance 10 %),
/// 2 000 training images, 3 epochs, at least 70 %. (Debug builds run generic layer code
/// unspecialised, about 6 ms per image pass for this network; the timed runs are `ptv deep`'s.)
struct TrainingTests {
    @Test func smallResNetLearnsFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: ImageFiles.fashionMNISTFolder) else {
            print("skipped: Fashion-MNIST is not installed (scripts/install-deps.sh installs it)")
            return
        }
        let slow = ProcessInfo.processInfo.environment["PTV_SLOW_TESTS"] == "1"
        let classes = slow ? Array(0..<10) : [0, 1, 7]
        var rng = SeededGenerator(seed: 0, stream: "deep-test-data")
        let train = try ImageFiles.fashionMNIST(train: true).keeping(classes: classes).sample(slow ? 2000 : 240, using: &rng)
        let test = try ImageFiles.fashionMNIST(train: false).keeping(classes: classes).sample(slow ? 1000 : 240, using: &rng)
        let (mean, deviation) = train.channelStatistics
        var initialisation = SeededGenerator(seed: 0, stream: "deep-test-init")
        let description = ResNetDescription(block: .basic, stem: 8, stages: [.init(blocks: 1, width: 8, stride: 2), .init(blocks: 1, width: 16, stride: 2)])
        let trainer = DeepTrainer(network: description.network(channels: 1, classes: classes.count, using: &initialisation),
                                  plan: DeepTrainingPlan(epochs: 3, batchSize: 16, learningRate: 0.05))
        let records = try trainer.train(train.normalised(mean: mean, deviation: deviation), test: test.normalised(mean: mean, deviation: deviation))
        print(records.map { String(format: "epoch %d: train loss %.3f, test accuracy %.3f, %.1f s", $0.epoch, $0.trainLoss, $0.testAccuracy, $0.seconds) })
        #expect(records.last!.testAccuracy >= 0.7)
        #expect(records.last!.trainLoss < records.first!.trainLoss)
    }
}
