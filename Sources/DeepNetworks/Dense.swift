import NumericsCore

/// y = x Wᵀ + b over the last axis: x of shape [..., in] (rows [N, in], or tokens [N, T, in]),
/// W [out, in], b [out]; initialised as PyTorch's `nn.Linear` (W, b uniform in ±1/√in).
public final class Linear<Scalar: DeepScalar>: Layer {
    public let weight: Parameter<Scalar>
    package let bias: Parameter<Scalar>
    private var input: Tensor<Scalar>?

    public init(inputs: Int, outputs: Int, using rng: inout SeededGenerator) {
        let bound = 1 / Double(inputs).squareRoot()
        weight = Parameter(Tensor(shape: [outputs, inputs], storage: (0..<(outputs * inputs)).map { _ in Scalar((2 * rng.uniform() - 1) * bound) }), decays: true)
        bias = Parameter(Tensor(shape: [outputs], storage: (0..<outputs).map { _ in Scalar((2 * rng.uniform() - 1) * bound) }), decays: false)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] { [("weight", weight), ("bias", bias)] }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let n = x.count / weight.value.shape[1], inputs = weight.value.shape[1], outputs = weight.value.shape[0]
        input = x
        var y = Tensor<Scalar>(zeros: Array(x.shape.dropLast()) + [outputs])
        let b = bias.value.storage
        y.storage.withUnsafeMutableBufferPointer { yp in
            for i in 0..<n { (yp.baseAddress! + i * outputs).update(from: b, count: outputs) }
        }
        x.storage.withUnsafeBufferPointer { xp in
            weight.value.storage.withUnsafeBufferPointer { wp in
                y.storage.withUnsafeMutableBufferPointer { yp in
                    Scalar.gemm(xp.baseAddress!, transA: false, wp.baseAddress!, transB: true, yp.baseAddress!, m: n, n: outputs, k: inputs, alpha: 1, beta: 1)
                }
            }
        }
        return y
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let x = input else { preconditionFailure("backward before forward") }
        let inputs = weight.value.shape[1], outputs = weight.value.shape[0], n = dy.count / outputs
        var db = [Scalar](repeating: 0, count: outputs)
        dy.storage.withUnsafeBufferPointer { dp in
            for i in 0..<n { let row = dp.baseAddress! + i * outputs; for o in 0..<outputs { db[o] += row[o] } }
        }
        for o in 0..<outputs { bias.gradient.storage[o] += db[o] }
        var dx = Tensor<Scalar>(zeros: x.shape)
        dy.storage.withUnsafeBufferPointer { dp in
            x.storage.withUnsafeBufferPointer { xp in
                weight.gradient.storage.withUnsafeMutableBufferPointer { gp in
                    Scalar.gemm(dp.baseAddress!, transA: true, xp.baseAddress!, transB: false, gp.baseAddress!, m: outputs, n: inputs, k: n, alpha: 1, beta: 1)
                }
            }
            weight.value.storage.withUnsafeBufferPointer { wp in
                dx.storage.withUnsafeMutableBufferPointer { xp in
                    Scalar.gemm(dp.baseAddress!, transA: false, wp.baseAddress!, transB: false, xp.baseAddress!, m: n, n: inputs, k: outputs, alpha: 1, beta: 0)
                }
            }
        }
        return dx
    }
}

/// max(0, x), element-wise.
public final class ReLU<Scalar: DeepScalar>: Layer {
    private var input: Tensor<Scalar>?
    public init() {}

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        input = x
        return Tensor(shape: x.shape, storage: x.storage.map { max($0, 0) })
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let x = input else { preconditionFailure("backward before forward") }
        return Tensor(shape: dy.shape, storage: zip(dy.storage, x.storage).map { $1 > 0 ? $0 : 0 })
    }
}

/// [N, C, H, W] → [N, C]: the mean over each channel's H·W positions.
public final class GlobalAveragePool<Scalar: DeepScalar>: Layer {
    private var shape: [Int] = []
    public init() {}

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        shape = x.shape
        let nc = x.shape[0] * x.shape[1], area = x.shape[2] * x.shape[3]
        return Tensor(shape: [x.shape[0], x.shape[1]], storage: (0..<nc).map { k in
            x.storage[(k * area)..<((k + 1) * area)].reduce(0, +) / Scalar(area)
        })
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let area = shape[2] * shape[3]
        var dx = Tensor<Scalar>(zeros: shape)
        for k in 0..<dy.count { for p in 0..<area { dx.storage[k * area + p] = dy.storage[k] / Scalar(area) } }
        return dx
    }
}

/// Layers applied in order; parameter names are the children's, prefixed by their own names.
public final class Sequential<Scalar: DeepScalar>: Layer {
    public let layers: [(name: String, layer: any Layer<Scalar>)]

    public init(_ layers: [(name: String, layer: any Layer<Scalar>)]) { self.layers = layers }

    /// A child's name prefixed by its own; a child named "" adds no prefix.
    static func path(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        layers.reduce(x) { $1.layer.forward($0, training: training) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        layers.reversed().reduce(dy) { $1.layer.backward($0) }
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] {
        layers.flatMap { child in child.layer.parameters.map { (Self.path(child.name, $0.name), $0.parameter) } }
    }

    public var buffers: [(name: String, parameter: Parameter<Scalar>)] {
        layers.flatMap { child in child.layer.buffers.map { (Self.path(child.name, $0.name), $0.parameter) } }
    }
}
