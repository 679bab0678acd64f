import NumericsCore

/// Layer normalisation over the last axis (`nn.LayerNorm(D, eps=1e-6)`, as DeiT):
/// y = γ·(x − μ)/√(σ² + ε) + β per row, μ and σ² the row's mean and biased variance.
public final class LayerNorm<Scalar: DeepScalar>: Layer {
    public let scale: Parameter<Scalar>
    public let shift: Parameter<Scalar>
    public let epsilon: Scalar = 1e-6
    private var normalised: [Scalar] = []
    private var inverseDeviation: [Scalar] = []

    public init(width: Int) {
        scale = Parameter(Tensor(shape: [width], storage: [Scalar](repeating: 1, count: width)), decays: false)
        shift = Parameter(Tensor(zeros: [width]), decays: false)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] { [("weight", scale), ("bias", shift)] }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let d = scale.value.count, rows = x.count / d
        let gamma = scale.value.storage, beta = shift.value.storage
        var y = Tensor<Scalar>(zeros: x.shape)
        var normalised = [Scalar](repeating: 0, count: x.count), inverseDeviation = [Scalar](repeating: 0, count: rows)
        x.storage.withUnsafeBufferPointer { xp in y.storage.withUnsafeMutableBufferPointer { yp in normalised.withUnsafeMutableBufferPointer { hp in
            for r in 0..<rows {
                let row = xp.baseAddress! + r * d, out = yp.baseAddress! + r * d, h = hp.baseAddress! + r * d
                var mean: Scalar = 0, variance: Scalar = 0
                for e in 0..<d { mean += row[e] }
                mean /= Scalar(d)
                for e in 0..<d { let v = row[e] - mean; variance += v * v }
                variance /= Scalar(d)
                let inverse = 1 / (variance + epsilon).squareRoot()
                inverseDeviation[r] = inverse
                for e in 0..<d {
                    h[e] = (row[e] - mean) * inverse
                    out[e] = gamma[e] * h[e] + beta[e]
                }
            }
        } } }
        self.normalised = normalised
        self.inverseDeviation = inverseDeviation
        return y
    }

    /// ∂L/∂x = (1/σ̂)·(g − mean(g) − x̂·mean(g·x̂)) per row, g = γ ⊙ dy.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let d = scale.value.count, rows = dy.count / d
        let gamma = scale.value.storage
        var dgamma = [Scalar](repeating: 0, count: d), dbeta = dgamma
        var dx = Tensor<Scalar>(zeros: dy.shape)
        dy.storage.withUnsafeBufferPointer { dp in normalised.withUnsafeBufferPointer { hp in dx.storage.withUnsafeMutableBufferPointer { xp in
            for r in 0..<rows {
                let g0 = dp.baseAddress! + r * d, h = hp.baseAddress! + r * d, out = xp.baseAddress! + r * d
                var sum: Scalar = 0, dotted: Scalar = 0
                for e in 0..<d {
                    let g = g0[e] * gamma[e]
                    dgamma[e] += g0[e] * h[e]
                    dbeta[e] += g0[e]
                    sum += g
                    dotted += g * h[e]
                }
                let inverse = inverseDeviation[r], meanG = sum / Scalar(d), meanGH = dotted / Scalar(d)
                for e in 0..<d { out[e] = inverse * (g0[e] * gamma[e] - meanG - h[e] * meanGH) }
            }
        } } }
        for e in 0..<d { scale.gradient.storage[e] += dgamma[e]; shift.gradient.storage[e] += dbeta[e] }
        return dx
    }
}

/// GELU, exact: x·Φ(x) = ½x(1 + erf(x/√2)); its derivative is Φ(x) + x·φ(x). Written out as
/// ReLU is rather than through one element-wise layer holding the function as a closure: the
/// closure calls cost about a fifth of the ResNets' training throughput (`ptv bench`).
public final class GELU<Scalar: DeepScalar>: Layer {
    private var input: Tensor<Scalar>?
    public init() {}

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        input = x
        return Tensor(shape: x.shape, storage: x.storage.map { $0 * (1 + Scalar.erf($0 / Scalar(2).squareRoot())) / 2 })
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let x = input else { preconditionFailure("backward before forward") }
        let root2 = Scalar(2).squareRoot(), root2pi = (2 * Scalar.pi).squareRoot()
        return Tensor(shape: dy.shape, storage: zip(dy.storage, x.storage).map { g, v in
            g * ((1 + Scalar.erf(v / root2)) / 2 + v * Scalar.exp(-v * v / 2) / root2pi)
        })
    }
}

