@testable import DeepNetworks
import Foundation
@testable import NumericsCore
@testable import Platform
import Testing
@testable import Vocabulary

/// Parity with PyTorch (scripts/torch_parity.py), where `import torch` works: the same weights
/// and batch through a torch ResNet or ViT of the same description — the forward pass in training
/// mode, the loss, every parameter gradient, one SGD step (momentum, weight decay on conv and
/// linear weights only, as ptv's parameters say) and any running statistics — each within 1e-4 of its largest entry
/// (Float32 sums over at most a few thousand terms: rounding differences of order 10⁻⁶).
/// Without torch the test says it skipped.
struct TorchParityTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/torch_parity.py").path

    /// Write the network, a batch and one step's results for the script, run it, and expect agreement.
    static func compare(_ network: Sequential<Float>, description: [String: JSONValue], images: Tensor<Float>, labels: [Int], label: String,
                        rng: inout SeededGenerator) throws {
        // Non-trivial normalisation parameters (γ, β of batch and layer norms).
        for (name, parameter) in network.parameters where name.contains("bn") || name.contains("norm") || name.hasSuffix("downsample.1.weight") || name.hasSuffix("downsample.1.bias") {
            parameter.value = Tensor(shape: parameter.value.shape, storage: parameter.value.storage.map { $0 + Float(0.3 * rng.gaussian()) })
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-torch-parity-\(label)-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let settings: [String: JSONValue] = ["learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01,
                                             "decay": network.parameters.filter { $0.parameter.decays }.map(\.name).json]
        try JSONOutput.write(description.merging(settings) { a, _ in a }, to: folder.appendingPathComponent("model.json"))
        try ResultFile.write(Checkpoint.encode(Checkpoint.arrays(of: network) + [
            ("input.images", images), ("input.labels", Tensor(shape: [labels.count], storage: labels.map(Float.init)))]),
                             to: folder.appendingPathComponent("before.safetensors"))
        let logits = network.forward(images, training: true)
        let (loss, gradient) = SoftmaxCrossEntropy.loss(logits, labels: labels)
        _ = network.backward(gradient)
        let gradients = network.parameters.map { ("grad." + $0.name, $0.parameter.gradient) }
        SGD(network.parameters.map(\.parameter), learningRate: 0.1, momentum: 0.9, weightDecay: 0.01).step()
        let stepped = Checkpoint.arrays(of: network).map { ("step." + $0.name, $0.value) }
        try ResultFile.write(Checkpoint.encode([("out.logits", logits), ("out.loss", Tensor(shape: [1], storage: [loss]))] + gradients + stepped),
                             to: folder.appendingPathComponent("after.safetensors"))

        let result = try Subprocess.run(["/usr/bin/env", "python3", script, folder.path], captureOutput: true)
        let output = result.output, code = result.status >> 8  // the wait status holds the exit code in its second byte
        if code == 3 {
            print("skipped the PyTorch comparison: \(output.trimmingCharacters(in: .whitespacesAndNewlines)) (scripts/install-deps.sh installs torch==2.13.0+cpu)")
            return
        }
        print(label, output)
        #expect(result.status == 0, "\(label): exit \(code): \(output)")
    }

    @Test(arguments: [ResNetDescription.Block.basic, .bottleneck])
    func resNetStepMatchesTorch(block: ResNetDescription.Block) throws {
        let description = ResNetDescription(block: block, stem: 4, stages: [.init(blocks: 2, width: 4, stride: 1), .init(blocks: 1, width: 6, stride: 2)])
        var rng = SeededGenerator(seed: 21, stream: "parity")
        let network: Sequential<Float> = description.network(channels: 2, classes: 5, using: &rng)
        let images = Tensor<Float>(gaussian: [6, 2, 8, 8], standardDeviation: 1, using: &rng)
        try Self.compare(network, description: ["family": "resnet", "block": block.rawValue.json, "stem": description.stem.json, "channels": 2, "classes": 5,
                                                "stages": description.stages.map { ["blocks": $0.blocks.json, "width": $0.width.json, "stride": $0.stride.json] as JSONValue }.json],
                         images: images, labels: [0, 4, 2, 1, 3, 2], label: "resnet-\(block)", rng: &rng)
    }

    @Test func vitStepMatchesTorch() throws {
        let description = ViTDescription(patch: 4, width: 16, heads: 4, depth: 3, mlpRatio: 2)
        var rng = SeededGenerator(seed: 22, stream: "parity")
        let network: Sequential<Float> = description.network(channels: 2, side: 12, classes: 5, using: &rng)
        let images = Tensor<Float>(gaussian: [5, 2, 12, 12], standardDeviation: 1, using: &rng)
        try Self.compare(network, description: ["family": "vit", "patch": 4, "width": 16, "heads": 4, "depth": 3, "mlp_ratio": 2, "side": 12,
                                                "channels": 2, "classes": 5],
                         images: images, labels: [0, 4, 2, 1, 3], label: "vit", rng: &rng)
    }
}

