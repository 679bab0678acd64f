@testable import DeepNetworks
@testable import NumericsCore
import Testing

/// Every layer's backward pass against central finite differences, in Double.
///
/// For f(x, θ) = Σ r ⊙ layer(x) with a fixed random r, the backward pass with upstream gradient
/// r must give ∂f/∂x and ∂f/∂θ. Central differences with step h = 10⁻⁶ have truncation error
/// about h²·|f‴|/6 ≈ 10⁻¹² and rounding error about ε·|f|/h ≈ 10⁻¹⁰·|f| (ε = 2.2·10⁻¹⁶), so
/// with |f| of order 10 they agree with a correct gradient to about 10⁻⁹ of its largest entry;
/// the tolerance 10⁻⁶ leaves a wide margin, while a wrong or missing term gives an error of
/// order 1. Inputs are drawn away from ReLU's kink (|x| ≥ 0.05), and no pre-activation lands
/// within h of it at these seeds.
struct GradientCheckTests {
    static let h = 1e-6, tolerance = 1e-6

    /// max |analytic − numeric| / max |numeric| over the entries of one gradient.
    static func error(_ analytic: [Double], _ numeric: [Double]) -> Double {
        let scale = numeric.map(abs).max() ?? 0
        return zip(analytic, numeric).map { abs($0 - $1) }.max()! / max(scale, 1e-12)
    }

    static func input(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed, stream: "gradient-check-input")
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in
            let g = rng.gaussian()
            return g >= 0 ? g + 0.05 : g - 0.05
        })
    }

    /// Check `layer` at an input of `shape`; returns the relative errors of ∂f/∂x and of each parameter.
    static func check(_ layer: any Layer<Double>, input shape: [Int], training: Bool = true) -> [String: Double] {
        let x = input(shape, seed: 1)
        let y = layer.forward(x, training: training)
        var rng = SeededGenerator(seed: 2, stream: "gradient-check-upstream")
        let r = Tensor<Double>(gaussian: y.shape, standardDeviation: 1, using: &rng)
        func f(_ x: Tensor<Double>) -> Double { zip(layer.forward(x, training: training).storage, r.storage).reduce(0) { $0 + $1.0 * $1.1 } }
        for (_, p) in layer.parameters { p.zeroGradient() }
        _ = layer.forward(x, training: training)
        let dx = layer.backward(r)
        let analytic = layer.parameters.map { ($0.name, $0.parameter.gradient.storage) }
        var errors: [String: Double] = [:]
        var numeric = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = x, minus = x
            plus.storage[i] += h
            minus.storage[i] -= h
            numeric[i] = (f(plus) - f(minus)) / (2 * h)
        }
        errors["input"] = error(dx.storage, numeric)
        for (name, gradient) in analytic {
            let p = layer.parameters.first { $0.name == name }!.parameter
            var numeric = [Double](repeating: 0, count: p.value.count)
            for e in 0..<p.value.count {
                let saved = p.value.storage[e]
                p.value.storage[e] = saved + h
                let up = f(x)
                p.value.storage[e] = saved - h
                let down = f(x)
                p.value.storage[e] = saved
                numeric[e] = (up - down) / (2 * h)
            }
            errors[name] = error(gradient, numeric)
        }
        return errors
    }

    static func expectSmall(_ errors: [String: Double], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!errors.isEmpty, sourceLocation: sourceLocation)
        for (name, e) in errors.sorted(by: { $0.key < $1.key }) {
            #expect(e <= tolerance, "\(label) \(name): relative error \(e)", sourceLocation: sourceLocation)
        }
    }

    @Test func linear() {
        var rng = SeededGenerator(seed: 3)
        let errors = Self.check(Linear<Double>(inputs: 7, outputs: 4, using: &rng), input: [5, 7])
        Self.expectSmall(errors, "linear")
        #expect(errors.keys.sorted() == ["bias", "input", "weight"])
    }

    @Test func relu() { Self.expectSmall(Self.check(ReLU<Double>(), input: [3, 2, 4, 4]), "relu") }

    @Test func globalAveragePool() { Self.expectSmall(Self.check(GlobalAveragePool<Double>(), input: [2, 3, 4, 5]), "pool") }

    /// Strides, paddings and kernels, on a 7×6 image and on a 1×2 one (where a kernel column
    /// can lie wholly outside the image).
    @Test(arguments: [(1, 0, 3, 7, 6), (1, 1, 3, 7, 6), (2, 1, 3, 7, 6), (2, 0, 1, 7, 6), (3, 2, 3, 7, 6), (2, 1, 3, 1, 2), (1, 1, 3, 1, 2)])
    func convolution(stride: Int, padding: Int, kernel: Int, height: Int, width: Int) {
        var rng = SeededGenerator(seed: 4)
        Self.expectSmall(Self.check(Conv2d<Double>(inputs: 3, outputs: 4, kernel: kernel, stride: stride, padding: padding, using: &rng),
                                    input: [2, 3, height, width]), "conv s\(stride) p\(padding) k\(kernel) \(height)×\(width)")
    }

    @Test(arguments: [true, false])
    func batchNorm(training: Bool) {
        let layer = BatchNorm2d<Double>(channels: 3)
        // Non-trivial γ, β and running statistics, so every term of the backward pass matters.
        var rng = SeededGenerator(seed: 5)
        layer.scale.value = Tensor(shape: [3], storage: [1.5, -0.7, 0.9])
        layer.shift.value = Tensor(shape: [3], storage: [0.2, 0.1, -0.3])
        layer.setRunning(mean: Tensor(gaussian: [3], standardDeviation: 0.5, using: &rng), variance: Tensor(shape: [3], storage: [0.5, 2, 1.2]))
        Self.expectSmall(Self.check(layer, input: [4, 3, 3, 2], training: training), "batch norm training=\(training)")
    }

    @Test(arguments: [(4, 4, 1), (3, 5, 2)])
    func basicBlock(inputs: Int, outputs: Int, stride: Int) {
        var rng = SeededGenerator(seed: 6)
        let block = ResidualBlock<Double>.basic(inputs: inputs, outputs: outputs, stride: stride, using: &rng)
        let errors = Self.check(block, input: [2, inputs, 6, 6])
        Self.expectSmall(errors, "block \(inputs)→\(outputs) s\(stride)")
        #expect(errors.keys.contains("conv1.weight") && errors.keys.contains("bn2.bias"))
        #expect(errors.keys.contains("downsample.0.weight") == (stride != 1 || inputs != outputs))
    }

    @Test func softmaxCrossEntropy() {
        let logits = Self.input([4, 5], seed: 7), labels = [0, 3, 4, 1]
        let (_, gradient) = SoftmaxCrossEntropy.loss(logits, labels: labels)
        var numeric = [Double](repeating: 0, count: logits.count)
        for i in 0..<logits.count {
            var plus = logits, minus = logits
            plus.storage[i] += Self.h
            minus.storage[i] -= Self.h
            numeric[i] = (SoftmaxCrossEntropy.loss(plus, labels: labels).loss - SoftmaxCrossEntropy.loss(minus, labels: labels).loss) / (2 * Self.h)
        }
        #expect(Self.error(gradient.storage, numeric) <= Self.tolerance)
    }
}

