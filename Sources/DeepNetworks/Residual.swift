import NumericsCore

/// A residual basic block (He et al., ResNet-18/34): conv3×3(stride) → BN → ReLU → conv3×3 →
/// BN, plus the shortcut — the input itself, or conv1×1(stride) → BN when the shape changes —
/// then ReLU. Parameter names follow torchvision: `conv1`, `bn1`, `conv2`, `bn2`,
/// `downsample.0`, `downsample.1`.
public final class BasicBlock<Scalar: DeepScalar>: Layer {
    let main: Sequential<Scalar>
    let shortcut: Sequential<Scalar>?
    let output = ReLU<Scalar>()

    public init(inputs: Int, outputs: Int, stride: Int, using rng: inout SeededGenerator) {
        main = Sequential([
            ("conv1", Conv2d(inputs: inputs, outputs: outputs, kernel: 3, stride: stride, padding: 1, using: &rng)),
            ("bn1", BatchNorm2d(channels: outputs)),
            ("relu", ReLU()),
            ("conv2", Conv2d(inputs: outputs, outputs: outputs, kernel: 3, stride: 1, padding: 1, using: &rng)),
            ("bn2", BatchNorm2d(channels: outputs)),
        ])
        shortcut = stride == 1 && inputs == outputs ? nil : Sequential([
            ("0", Conv2d(inputs: inputs, outputs: outputs, kernel: 1, stride: stride, padding: 0, using: &rng)),
            ("1", BatchNorm2d(channels: outputs)),
        ])
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let residual = main.forward(x, training: training)
        return output.forward(residual + (shortcut?.forward(x, training: training) ?? x), training: training)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let d = output.backward(dy)
        return main.backward(d) + (shortcut?.backward(d) ?? d)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] {
        main.parameters + (shortcut?.parameters.map { ("downsample." + $0.name, $0.parameter) } ?? [])
    }

    public var buffers: [(name: String, value: Tensor<Scalar>)] {
        main.buffers + (shortcut?.buffers.map { ("downsample." + $0.name, $0.value) } ?? [])
    }
}

/// A residual bottleneck block (ResNet-50/101): conv1×1 → BN → ReLU → conv3×3(stride) → BN →
/// ReLU → conv1×1 to 4·width → BN, plus the shortcut (the input, or conv1×1(stride) → BN when
/// the shape changes), then ReLU. Names as torchvision: `conv1`…`conv3`, `bn1`…`bn3`, `downsample`.
public final class BottleneckBlock<Scalar: DeepScalar>: Layer {
    public static var expansion: Int { 4 }
    let main: Sequential<Scalar>
    let shortcut: Sequential<Scalar>?
    let output = ReLU<Scalar>()

    public init(inputs: Int, width: Int, stride: Int, using rng: inout SeededGenerator) {
        let outputs = width * Self.expansion
        main = Sequential([
            ("conv1", Conv2d(inputs: inputs, outputs: width, kernel: 1, using: &rng)),
            ("bn1", BatchNorm2d(channels: width)),
            ("relu1", ReLU()),
            ("conv2", Conv2d(inputs: width, outputs: width, kernel: 3, stride: stride, padding: 1, using: &rng)),
            ("bn2", BatchNorm2d(channels: width)),
            ("relu2", ReLU()),
            ("conv3", Conv2d(inputs: width, outputs: outputs, kernel: 1, using: &rng)),
            ("bn3", BatchNorm2d(channels: outputs)),
        ])
        shortcut = stride == 1 && inputs == outputs ? nil : Sequential([
            ("0", Conv2d(inputs: inputs, outputs: outputs, kernel: 1, stride: stride, padding: 0, using: &rng)),
            ("1", BatchNorm2d(channels: outputs)),
        ])
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        output.forward(main.forward(x, training: training) + (shortcut?.forward(x, training: training) ?? x), training: training)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let d = output.backward(dy)
        return main.backward(d) + (shortcut?.backward(d) ?? d)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] {
        main.parameters + (shortcut?.parameters.map { ("downsample." + $0.name, $0.parameter) } ?? [])
    }

    public var buffers: [(name: String, value: Tensor<Scalar>)] {
        main.buffers + (shortcut?.buffers.map { ("downsample." + $0.name, $0.value) } ?? [])
    }
}