/// Each layer on its own against its PyTorch counterpart (scripts/torch_layer_parity.py): the
/// forward output in training mode, ∂Σ(r⊙y)/∂x and every parameter gradient, within 1e-4 of
/// the largest entry. Skipped with a message without torch.
struct TorchLayerParityTests {
    static let script = URL(fileURLWithPath: TorchParityTests.script).deletingLastPathComponent().appendingPathComponent("torch_layer_parity.py").path

    static func cases() -> [(spec: [String: JSONValue], layer: any Layer<Float>, input: [Int])] {
        var rng = SeededGenerator(seed: 31, stream: "layer-parity")
        let norm = BatchNorm2d<Float>(channels: 3)
        norm.scale.value = Tensor(shape: [3], storage: [1.3, -0.6, 0.8])
        norm.shift.value = Tensor(shape: [3], storage: [0.2, -0.1, 0.4])
        let layerNorm = LayerNorm<Float>(width: 8)
        layerNorm.scale.value = Tensor(gaussian: [8], standardDeviation: 1, using: &rng)
        return [
            (["kind": "conv", "inputs": 3, "outputs": 5, "kernel": 3, "stride": 2, "padding": 1],
             Conv2d<Float>(inputs: 3, outputs: 5, kernel: 3, stride: 2, padding: 1, using: &rng), [2, 3, 7, 6]),
            (["kind": "batchnorm", "channels": 3], norm, [4, 3, 3, 3]),
            (["kind": "linear", "inputs": 6, "outputs": 4], Linear<Float>(inputs: 6, outputs: 4, using: &rng), [3, 2, 6]),
            (["kind": "layernorm", "width": 8], layerNorm, [2, 3, 8]),
            (["kind": "attention", "width": 8, "heads": 2], SelfAttention<Float>(width: 8, heads: 2, using: &rng), [2, 5, 8]),
            (["kind": "gelu"], GELU<Float>(), [3, 7]),
            (["kind": "relu"], ReLU<Float>(), [3, 7]),
            (["kind": "pool"], GlobalAveragePool<Float>(), [2, 3, 4, 4]),
        ]
    }

    @Test func everyLayerMatchesTorch() throws {
        var rng = SeededGenerator(seed: 32, stream: "layer-parity-input")
        for (spec, layer, shape) in Self.cases() {
            let kind = spec["kind"]!.string!
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-layer-parity-\(kind)-\(getpid())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let x = Tensor<Float>(gaussian: shape, standardDeviation: 1, using: &rng)
            let y = layer.forward(x, training: true)
            let r = Tensor<Float>(gaussian: y.shape, standardDeviation: 1, using: &rng)
            try JSONOutput.write(spec, to: folder.appendingPathComponent("layer.json"))
            try ResultFile.write(Checkpoint.encode((layer.parameters + layer.buffers).map { ($0.name, $0.parameter.value) } + [("input.x", x), ("input.r", r)]),
                                 to: folder.appendingPathComponent("before.safetensors"))
            // The running statistics moved in the forward pass above; torch starts from the initial ones.
            for (_, p) in layer.parameters { p.zeroGradient() }
            let dx = layer.backward(r)
            try ResultFile.write(Checkpoint.encode([("out.y", y), ("grad.input", dx)] + layer.parameters.map { ("grad." + $0.name, $0.parameter.gradient) }),
                                 to: folder.appendingPathComponent("after.safetensors"))
            let result = try Subprocess.run(["/usr/bin/env", "python3", Self.script, folder.path], captureOutput: true)
            if result.status >> 8 == 3 {
                print("skipped the PyTorch comparison of each layer: torch is not importable")
                return
            }
            print(result.output)
            #expect(result.status == 0, "\(kind): \(result.output)")
        }
    }
}
