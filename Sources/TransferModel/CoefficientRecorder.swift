import NumericsCore
import Vocabulary

/// The fixed vectors whose inner products with every filter are recorded: u, v₁, v₂.
package struct SignalVectors: Sendable {
    public let u: [Double]
    public let v1: [Double]
    public let v2: [Double]

    public init(config: ExperimentConfig, geometry: SignalGeometry) {
        u = geometry.uHat.map { config.u_norm * $0 }
        v1 = geometry.v1Hat.map { config.v1_norm * $0 }
        v2 = geometry.v2Hat.map { config.v2_norm * $0 }
    }
}

/// The state of the signal–noise decomposition at one recorded step (docs/theory.md §5).
///
/// Filter k = (j, r) satisfies, to rounding error,
/// w_k⁽ᵗ⁾ = w_k⁽⁰⁾ + j Σ_s γ_{s,k} s/‖s‖² + Σ_i (ρ̄_{k,i} + ρ̲_{k,i}) ξ_i/‖ξ_i‖²,
/// where s runs over the signal patches (μ in the combined layout; u and v_k in the separate one).
public struct CoefficientSnapshot: Sendable {
    /// Gradient-descent step t.
    public let step: Int
    /// L_S(W⁽ᵗ⁾) and the training error at W⁽ᵗ⁾.
    public let trainLoss: Double
    public let trainError: Double
    /// γ per signal patch (index as `PatchLayout.signalNames`), 2m values each.
    public let gamma: [[Double]]
    /// ρ̄ and ρ̲, 2m × n.
    public let rhoBar: Matrix
    public let rhoUnder: Matrix
    /// Raw inner products ⟨w_k, u⟩, ⟨w_k, v₁⟩, ⟨w_k, v₂⟩ (2m values each).
    public let innerU: [Double]
    public let innerV1: [Double]
    public let innerV2: [Double]
    /// ⟨w_k, ξ_i⟩, 2m × n.
    public let innerNoise: Matrix
    /// max_k ‖w_k − rebuilt w_k‖ / ‖w_k‖.
    public let decompositionRelativeError: Double
}

