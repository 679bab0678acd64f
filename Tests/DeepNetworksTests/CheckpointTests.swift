@testable import DeepNetworks
import Foundation
@testable import NumericsCore
@testable import Platform
import Testing
@testable import Vocabulary

/// Checkpoints: written, read back and loaded by name, whole or in part.
struct CheckpointTests {
    static func network(seed: UInt64) -> Sequential<Float> {
        var rng = SeededGenerator(seed: seed, stream: "checkpoint")
        return ResNetDescription(block: .basic, stem: 4, stages: [.init(blocks: 1, width: 4, stride: 1), .init(blocks: 1, width: 6, stride: 2)])
            .network(channels: 1, classes: 3, using: &rng)
    }

    /// A network after two training steps, its checkpoint loaded into a differently initialised
    /// one: every array equal, and the same evaluation outputs bit for bit.
    @Test func wholeCheckpointReproducesTheNetwork() throws {
        let trained = Self.network(seed: 1)
        var rng = SeededGenerator(seed: 2)
        let images = Tensor<Float>(gaussian: [4, 1, 8, 8], standardDeviation: 1, using: &rng)
        let sgd = SGD(trained.parameters.map(\.parameter), learningRate: 0.1)
        for _ in 0..<2 {
            _ = trained.backward(SoftmaxCrossEntropy.loss(trained.forward(images, training: true), labels: [0, 1, 2, 1]).gradient)
            sgd.step()
        }
        let decoded = try Checkpoint.decode(Checkpoint.encode(Checkpoint.arrays(of: trained)), field: "init")
        let fresh = Self.network(seed: 3)
        #expect(fresh.forward(images, training: false) != trained.forward(images, training: false))
        let loaded = try Checkpoint.load(decoded, into: fresh, field: "init")
        #expect(loaded.count == Checkpoint.arrays(of: trained).count && loaded.contains("stage1.block0.bn1.running_var"))
        #expect(fresh.forward(images, training: false) == trained.forward(images, training: false))
    }

    /// Only the selected names change: stage 1 and the stem from the checkpoint, the rest as drawn.
    @Test func partialLoadingChangesOnlyTheSelectedNames() throws {
        let source = Self.network(seed: 4), target = Self.network(seed: 5), untouched = Self.network(seed: 5)
        let arrays = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: source).map { ($0.name, $0.value) })
        let loaded = try Checkpoint.load(arrays, into: target, field: "init") { $0.hasPrefix("stage1.") || $0.hasPrefix("stem.") }
        #expect(!loaded.isEmpty && loaded.allSatisfy { $0.hasPrefix("stage1.") || $0.hasPrefix("stem.") })
        for ((name, value), (_, original)) in zip(Checkpoint.arrays(of: target), Checkpoint.arrays(of: untouched)) {
            #expect(value == (loaded.contains(name) ? arrays[name]! : original), "\(name)")
        }
    }

    @Test func mismatchesAreRefusedNamingTheArray() throws {
        let target = Self.network(seed: 6)
        #expect(throws: ConfigError.self) {
            try Checkpoint.load(["fc.weight": Tensor(zeros: [2, 2])], into: target, field: "init")
        }
        #expect(throws: ConfigError.self) {
            try Checkpoint.load(["blocks.9.attn.qkv.weight": Tensor(zeros: [2, 2])], into: target, field: "init")
        }
        #expect(throws: ConfigError.self) { try Checkpoint.decode(Data([1, 2, 3]), field: "init") }
        var bad = Data([200, 0, 0, 0, 0, 0, 0, 0])
        bad.append(Data("{}".utf8))
        #expect(throws: ConfigError.self) { try Checkpoint.decode(bad, field: "init") }
    }
}