/// Multi-head self-attention on tokens x [N, T, D] (timm's `Attention`): qkv = x W_qkvᵀ + b,
/// per head h of width D/H, A = softmax(Q Kᵀ/√(D/H)) row-wise, O = A V, heads concatenated,
/// then `proj`. Names `qkv.weight`, `qkv.bias`, `proj.weight`, `proj.bias`.
public final class SelfAttention<Scalar: DeepScalar>: Layer {
    public let heads: Int
    let qkv: Linear<Scalar>
    let proj: Linear<Scalar>
    private var cache: (q: [Scalar], k: [Scalar], v: [Scalar], attention: [Scalar], shape: [Int])?

    public init(width: Int, heads: Int, using rng: inout SeededGenerator) {
        precondition(width % heads == 0, "width must be a multiple of heads")
        self.heads = heads
        qkv = Linear(inputs: width, outputs: 3 * width, using: &rng)
        proj = Linear(inputs: width, outputs: width, using: &rng)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] {
        qkv.parameters.map { ("qkv." + $0.name, $0.parameter) } + proj.parameters.map { ("proj." + $0.name, $0.parameter) }
    }

    /// Per (sample, head), the T × dh block of q, k or v copied out of the T × 3D rows.
    @inline(__always)
    static func split(_ rows: Tensor<Scalar>, n: Int, t: Int, d: Int, heads: Int) -> ([Scalar], [Scalar], [Scalar]) {
        let dh = d / heads
        var q = [Scalar](repeating: 0, count: n * t * d), k = q, v = q
        for s in 0..<n { for h in 0..<heads { for i in 0..<t { for e in 0..<dh {
            let source = (s * t + i) * 3 * d + h * dh + e, target = ((s * heads + h) * t + i) * dh + e
            q[target] = rows.storage[source]
            k[target] = rows.storage[source + d]
            v[target] = rows.storage[source + 2 * d]
        } } } }
        return (q, k, v)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2]), dh = d / heads
        let (q, k, v) = Self.split(qkv.forward(x, training: training), n: n, t: t, d: d, heads: heads)
        var attention = [Scalar](repeating: 0, count: n * heads * t * t)
        var output = Tensor<Scalar>(zeros: [n, t, d])
        let scale = 1 / Scalar(dh).squareRoot()
        var block = [Scalar](repeating: 0, count: t * dh)
        for b in 0..<(n * heads) {
            let s = b / heads, h = b % heads
            q.withUnsafeBufferPointer { qp in k.withUnsafeBufferPointer { kp in attention.withUnsafeMutableBufferPointer { ap in
                Scalar.gemm(qp.baseAddress! + b * t * dh, transA: false, kp.baseAddress! + b * t * dh, transB: true,
                            ap.baseAddress! + b * t * t, m: t, n: t, k: dh, alpha: scale, beta: 0)
            } } }
            for i in 0..<t {
                let row = b * t * t + i * t
                var top = attention[row]
                for j in 1..<t { top = max(top, attention[row + j]) }
                var sum: Scalar = 0
                for j in 0..<t { let e = Scalar.exp(attention[row + j] - top); attention[row + j] = e; sum += e }
                for j in 0..<t { attention[row + j] /= sum }
            }
            attention.withUnsafeBufferPointer { ap in v.withUnsafeBufferPointer { vp in block.withUnsafeMutableBufferPointer { op in
                Scalar.gemm(ap.baseAddress! + b * t * t, transA: false, vp.baseAddress! + b * t * dh, transB: false,
                            op.baseAddress!, m: t, n: dh, k: t, alpha: 1, beta: 0)
            } } }
            for i in 0..<t { for e in 0..<dh { output.storage[(s * t + i) * d + h * dh + e] = block[i * dh + e] } }
        }
        cache = (q, k, v, attention, x.shape)
        return proj.forward(output, training: training)
    }

    /// dA = dO Vᵀ, dV = Aᵀ dO, dS = A ⊙ (dA − rowsum(dA ⊙ A)), dQ = dS K/√dh, dK = dSᵀ Q/√dh.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let (q, k, v, attention, shape) = cache else { preconditionFailure("backward before forward") }
        let (n, t, d) = (shape[0], shape[1], shape[2]), dh = d / heads
        let doutput = proj.backward(dy)
        var dqkv = Tensor<Scalar>(zeros: [n, t, 3 * d])
        let scale = 1 / Scalar(dh).squareRoot()
        var dO = [Scalar](repeating: 0, count: t * dh), dA = [Scalar](repeating: 0, count: t * t)
        var dQ = dO, dK = dO, dV = dO
        for b in 0..<(n * heads) {
            let s = b / heads, h = b % heads
            for i in 0..<t { for e in 0..<dh { dO[i * dh + e] = doutput.storage[(s * t + i) * d + h * dh + e] } }
            dO.withUnsafeBufferPointer { op in
                v.withUnsafeBufferPointer { vp in dA.withUnsafeMutableBufferPointer { ap in
                    Scalar.gemm(op.baseAddress!, transA: false, vp.baseAddress! + b * t * dh, transB: true, ap.baseAddress!, m: t, n: t, k: dh, alpha: 1, beta: 0)
                } }
                attention.withUnsafeBufferPointer { ap in dV.withUnsafeMutableBufferPointer { vp in
                    Scalar.gemm(ap.baseAddress! + b * t * t, transA: true, op.baseAddress!, transB: false, vp.baseAddress!, m: t, n: dh, k: t, alpha: 1, beta: 0)
                } }
            }
            for i in 0..<t {
                var dot: Scalar = 0
                for j in 0..<t { dot += dA[i * t + j] * attention[b * t * t + i * t + j] }
                for j in 0..<t { dA[i * t + j] = attention[b * t * t + i * t + j] * (dA[i * t + j] - dot) }
            }
            dA.withUnsafeBufferPointer { sp in
                k.withUnsafeBufferPointer { kp in dQ.withUnsafeMutableBufferPointer { qp in
                    Scalar.gemm(sp.baseAddress!, transA: false, kp.baseAddress! + b * t * dh, transB: false, qp.baseAddress!, m: t, n: dh, k: t, alpha: scale, beta: 0)
                } }
                q.withUnsafeBufferPointer { qp in dK.withUnsafeMutableBufferPointer { kp in
                    Scalar.gemm(sp.baseAddress!, transA: true, qp.baseAddress! + b * t * dh, transB: false, kp.baseAddress!, m: t, n: dh, k: t, alpha: scale, beta: 0)
                } }
            }
            for i in 0..<t { for e in 0..<dh {
                let row = (s * t + i) * 3 * d + h * dh + e
                dqkv.storage[row] = dQ[i * dh + e]
                dqkv.storage[row + d] = dK[i * dh + e]
                dqkv.storage[row + 2 * d] = dV[i * dh + e]
            } }
        }
        return qkv.backward(dqkv)
    }
}

