@testable import DeepNetworks
import Foundation
@testable import NumericsCore
@testable import Platform
import Testing
@testable import Vocabulary

/// Algorithm 1 for deep networks: ⌊α·rows⌋ output channels per transferred weight come from
/// upstream with their incoming weights and bias; the rest keep the fresh draw.
struct DeepTransferTests {
    static func vit(seed: UInt64) -> Sequential<Float> {
        var rng = SeededGenerator(seed: seed, stream: "deep-transfer")
        return ViTDescription(patch: 4, width: 8, heads: 2, depth: 12, mlpRatio: 2).network(channels: 1, side: 8, classes: 3, using: &rng)
    }

    /// Blocks 9–11 of a 12-block ViT at α = ½: every weight of those blocks has exactly
    /// ⌊rows/2⌋ upstream rows (and the matching biases), every other array is the fresh draw.
    @Test func lateBlocksInheritHalfTheirRows() throws {
        let upstream = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: Self.vit(seed: 1)).map { ($0.name, $0.value) })
        let network = Self.vit(seed: 2), fresh = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: Self.vit(seed: 2)).map { ($0.name, $0.value) })
        var rng = SeededGenerator(seed: 3, stream: "transfer-choice")
        let inherited = try DeepTransfer(prefixes: ["blocks.9.", "blocks.10.", "blocks.11."], alpha: 0.5)
            .apply(upstream: upstream, into: network, field: "transfer", using: &rng)
        #expect(inherited.keys.count == 3 * 4)  // qkv, proj, fc1, fc2 in each of three blocks
        for (name, value) in Checkpoint.arrays(of: network) {
            let rows = value.shape[0], size = value.count / rows
            let weightName = name.hasSuffix(".bias") ? String(name.dropLast("bias".count)) + "weight" : name
            let chosen = Set(inherited[weightName] ?? [])
            if inherited[weightName] != nil { #expect(chosen.count == rows / 2 || name.hasSuffix(".bias"), "\(name)") }
            for r in 0..<rows {
                let expected = chosen.contains(r) ? upstream[name]! : fresh[name]!
                let slice = name.hasSuffix(".bias") && inherited[weightName] != nil ? r..<(r + 1) : (r * size)..<((r + 1) * size)
                #expect(Array(value.storage[slice]) == Array(expected.storage[slice]), "\(name) row \(r)")
            }
        }
    }

    /// Frozen inherited rows do not move under SGD with momentum and weight decay, or AdamW;
    /// the other rows of the same weight do.
    @Test(arguments: [false, true])
    func frozenRowsStayFixed(adamw: Bool) throws {
        let upstream = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: Self.vit(seed: 4)).map { ($0.name, $0.value) })
        let network = Self.vit(seed: 5)
        var rng = SeededGenerator(seed: 6)
        let inherited = try DeepTransfer(prefixes: ["blocks.10."], alpha: 0.5, freeze: true).apply(upstream: upstream, into: network, field: "t", using: &rng)
        let before = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: network).map { ($0.name, $0.value) })
        let images = Tensor<Float>(gaussian: [4, 1, 8, 8], standardDeviation: 1, using: &rng)
        let parameters = network.parameters.map(\.parameter)
        let sgd = SGD(parameters, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1), adam = AdamW(parameters, learningRate: 0.01)
        for _ in 0..<3 {
            _ = network.backward(SoftmaxCrossEntropy.loss(network.forward(images, training: true), labels: [0, 1, 2, 0]).gradient)
            if adamw { adam.step() } else { sgd.step() }
        }
        let name = "blocks.10.attn.qkv.weight", weight = network.parameters.first { $0.name == name }!.parameter.value
        let size = weight.count / weight.shape[0], chosen = Set(inherited[name]!)
        for r in 0..<weight.shape[0] {
            let moved = Array(weight.storage[(r * size)..<((r + 1) * size)]) != Array(before[name]!.storage[(r * size)..<((r + 1) * size)])
            #expect(moved == !chosen.contains(r), "row \(r)")
        }
    }

    @Test func shapesThatDifferAreRefused() throws {
        var rng = SeededGenerator(seed: 7)
        let network = Self.vit(seed: 8)
        #expect(throws: ConfigError.self) {
            try DeepTransfer(prefixes: ["blocks.9."], alpha: 1).apply(upstream: ["blocks.9.attn.qkv.weight": Tensor(zeros: [2, 2])], into: network, field: "t", using: &rng)
        }
    }

    /// The deep-quick pair: a bottleneck upstream (inner widths 8, 16, 32; two blocks a stage)
    /// and a basic downstream (widths 8, 16, 32; one block a stage).
    static func resnets() -> (upstream: Sequential<Float>, downstream: Sequential<Float>) {
        var rng = SeededGenerator(seed: 11, stream: "shared-layers")
        func stages(_ blocks: Int) -> [ResNetDescription.Stage] { [8, 16, 32].map { .init(blocks: blocks, width: $0, stride: 2) } }
        return (ResNetDescription(block: .bottleneck, stem: 8, stages: stages(2)).network(channels: 1, classes: 5, using: &rng),
                ResNetDescription(block: .basic, stem: 8, stages: stages(1)).network(channels: 1, classes: 5, using: &rng))
    }

    /// `layers: shared` between the two: by hand, the layers with the same name and shape are
    /// the stem's convolution (8 × 1 × 3 × 3) and each stage's first 3 × 3 convolution, conv2
    /// (w × w × 3 × 3 in both: a bottleneck's inner width is the basic block's width). The
    /// bottleneck's 1 × 1 conv1 and conv3 and its downsampling differ in shape, and the
    /// classifier fc (5 × 32 against 5 × 128) is never shared anyway.
    @Test func sharedLayersOfTheResNetPair() throws {
        let (up, down) = Self.resnets()
        let upstream = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: up).map { ($0.name, $0.value) })
        var rng = SeededGenerator(seed: 12)
        let inherited = try DeepTransfer(.shared, alpha: 0.5).apply(upstream: upstream, into: down, field: "t", using: &rng)
        #expect(Set(inherited.keys) == ["stem.conv.weight", "stage1.block0.conv2.weight", "stage2.block0.conv2.weight", "stage3.block0.conv2.weight"])
        // Two ViTs of one shape share every block's weights and the patch embedding, not the head.
        let vitInherited = try DeepTransfer(.shared, alpha: 0.5).apply(upstream: Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: Self.vit(seed: 1)).map { ($0.name, $0.value) }),
                                                                        into: Self.vit(seed: 2), field: "t", using: &rng)
        #expect(vitInherited.count == 12 * 4 + 1 && vitInherited["patch_embed.proj.weight"] != nil && !vitInherited.keys.contains { $0.hasPrefix("head.") })
    }

    /// A transferred convolution's channels bring their batch normalisation: scale, shift and
    /// running statistics of the chosen channels are the upstream's, the others the fresh ones.
    @Test func normalisationFollowsItsChannels() throws {
        let (up, down) = Self.resnets()
        var upstream = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: up).map { ($0.name, $0.value) })
        for name in ["weight", "bias", "running_mean", "running_var"] {
            upstream["stem.bn.\(name)"] = Tensor(shape: [8], storage: (0..<8).map { Float(100 + $0) })
        }
        let fresh = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: down).map { ($0.name, $0.value) })
        var rng = SeededGenerator(seed: 13)
        let chosen = Set(try DeepTransfer(prefixes: ["stem."], alpha: 0.5).apply(upstream: upstream, into: down, field: "t", using: &rng)["stem.conv.weight"]!)
        #expect(chosen.count == 4)
        let after = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: down).map { ($0.name, $0.value) })
        for name in ["weight", "bias", "running_mean", "running_var"] {
            for r in 0..<8 {
                let expected = chosen.contains(r) ? Float(100 + r) : fresh["stem.bn.\(name)"]!.storage[r]
                #expect(after["stem.bn.\(name)"]!.storage[r] == expected, "stem.bn.\(name)[\(r)]")
            }
        }
        #expect(DeepTransfer.normalisation(after: "stage1.block0.conv2.weight") == "stage1.block0.bn2")
        #expect(DeepTransfer.normalisation(after: "stage1.block0.downsample.0.weight") == "stage1.block0.downsample.1")
        #expect(DeepTransfer.normalisation(after: "fc.weight") == nil && DeepTransfer.normalisation(after: "blocks.9.attn.qkv.weight") == nil)
    }
}
