import Foundation
import NumericsCore

/// Softmax cross-entropy of logits [N, K] against class labels, averaged over the batch:
/// L = −(1/N) Σ_i log softmax(z_i)[y_i], computed with the log-sum-exp shift; ∂L/∂z =
/// (softmax(z) − onehot(y))/N.
public enum SoftmaxCrossEntropy {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func loss<Scalar: DeepScalar>(_ logits: Tensor<Scalar>, labels: [Int]) -> (loss: Scalar, gradient: Tensor<Scalar>) {
        let n = labels.count, k = logits.count / max(1, n)
        var gradient = Tensor<Scalar>(zeros: logits.shape)
        var total: Scalar = 0
        for i in 0..<n {
            let row = logits.storage[(i * k)..<((i + 1) * k)]
            let shift = row.max() ?? 0
            let sum = row.reduce(0) { $0 + Scalar.exp($1 - shift) }
            total += Scalar.log(sum) + shift - row[row.startIndex + labels[i]]
            for j in 0..<k {
                let p = Scalar.exp(row[row.startIndex + j] - shift) / sum
                gradient.storage[i * k + j] = (p - (j == labels[i] ? 1 : 0)) / Scalar(n)
            }
        }
        return (total / Scalar(n), gradient)
    }

    /// Indices of the largest logit per row.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func predictions<Scalar: DeepScalar>(_ logits: Tensor<Scalar>) -> [Int] {
        let k = logits.shape.last ?? 1
        return (0..<(logits.count / k)).map { i in
            let row = logits.storage[(i * k)..<((i + 1) * k)]
            return row.indices.max { row[$0] < row[$1] }! - i * k
        }
    }
}

/// Stochastic gradient descent with momentum and weight decay, as PyTorch's `optim.SGD`:
/// g ← ∇θ + λθ (λ only for decaying parameters), v ← μv + g, θ ← θ − η v; frozen entries
/// (``Parameter/freeze(rows:)``) never change.
public final class SGD<Scalar: DeepScalar> {
    public var learningRate: Scalar
    package let momentum: Scalar
    package let weightDecay: Scalar
    let parameters: [Parameter<Scalar>]
    private var velocity: [[Scalar]]

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar, momentum: Scalar = 0.9, weightDecay: Scalar = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = parameters.map { [Scalar](repeating: 0, count: $0.value.count) }
    }

    /// One update from the accumulated gradients, which are then zeroed.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step() {
        let (mu, rate) = (momentum, learningRate)
        for (k, p) in parameters.enumerated() {
            let decay = p.decays ? weightDecay : 0, frozen = p.frozen
            p.value.storage.withUnsafeMutableBufferPointer { theta in p.gradient.storage.withUnsafeBufferPointer { g in
                velocity[k].withUnsafeMutableBufferPointer { v in
                    for e in 0..<theta.count where frozen?[e] != true {
                        v[e] = mu * v[e] + g[e] + decay * theta[e]
                        theta[e] -= rate * v[e]
                    }
                }
            } }
            p.zeroGradient()
        }
    }
}

/// AdamW (Loshchilov and Hutter), as PyTorch's `optim.AdamW`: m ← β₁m + (1 − β₁)g,
/// v ← β₂v + (1 − β₂)g², θ ← θ − η(λθ + m̂/(√v̂ + ε)) with bias-corrected m̂, v̂ and the
/// decoupled decay λ only on decaying parameters; frozen entries never change.
public final class AdamW<Scalar: DeepScalar> {
    public var learningRate: Scalar
    package let weightDecay: Scalar
    package let beta1: Scalar = 0.9, beta2: Scalar = 0.999, epsilon: Scalar = 1e-8
    let parameters: [Parameter<Scalar>]
    private var first: [[Scalar]], second: [[Scalar]]
    private var steps = 0

    public init(_ parameters: [Parameter<Scalar>], learningRate: Scalar, weightDecay: Scalar = 0.05) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        first = parameters.map { [Scalar](repeating: 0, count: $0.value.count) }
        second = first
    }

    /// One update from the accumulated gradients, which are then zeroed.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step() {
        steps += 1
        let correction1 = 1 - Scalar(Foundation.pow(Double(beta1), Double(steps))), correction2 = 1 - Scalar(Foundation.pow(Double(beta2), Double(steps)))
        let (b1, b2, eps, rate) = (beta1, beta2, epsilon, learningRate)
        for (k, p) in parameters.enumerated() {
            let decay = p.decays ? weightDecay : 0, frozen = p.frozen
            p.value.storage.withUnsafeMutableBufferPointer { theta in p.gradient.storage.withUnsafeBufferPointer { g in
                first[k].withUnsafeMutableBufferPointer { m in second[k].withUnsafeMutableBufferPointer { v in
                    for e in 0..<theta.count where frozen?[e] != true {
                        m[e] = b1 * m[e] + (1 - b1) * g[e]
                        v[e] = b2 * v[e] + (1 - b2) * g[e] * g[e]
                        let update = (m[e] / correction1) / ((v[e] / correction2).squareRoot() + eps)
                        theta[e] -= rate * (decay * theta[e] + update)
                    }
                } }
            } }
            p.zeroGradient()
        }
    }
}