/// A pre-norm transformer encoder block (ViT/DeiT): x + attn(norm1(x)), then + mlp(norm2(x)),
/// the MLP `fc1` → GELU → `fc2` of hidden width `mlpRatio`·D. Names as timm: `norm1`, `attn`,
/// `norm2`, `mlp.fc1`, `mlp.fc2`.
public final class EncoderBlock<Scalar: DeepScalar>: Layer {
    let norm1: LayerNorm<Scalar>, attention: SelfAttention<Scalar>, norm2: LayerNorm<Scalar>
    let mlp: Sequential<Scalar>

    public init(width: Int, heads: Int, mlpRatio: Int = 4, using rng: inout SeededGenerator) {
        norm1 = LayerNorm(width: width)
        attention = SelfAttention(width: width, heads: heads, using: &rng)
        norm2 = LayerNorm(width: width)
        mlp = Sequential([("fc1", Linear(inputs: width, outputs: mlpRatio * width, using: &rng)), ("act", GELU()),
                          ("fc2", Linear(inputs: mlpRatio * width, outputs: width, using: &rng))])
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] {
        norm1.parameters.map { ("norm1." + $0.name, $0.parameter) } + attention.parameters.map { ("attn." + $0.name, $0.parameter) }
            + norm2.parameters.map { ("norm2." + $0.name, $0.parameter) } + mlp.parameters.map { ("mlp." + $0.name, $0.parameter) }
    }

    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let h = x + attention.forward(norm1.forward(x, training: training), training: training)
        return h + mlp.forward(norm2.forward(h, training: training), training: training)
    }

    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let dh = dy + norm2.backward(mlp.backward(dy))
        return dh + norm1.backward(attention.backward(dh))
    }
}

/// Images [N, C, H, W] to tokens [N, 1 + (H/p)(W/p), D]: non-overlapping p × p patches
/// projected by `patch_embed.proj` (a convolution with kernel and stride p, and a bias), a
/// learned class token `cls_token` in front, learned positions `pos_embed` added. Initial
/// class token and positions N(0, 0.02²), as timm.
public final class PatchEmbedding<Scalar: DeepScalar>: Layer {
    let projection: Conv2d<Scalar>
    package let bias: Parameter<Scalar>
    package let classToken: Parameter<Scalar>
    public let positions: Parameter<Scalar>
    private var grid: (n: Int, d: Int, gh: Int, gw: Int) = (0, 0, 0, 0)

