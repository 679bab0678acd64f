import NumericsCore

/// A residual block: ReLU(main(x) + shortcut(x)), the shortcut being the input itself or a
/// projection (conv1×1(stride) → BN) when the shape changes. Names as torchvision: the main
/// path's layers (`conv1`, `bn1`, …) and `downsample.0`, `downsample.1`.
public final class ResidualBlock<Scalar: DeepScalar>: Layer {
    let main: Sequential<Scalar>
    let shortcut: Sequential<Scalar>?
    let output = ReLU<Scalar>()

    init(main: Sequential<Scalar>, inputs: Int, outputs: Int, stride: Int, using rng: inout SeededGenerator) {
        self.main = main
        shortcut = stride == 1 && inputs == outputs ? nil : Sequential([
            ("0", Conv2d(inputs: inputs, outputs: outputs, kernel: 1, stride: stride, padding: 0, using: &rng)),
            ("1", BatchNorm2d(channels: outputs)),
        ])
    }

    /// The basic block (He et al., ResNet-18/34): conv3×3(stride) → BN → ReLU → conv3×3 → BN.
    public static func basic(inputs: Int, outputs: Int, stride: Int, using rng: inout SeededGenerator) -> ResidualBlock {
        let main = Sequential<Scalar>([
            ("conv1", Conv2d(inputs: inputs, outputs: outputs, kernel: 3, stride: stride, padding: 1, using: &rng)),
            ("bn1", BatchNorm2d(channels: outputs)),
            ("relu", ReLU()),
            ("conv2", Conv2d(inputs: outputs, outputs: outputs, kernel: 3, stride: 1, padding: 1, using: &rng)),
            ("bn2", BatchNorm2d(channels: outputs)),
        ])
        return ResidualBlock(main: main, inputs: inputs, outputs: outputs, stride: stride, using: &rng)
    }

    /// Output channels of a bottleneck block per unit of its inner width.
    public static var expansion: Int { 4 }

    /// The bottleneck block (ResNet-50/101): conv1×1 → BN → ReLU → conv3×3(stride) → BN → ReLU →
    /// conv1×1 to 4·width → BN.
    package static func bottleneck(inputs: Int, width: Int, stride: Int, using rng: inout SeededGenerator) -> ResidualBlock {
        let outputs = width * expansion
        let main = Sequential<Scalar>([
            ("conv1", Conv2d(inputs: inputs, outputs: width, kernel: 1, using: &rng)),
            ("bn1", BatchNorm2d(channels: width)),
            ("relu1", ReLU()),
            ("conv2", Conv2d(inputs: width, outputs: width, kernel: 3, stride: stride, padding: 1, using: &rng)),
            ("bn2", BatchNorm2d(channels: width)),
            ("relu2", ReLU()),
            ("conv3", Conv2d(inputs: width, outputs: outputs, kernel: 1, using: &rng)),
            ("bn3", BatchNorm2d(channels: outputs)),
        ])
        return ResidualBlock(main: main, inputs: inputs, outputs: outputs, stride: stride, using: &rng)
    }

    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        output.forward(main.forward(x, training: training) + (shortcut?.forward(x, training: training) ?? x), training: training)
    }

    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let d = output.backward(dy)
        return main.backward(d) + (shortcut?.backward(d) ?? d)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] {
        main.parameters + (shortcut?.parameters.map { ("downsample." + $0.name, $0.parameter) } ?? [])
    }

    public var buffers: [(name: String, parameter: Parameter<Scalar>)] {
        main.buffers + (shortcut?.buffers.map { ("downsample." + $0.name, $0.parameter) } ?? [])
    }
}
