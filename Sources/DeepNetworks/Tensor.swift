import Foundation
import NumericsCore

/// The floating-point types a deep network computes in: `Float` for training (sgemm), `Double`
/// for the finite-difference checks of every backward pass (dgemm). Layers are generic over it.
public protocol DeepScalar: BinaryFloatingPoint, Sendable, Codable where Self.RawSignificand: FixedWidthInteger {
    /// C ← α·op(A)·op(B) + β·C, row-major and contiguous (OpenBLAS).
    static func gemm(_ a: UnsafePointer<Self>, transA: Bool, _ b: UnsafePointer<Self>, transB: Bool,
                     _ c: UnsafeMutablePointer<Self>, m: Int, n: Int, k: Int, alpha: Self, beta: Self)
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
}

extension Float: DeepScalar {
    public static func gemm(_ a: UnsafePointer<Float>, transA: Bool, _ b: UnsafePointer<Float>, transB: Bool,
                            _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float) {
        BLAS.gemm(a, transA: transA, b, transB: transB, c, m: m, n: n, k: k, alpha: alpha, beta: beta)
    }
    public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    public static func log(_ x: Float) -> Float { Foundation.log(x) }
    public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: DeepScalar {
    public static func gemm(_ a: UnsafePointer<Double>, transA: Bool, _ b: UnsafePointer<Double>, transB: Bool,
                            _ c: UnsafeMutablePointer<Double>, m: Int, n: Int, k: Int, alpha: Double, beta: Double) {
        BLAS.gemm(a, transA: transA, b, transB: transB, c, m: m, n: n, k: k, alpha: alpha, beta: beta)
    }
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
}

/// A dense array of scalars in one contiguous, row-major buffer, with its shape (NCHW for
/// images: batch, channels, height, width).
public struct Tensor<Scalar: DeepScalar>: Sendable, Equatable {
    public var shape: [Int]
    public var storage: [Scalar]

    public init(shape: [Int], storage: [Scalar]) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not hold \(storage.count) values")
        self.shape = shape
        self.storage = storage
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: [Scalar](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Entries N(0, σ²) from `rng` (drawn in Double, rounded to the scalar type).
    public init(gaussian shape: [Int], standardDeviation sigma: Double, using rng: inout SeededGenerator) {
        self.init(shape: shape, storage: rng.gaussians(count: shape.reduce(1, *), standardDeviation: sigma).map { Scalar($0) })
    }

    public var count: Int { storage.count }

    /// The same values under another shape with as many entries.
    package func reshaped(_ shape: [Int]) -> Tensor { Tensor(shape: shape, storage: storage) }

    /// The values converted to another scalar type.
    public func converted<Other: DeepScalar>(to: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(shape: shape, storage: storage.map { Other($0) })
    }

    /// Element-wise sum (same shapes).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        precondition(a.shape == b.shape)
        return Tensor(shape: a.shape, storage: zip(a.storage, b.storage).map { $0 + $1 })
    }
}

/// A trainable parameter: its value and the gradient accumulated by backward passes. A class,
/// because a layer, its container and the optimiser all update the same parameter.
public final class Parameter<Scalar: DeepScalar> {
    public var value: Tensor<Scalar>
    public var gradient: Tensor<Scalar>
    /// Whether weight decay applies (weights yes; biases and normalisation scales no).
    package let decays: Bool

    public init(_ value: Tensor<Scalar>, decays: Bool) {
        self.value = value
        gradient = Tensor(zeros: value.shape)
        self.decays = decays
    }

    /// Entries the optimisers leave unchanged (the rows a frozen transfer inherited), if any.
    public private(set) var frozen: [Bool]?

    /// Keep the given rows (slices along the first axis) fixed from now on.
    public func freeze(rows: [Int]) {
        let size = value.count / max(1, value.shape.first ?? 1)
        var mask = frozen ?? [Bool](repeating: false, count: value.count)
        for r in rows { for e in (r * size)..<((r + 1) * size) { mask[e] = true } }
        frozen = mask
    }

    package func zeroGradient() { gradient.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
}

/// A layer with a hand-written backward pass: `forward` keeps what `backward` needs, and
/// `backward` takes ∂L/∂output, adds ∂L/∂θ to each parameter's gradient and returns ∂L/∂input.
/// Layers are classes: they hold that cache and share their parameters with the optimiser.
public protocol Layer<Scalar>: AnyObject {
    associatedtype Scalar: DeepScalar
    func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar>
    func backward(_ gradient: Tensor<Scalar>) -> Tensor<Scalar>
    /// The layer's parameters by name (`weight`, `bias`; containers prefix their children's
    /// names: `stage1.block0.conv1.weight`).
    var parameters: [(name: String, parameter: Parameter<Scalar>)] { get }
    /// Values that are not trained but belong to the model (batch normalisation's running
    /// statistics), by name, for checkpoints: held as parameters whose gradient is unused.
    var buffers: [(name: String, parameter: Parameter<Scalar>)] { get }
}

extension Layer {
    public var parameters: [(name: String, parameter: Parameter<Scalar>)] { [] }
    public var buffers: [(name: String, parameter: Parameter<Scalar>)] { [] }
}