/// Forward passes and the optimiser against independent computations.
struct LayerValueTests {
    /// Conv2d against the definition y[n,o,a,b] = Σ_{c,i,j} W[o,c,i,j]·x[n,c,a·s+i−p,b·s+j−p].
    @Test func convolutionMatchesItsDefinition() {
        var rng = SeededGenerator(seed: 8)
        let conv = Conv2d<Double>(inputs: 2, outputs: 3, kernel: 3, stride: 2, padding: 1, using: &rng)
        let x = GradientCheckTests.input([2, 2, 5, 6], seed: 9)
        let y = conv.forward(x, training: false)
        let (oh, ow) = conv.outputSize(5, 6)
        #expect(y.shape == [2, 3, 3, 3] && oh == 3 && ow == 3)
        let w = conv.weight.value
        for n in 0..<2 { for o in 0..<3 { for a in 0..<oh { for b in 0..<ow {
            var sum = 0.0
            for c in 0..<2 { for i in 0..<3 { for j in 0..<3 {
                let (r, q) = (a * 2 + i - 1, b * 2 + j - 1)
                if r >= 0 && r < 5 && q >= 0 && q < 6 { sum += w.storage[((o * 2 + c) * 3 + i) * 3 + j] * x.storage[((n * 2 + c) * 5 + r) * 6 + q] }
            } } }
            #expect(abs(y.storage[((n * 3 + o) * 3 + a) * 3 + b] - sum) <= 1e-12)
        } } } }
    }