/// Accumulates γ, ρ̄, ρ̲ with the update rules of docs/theory.md §5 (`predecessor`, extended to the
/// separate layout) and takes snapshots. With ℓ′ < 0 and η the step size:
///
/// γ_{s,k} ← γ_{s,k} − (η/(nm)) Σ_i ℓ′_i 1[⟨w_k, ŷ_i s⟩ > 0] ŷ_i y_i ‖s‖²,
/// ρ̄_{k,i} ← ρ̄_{k,i} − (η/(nm)) ℓ′_i 1[⟨w_k, ξ_i⟩ > 0] ‖ξ_i‖² 1[y_i = j_k],
/// ρ̲_{k,i} ← ρ̲_{k,i} + (η/(nm)) ℓ′_i 1[⟨w_k, ξ_i⟩ > 0] ‖ξ_i‖² 1[y_i = −j_k].
/// Frozen filters do not move, so their coefficients stay 0.
package struct CoefficientRecorder: Sendable {
    private let signals: [[Double]]
    private let signalNormsSquared: [Double]
    private let noiseNormsSquared: [Double]
    private let probes: SignalVectors
    private let m: Int
    private var gamma: [[Double]]
    private var rhoBar: Matrix
    private var rhoUnder: Matrix
    /// Scratch for the per-step ρ increments (allocated once).
    private var increments: [Double] = []
    public private(set) var snapshots: [CoefficientSnapshot] = []

    public init(distribution: TaskDistribution, data: Dataset, m: Int, probes: SignalVectors) {
        signals = distribution.signals
        signalNormsSquared = signals.map { BLAS.dot($0, $0) }
        noiseNormsSquared = data.withNoise { xi, stride in
            (0..<data.count).map { i in BLAS.dot(xi + i * stride, xi + i * stride, count: data.dimension) }
        }
        self.probes = probes
        self.m = m
        gamma = signals.map { _ in [Double](repeating: 0, count: 2 * m) }
        rhoBar = Matrix(rows: 2 * m, cols: data.count)
        rhoUnder = Matrix(rows: 2 * m, cols: data.count)
    }

    /// ‖ξ_i‖² of the training noises.
    public var noiseNormsSq: [Double] { noiseNormsSquared }

    /// Apply one step's coefficient updates, from the forward pass at W⁽ᵗ⁾. Each coefficient
    /// receives its increments in sample order (the sums are the same, bit for bit, as a
    /// filter-by-filter loop).
    mutating func accumulate(_ pass: ForwardPass, data: Dataset, eta: Double, frozen: [Bool]?) {
        let P = data.patchCount, n = data.count, twoM = 2 * m, m = self.m
        let step = eta / (Double(n) * Double(m))
        let moving = (0..<twoM).map { frozen?[$0] != true }
        pass.preactivations.storage.withUnsafeBufferPointer { z in
            rhoBar.storage.withUnsafeMutableBufferPointer { bar in
                rhoUnder.storage.withUnsafeMutableBufferPointer { under in
                    for i in 0..<n {
                        let l = pass.lossDerivatives[i], y = data.labels[i]
                        let signalStep = step * l * data.trueLabels[i] * y
                        for s in signals.indices {
                            let row = z.baseAddress! + (i * P + s) * twoM, increment = signalStep * signalNormsSquared[s]
                            gamma[s].withUnsafeMutableBufferPointer { g in
                                for k in 0..<twoM where moving[k] && row[k] > 0 { g[k] -= increment }
                            }
                        }
                        let row = z.baseAddress! + (i * P + P - 1) * twoM, noiseStep = -step * l * y
                        for k in 0..<twoM where moving[k] && row[k] > 0 {
                            let j = k < m ? 1.0 : -1.0
                            let increment = noiseStep * j * noiseNormsSquared[i]
                            if y == j { bar[k * n + i] += increment } else { under[k * n + i] += increment }
                        }
                    }
                }
            }
        }
    }

    /// The same updates read off the coefficient engine's inner products Z = (⟨w_k, b⟩), 2m × (S + n)
    /// (docs/theory.md §5): the signal patch s of sample i is active for filter k iff ŷ_i Z_{k,s} > 0,
    /// its noise patch iff Z_{k,S+i} > 0. So the γ increment of filter k is the sum of
    /// ℓ′_i ŷ_i y_i over the samples with ŷ_i = sign(Z_{k,s}), summed once per step and class.
    /// `moving[k]` is false for a frozen row.
    mutating func accumulate(basisInner z: Matrix, lossDerivatives: [Double], data: Dataset, eta: Double, moving: [Bool]) {
        let n = data.count, twoM = 2 * m, m = self.m, S = signals.count, K = z.cols
        precondition(K == S + n && z.rows == twoM)
        let step = eta / (Double(n) * Double(m))
        // Σ_i ℓ′_i ŷ_i y_i over ŷ_i = +1 and over ŷ_i = −1.
        var positive = 0.0, negative = 0.0
        for i in 0..<n {
            let term = lossDerivatives[i] * data.trueLabels[i] * data.labels[i]
            if data.trueLabels[i] > 0 { positive += term } else { negative += term }
        }
        // Per class j = ±1 (c = 0, 1) and sample, the ρ̄ (y_i = j) and ρ̲ (y_i = −j) increments of a
        // filter of class j, 0 for the other: increments[(2c + 0)·n + i] for ρ̄, [(2c + 1)·n + i] for ρ̲.
        if increments.count != 4 * n { increments = [Double](repeating: 0, count: 4 * n) }
        for i in 0..<n {
            for c in 0..<2 {
                let j: Double = c == 0 ? 1 : -1
                let value = -step * lossDerivatives[i] * data.labels[i] * j * noiseNormsSquared[i]
                let bar = data.labels[i] == j
                increments[(2 * c + (bar ? 0 : 1)) * n + i] = value
                increments[(2 * c + (bar ? 1 : 0)) * n + i] = 0
            }
        }
        z.storage.withUnsafeBufferPointer { zp in
            for s in 0..<S {
                let normSq = signalNormsSquared[s]
                gamma[s].withUnsafeMutableBufferPointer { g in
                    for k in 0..<twoM where moving[k] {
                        let value = zp[k * K + s]
                        g[k] -= step * (value > 0 ? positive : value < 0 ? negative : 0) * normSq
                    }
                }
            }
            rhoBar.storage.withUnsafeMutableBufferPointer { bar in
                rhoUnder.storage.withUnsafeMutableBufferPointer { under in
                    increments.withUnsafeBufferPointer { inc in
                        for k in 0..<twoM where moving[k] {
                            let noiseRow = zp.baseAddress! + k * K + S, group = k < m ? 0 : 1
                            let barRow = bar.baseAddress! + k * n, underRow = under.baseAddress! + k * n
                            let bBase = inc.baseAddress! + 2 * group * n, uBase = bBase + n
                            for i in 0..<n {  // a product with the 0/1 indicator, which vectorises
                                let active: Double = noiseRow[i] > 0 ? 1 : 0
                                barRow[i] = barRow[i] + active * bBase[i]
                                underRow[i] = underRow[i] + active * uBase[i]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Record the state at step t for filters W⁽ᵗ⁾ that started at W⁽⁰⁾.
    public mutating func record(step: Int, pass: ForwardPass, filters: FilterBank, initial: FilterBank, data: Dataset) {
        let w = filters.weights
        let worst = Self.rowRelativeErrors(w, rebuild(initial: initial, data: data)).max() ?? 0
        snapshots.append(CoefficientSnapshot(
            step: step, trainLoss: pass.score.loss, trainError: pass.score.error,
            gamma: gamma, rhoBar: rhoBar, rhoUnder: rhoUnder,
            innerU: BLAS.multiply(w, probes.u), innerV1: BLAS.multiply(w, probes.v1), innerV2: BLAS.multiply(w, probes.v2),
            innerNoise: data.noiseProducts(w),
            decompositionRelativeError: worst))
    }

    /// The recorded coefficients as coordinates in the basis (s₁, …, s_S, ξ₁, …, ξ_n) of the
    /// coefficient-space engine, 2m × (S + n): c̃_{k,s} = j_k γ_{s,k}/‖s‖² (0 when s = 0) and
    /// c̃_{k,S+i} = (ρ̄_{k,i} + ρ̲_{k,i})/‖ξ_i‖² — the §5 decomposition read as coordinates.
    func basisCoordinates() -> Matrix {
        let S = signals.count, n = noiseNormsSquared.count
        var c = Matrix(rows: 2 * m, cols: S + n)
        for k in 0..<(2 * m) {
            let j = k < m ? 1.0 : -1.0
            for s in 0..<S where signalNormsSquared[s] > 0 { c[k, s] = j * gamma[s][k] / signalNormsSquared[s] }
            for i in 0..<n { c[k, S + i] = (rhoBar[k, i] + rhoUnder[k, i]) / noiseNormsSquared[i] }
        }
        return c
    }

    /// Take γ, ρ̄, ρ̲ from coordinates c in the basis (s₁, …, s_S, ξ₁, …, ξ_n), the inverse of
    /// ``basisCoordinates()``: γ_{s,k} = j_k c_{k,s} ‖s‖², and c_{k,S+i} ‖ξ_i‖² is ρ̄_{k,i} when
    /// y_i = j_k (the sample's label is the filter's class) and ρ̲_{k,i} otherwise (docs/theory.md §5).
    mutating func adopt(basisCoordinates c: Matrix, labels: [Double]) {
        let S = signals.count, n = noiseNormsSquared.count
        precondition(c.rows == 2 * m && c.cols == S + n && labels.count == n)
        for k in 0..<(2 * m) {
            let j = k < m ? 1.0 : -1.0
            for s in 0..<S { gamma[s][k] = j * c[k, s] * signalNormsSquared[s] }
            for i in 0..<n {
                let value = c[k, S + i] * noiseNormsSquared[i]
                (rhoBar[k, i], rhoUnder[k, i]) = labels[i] == j ? (value, 0) : (0, value)
            }
        }
    }

    /// Record a snapshot whose inner products and decomposition error were computed by the
    /// coefficient-space engine (see `GradientDescent.trainInCoefficients`).
    mutating func append(step: Int, score: Score, innerU: [Double], innerV1: [Double], innerV2: [Double],
                         innerNoise: Matrix, decompositionRelativeError: Double) {
        snapshots.append(CoefficientSnapshot(
            step: step, trainLoss: score.loss, trainError: score.error,
            gamma: gamma, rhoBar: rhoBar, rhoUnder: rhoUnder,
            innerU: innerU, innerV1: innerV1, innerV2: innerV2, innerNoise: innerNoise,
            decompositionRelativeError: decompositionRelativeError))
    }

    /// W⁽⁰⁾ + the decomposition's signal and noise terms, 2m × d.
    package func rebuild(initial: FilterBank, data: Dataset) -> Matrix {
        // The noise terms: the noise columns of the coordinates times the noises.
        let coordinates = basisCoordinates(), S = signals.count
        let d = data.dimension, n = data.count
        var result = Matrix(rows: coordinates.rows, cols: d)
        if n > 0 {
            data.withNoise { xi, stride in
                coordinates.storage.withUnsafeBufferPointer { a in
                    result.storage.withUnsafeMutableBufferPointer { r in
                        BLAS.gemm(a.baseAddress! + S, leadingA: S + n, xi, leadingB: stride, r.baseAddress!, leadingC: d,
                                  m: coordinates.rows, n: d, k: n)
                    }
                }
            }
        }
        for k in 0..<result.rows {
            let j = k < m ? 1.0 : -1.0
            for c in 0..<d {
                var value = initial.weights[k, c] + result[k, c]
                for s in signals.indices where signalNormsSquared[s] > 0 {
                    value += j * gamma[s][k] * signals[s][c] / signalNormsSquared[s]
                }
                result[k, c] = value
            }
        }
        return result
    }

    /// Per row k: ‖w_k − w̃_k‖/‖w_k‖ (the absolute difference when w_k = 0).
    static func rowRelativeErrors(_ w: Matrix, _ rebuilt: Matrix) -> [Double] {
        (0..<w.rows).map { k in
            var diff = 0.0, norm = 0.0
            for c in 0..<w.cols {
                let a = w[k, c], b = rebuilt[k, c]
                diff += (a - b) * (a - b)
                norm += a * a
            }
            return norm > 0 ? (diff / norm).squareRoot() : diff.squareRoot()
        }
    }
}