    public init(channels: Int, side: Int, patch: Int, width: Int, using rng: inout SeededGenerator) {
        projection = Conv2d(inputs: channels, outputs: width, kernel: patch, stride: patch, using: &rng)
        let fan = Double(channels * patch * patch)
        bias = Parameter(Tensor(shape: [width], storage: (0..<width).map { _ in Scalar((2 * rng.uniform() - 1) / fan.squareRoot()) }), decays: false)
        let tokens = 1 + (side / patch) * (side / patch)
        classToken = Parameter(Tensor(gaussian: [1, 1, width], standardDeviation: 0.02, using: &rng), decays: false)
        positions = Parameter(Tensor(gaussian: [1, tokens, width], standardDeviation: 0.02, using: &rng), decays: false)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] {
        [("patch_embed.proj.weight", projection.weight), ("patch_embed.proj.bias", bias), ("cls_token", classToken), ("pos_embed", positions)]
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let maps = projection.forward(x, training: true)  // [N, D, gh, gw]; kept for backward
        let (n, d, gh, gw) = (maps.shape[0], maps.shape[1], maps.shape[2], maps.shape[3]), t = 1 + gh * gw
        grid = (n, d, gh, gw)
        var tokens = Tensor<Scalar>(zeros: [n, t, d])
        for s in 0..<n {
            for e in 0..<d { tokens.storage[s * t * d + e] = classToken.value.storage[e] + positions.value.storage[e] }
            for p in 0..<(gh * gw) { for e in 0..<d {
                tokens.storage[(s * t + 1 + p) * d + e] = maps.storage[(s * d + e) * gh * gw + p] + bias.value.storage[e] + positions.value.storage[(1 + p) * d + e]
            } }
        }
        return tokens
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let (n, d, gh, gw) = grid, t = 1 + gh * gw
        var dmaps = Tensor<Scalar>(zeros: [n, d, gh, gw])
        for s in 0..<n {
            for p in 0..<t { for e in 0..<d { positions.gradient.storage[p * d + e] += dy.storage[(s * t + p) * d + e] } }
            for e in 0..<d { classToken.gradient.storage[e] += dy.storage[s * t * d + e] }
            for p in 0..<(gh * gw) { for e in 0..<d {
                let g = dy.storage[(s * t + 1 + p) * d + e]
                bias.gradient.storage[e] += g
                dmaps.storage[(s * d + e) * gh * gw + p] = g
            } }
        }
        return projection.backward(dmaps)
    }
}

/// Tokens [N, T, D] → [N, D]: the class token (token 0).
public final class ClassToken<Scalar: DeepScalar>: Layer {
    private var shape: [Int] = []
    public init() {}

    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        shape = x.shape
        let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
        return Tensor(shape: [n, d], storage: (0..<n).flatMap { s in x.storage[(s * t * d)..<(s * t * d + d)] })
    }

    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let (n, t, d) = (shape[0], shape[1], shape[2])
        var dx = Tensor<Scalar>(zeros: shape)
        for s in 0..<n { for e in 0..<d { dx.storage[s * t * d + e] = dy.storage[s * d + e] } }
        return dx
    }
}

/// A vision transformer (Dosovitskiy et al.; DeiT's layout): patch embedding with class token
/// and positions, `depth` encoder blocks named `blocks.0` … `blocks.{depth−1}` — so a 12-block
/// model's "blocks 9–11" are `blocks.9`–`blocks.11` — a final `norm` and a linear `head` on the
/// class token.
public struct ViTDescription: Sendable, Equatable {
    public var patch: Int
    public var width: Int
    public var heads: Int
    public var depth: Int
    package var mlpRatio: Int

    public init(patch: Int, width: Int, heads: Int, depth: Int, mlpRatio: Int = 4) {
        self.patch = patch
        self.width = width
        self.heads = heads
        self.depth = depth
        self.mlpRatio = mlpRatio
    }

    /// Twelve blocks of width 32 with 4 heads on 7 × 7 patches: DeiT's depth at a size that
    /// trains on 2 cores.
    public static let small12 = ViTDescription(patch: 7, width: 32, heads: 4, depth: 12)

    public func network<Scalar: DeepScalar>(channels: Int, side: Int, classes: Int, using rng: inout SeededGenerator) -> Sequential<Scalar> {
        var layers: [(name: String, layer: any Layer<Scalar>)] = [("", PatchEmbedding<Scalar>(channels: channels, side: side, patch: patch, width: width, using: &rng))]
        for b in 0..<depth { layers.append(("blocks.\(b)", EncoderBlock<Scalar>(width: width, heads: heads, mlpRatio: mlpRatio, using: &rng))) }
        layers.append(("norm", LayerNorm<Scalar>(width: width)))
        layers.append(("cls", ClassToken<Scalar>()))
        layers.append(("head", Linear<Scalar>(inputs: width, outputs: classes, using: &rng)))
        return Sequential(layers)
    }
}
