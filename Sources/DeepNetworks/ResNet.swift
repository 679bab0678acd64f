import NumericsCore
import Vocabulary

/// A ResNet described by its stem and stages (He et al. 2016), sized to train on 2 cores:
/// conv3×3(stem channels) → BN → ReLU, then each stage's blocks (the first with the stage's
/// stride), global average pooling and a linear classifier. Parameters are named
/// `stem.conv.weight`, `stage1.block0.conv1.weight`, …, `fc.weight` (stages count from 1,
/// blocks from 0).
public struct ResNetDescription: Sendable, Equatable {
    public enum Block: String, Sendable, CaseIterable { case basic, bottleneck }
    public struct Stage: Sendable, Equatable {
        public var blocks: Int
        /// Channels of a basic block; the inner width of a bottleneck block (its output is 4×).
        public var width: Int
        public var stride: Int
        public init(blocks: Int, width: Int, stride: Int) { self.blocks = blocks; self.width = width; self.stride = stride }
    }

    public var block: Block
    public var stem: Int
    public var stages: [Stage]

    public init(block: Block, stem: Int, stages: [Stage]) {
        self.block = block
        self.stem = stem
        self.stages = stages
    }

    /// A shallow basic-block network with the layout of ResNet-34 (3, 4, 6, 3 blocks) at
    /// widths 8–64: the downstream network of the ResNet pair.
    public static let small34 = ResNetDescription(block: .basic, stem: 8, stages: [
        Stage(blocks: 3, width: 8, stride: 1), Stage(blocks: 4, width: 16, stride: 2),
        Stage(blocks: 6, width: 32, stride: 2), Stage(blocks: 3, width: 64, stride: 2)])

    /// A deep bottleneck network with the layout of ResNet-101 (3, 4, 23, 3 blocks) at inner
    /// widths 4–32: the upstream network of the ResNet pair.
    public static let small101 = ResNetDescription(block: .bottleneck, stem: 8, stages: [
        Stage(blocks: 3, width: 4, stride: 1), Stage(blocks: 4, width: 8, stride: 2),
        Stage(blocks: 23, width: 16, stride: 2), Stage(blocks: 3, width: 32, stride: 2)])

    /// The network for images of `channels` channels and `classes` classes.
    public func network<Scalar: DeepScalar>(channels: Int, classes: Int, using rng: inout SeededGenerator) -> Sequential<Scalar> {
        var layers: [(name: String, layer: any Layer<Scalar>)] = [
            ("stem", Sequential<Scalar>([("conv", Conv2d(inputs: channels, outputs: stem, kernel: 3, padding: 1, using: &rng)),
                                         ("bn", BatchNorm2d(channels: stem)), ("relu", ReLU())])),
        ]
        var width = stem
        for (s, stage) in stages.enumerated() {
            var blocks: [(name: String, layer: any Layer<Scalar>)] = []
            for b in 0..<stage.blocks {
                let stride = b == 0 ? stage.stride : 1
                switch block {
                case .basic:
                    blocks.append(("block\(b)", ResidualBlock<Scalar>.basic(inputs: width, outputs: stage.width, stride: stride, using: &rng)))
                    width = stage.width
                case .bottleneck:
                    blocks.append(("block\(b)", ResidualBlock<Scalar>.bottleneck(inputs: width, width: stage.width, stride: stride, using: &rng)))
                    width = stage.width * ResidualBlock<Scalar>.expansion
                }
            }
            layers.append(("stage\(s + 1)", Sequential(blocks)))
        }
        layers.append(("pool", GlobalAveragePool<Scalar>()))
        layers.append(("fc", Linear<Scalar>(inputs: width, outputs: classes, using: &rng)))
        return Sequential(layers)
    }
}