    /// Two SGD steps by hand: θ = 1, g = 0.5, λ = 0.1, μ = 0.9, η = 0.1:
    /// v₁ = 0.5 + 0.1 = 0.6, θ₁ = 0.94; v₂ = 0.9·0.6 + (0.5 + 0.094) = 1.134, θ₂ = 0.8266.
    @Test func sgdStepsByHand() {
        let p = Parameter(Tensor<Double>(shape: [1], storage: [1]), decays: true)
        let sgd = SGD([p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        p.gradient.storage[0] = 0.5
        sgd.step()
        #expect(abs(p.value.storage[0] - 0.94) <= 1e-15 && p.gradient.storage[0] == 0)
        p.gradient.storage[0] = 0.5
        sgd.step()
        #expect(abs(p.value.storage[0] - 0.8266) <= 1e-15)
    }

    /// Batch normalisation in training mode: each channel's output has mean β and variance γ²
    /// (up to ε), and the running statistics move 10 % of the way to the batch's.
    @Test func batchNormNormalises() {
        let layer = BatchNorm2d<Double>(channels: 2)
        let x = GradientCheckTests.input([8, 2, 3, 3], seed: 10)
        let y = layer.forward(x, training: true)
        for ch in 0..<2 {
            let values = (0..<8).flatMap { n in (0..<9).map { y.storage[(n * 2 + ch) * 9 + $0] } }
            let mean = values.reduce(0, +) / 72, variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 72
            #expect(abs(mean) <= 1e-12 && abs(variance - 1) <= 1e-4)
            let raw = (0..<8).flatMap { n in (0..<9).map { x.storage[(n * 2 + ch) * 9 + $0] } }
            let rawMean = raw.reduce(0, +) / 72
            #expect(abs(layer.runningMean.storage[ch] - 0.1 * rawMean) <= 1e-12)
        }
    }
}

/// The bottleneck block and a whole small ResNet against finite differences.
struct NetworkGradientTests {
    @Test func bottleneckBlock() {
        var rng = SeededGenerator(seed: 13)
        let errors = GradientCheckTests.check(ResidualBlock<Double>.bottleneck(inputs: 4, width: 2, stride: 2, using: &rng), input: [2, 4, 5, 5])
        GradientCheckTests.expectSmall(errors, "bottleneck")
        #expect(errors.keys.contains("conv3.weight") && errors.keys.contains("downsample.1.weight"))
    }

    /// Every parameter of a two-stage ResNet, named as the description says.
    @Test func smallResNet() {
        var rng = SeededGenerator(seed: 14)
        let description = ResNetDescription(block: .basic, stem: 3, stages: [.init(blocks: 1, width: 3, stride: 1), .init(blocks: 1, width: 4, stride: 2)])
        let network: Sequential<Double> = description.network(channels: 1, classes: 3, using: &rng)
        let errors = GradientCheckTests.check(network, input: [2, 1, 6, 6])
        GradientCheckTests.expectSmall(errors, "resnet")
        #expect(errors.keys.contains("stage2.block0.downsample.0.weight") && errors.keys.contains("fc.bias") && errors.keys.contains("stem.conv.weight"))
    }
}

/// The transformer layers against finite differences (as `GradientCheckTests`).
struct TransformerGradientTests {
    @Test func layerNorm() {
        let layer = LayerNorm<Double>(width: 6)
        layer.scale.value = Tensor(shape: [6], storage: [1.2, -0.5, 0.8, 1, 0.3, 2])
        layer.shift.value = Tensor(shape: [6], storage: [0.1, 0, -0.2, 0.3, 0, 0.5])
        GradientCheckTests.expectSmall(GradientCheckTests.check(layer, input: [2, 3, 6]), "layer norm")
    }

    @Test func gelu() { GradientCheckTests.expectSmall(GradientCheckTests.check(GELU<Double>(), input: [3, 4, 5]), "gelu") }

    @Test func selfAttention() {
        var rng = SeededGenerator(seed: 15)
        let errors = GradientCheckTests.check(SelfAttention<Double>(width: 8, heads: 2, using: &rng), input: [2, 5, 8])
        GradientCheckTests.expectSmall(errors, "attention")
        #expect(errors.keys.sorted() == ["input", "proj.bias", "proj.weight", "qkv.bias", "qkv.weight"])
    }

    @Test func encoderBlock() {
        var rng = SeededGenerator(seed: 16)
        GradientCheckTests.expectSmall(GradientCheckTests.check(EncoderBlock<Double>(width: 8, heads: 2, mlpRatio: 2, using: &rng), input: [2, 4, 8]), "encoder block")
    }

    /// A whole two-block ViT on 6 × 6 images with 3 × 3 patches, every parameter named as timm names it.
    @Test func smallViT() {
        var rng = SeededGenerator(seed: 17)
        let network: Sequential<Double> = ViTDescription(patch: 3, width: 8, heads: 2, depth: 2, mlpRatio: 2).network(channels: 1, side: 6, classes: 3, using: &rng)
        let errors = GradientCheckTests.check(network, input: [2, 1, 6, 6])
        GradientCheckTests.expectSmall(errors, "vit")
        for name in ["patch_embed.proj.weight", "cls_token", "pos_embed", "blocks.1.attn.qkv.weight", "blocks.0.mlp.fc2.bias", "norm.weight", "head.weight"] {
            #expect(errors.keys.contains(name), "\(name)")
        }
    }
}

/// AdamW's two first steps against the update rule computed separately (in Python, from the
/// formulas of `AdamW`'s documentation): θ = 1, g = 0.5 at both steps, η = 0.1, λ = 0.1.
struct AdamWTests {
    @Test func twoStepsByHand() {
        let p = Parameter(Tensor<Double>(shape: [1], storage: [1]), decays: true)
        let adamw = AdamW([p], learningRate: 0.1, weightDecay: 0.1)
        p.gradient.storage[0] = 0.5
        adamw.step()
        #expect(abs(p.value.storage[0] - 0.890000002) <= 1e-12)
        p.gradient.storage[0] = 0.5
        adamw.step()
        #expect(abs(p.value.storage[0] - 0.78110000398) <= 1e-10)
    }
}
