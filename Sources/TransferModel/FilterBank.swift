import NumericsCore

/// The first layer of the two-layer ReLU CNN: 2m filters w_{j,r} ∈ ℝᵈ (docs/theory.md §3,
/// `predecessor`). Row `classIndex·m + r` holds w_{j,r}, with class index 0 for j = +1 and
/// 1 for j = −1. The second layer is fixed at ±1/m.
public struct FilterBank: Equatable, Sendable {
    public let m: Int
    public var weights: Matrix

    public init(m: Int, weights: Matrix) {
        precondition(weights.rows == 2 * m)
        self.m = m
        self.weights = weights
    }

    /// w⁽⁰⁾_{j,r} ~ N(0, σ₀² I_d), all 2m·d entries independent.
    public static func gaussian(m: Int, d: Int, sigma0: Double, using rng: inout SeededGenerator) -> FilterBank {
        gaussian(m: m, sigma0: sigma0, rows: .independent(dimension: d), using: &rng)
    }

    /// w⁽⁰⁾_{j,r} ~ N(0, σ₀² I_d) drawn through `rows` (row k is Gaussian vector k of its block;
    /// docs/theory.md §2a): the same draws as ``gaussian(m:d:sigma0:using:)`` for independent rows.
    package static func gaussian(m: Int, sigma0: Double, rows: GaussianRows, using rng: inout SeededGenerator) -> FilterBank {
        let d = rows.dimension
        precondition(2 * m <= rows.count)
        let storage = [Double](unsafeUninitializedCapacity: 2 * m * d) { buffer, initialized in
            for k in 0..<(2 * m) { rows.fill(buffer.baseAddress! + k * d, index: k, standardDeviation: sigma0, using: &rng) }
            initialized = 2 * m * d
        }
        return FilterBank(m: m, weights: Matrix(rows: 2 * m, cols: d, storage: storage))
    }

    public var dimension: Int { weights.cols }

    /// Pre-activations Z = X Wᵀ, (n·P) × 2m: Z[i·P + q, k] = ⟨w_k, x_i^{(q)}⟩.
    func preactivations(_ data: Dataset) -> Matrix {
        BLAS.product(data.patches, weights, transB: true)
    }

    /// f(W, x_i) = (1/m) Σ_r Σ_q [ReLU(⟨w_{+1,r}, x_i^{(q)}⟩) − ReLU(⟨w_{−1,r}, x_i^{(q)}⟩)].
    ///
    /// Four samples at a time, one per SIMD lane: each lane sums in the order of a one-sample loop
    /// (patches, then filters), so the outputs are those of that loop bit for bit, while the lanes'
    /// independent sums hide the latency of the additions (measured: the one-sample loop was 4 %
    /// of a small sweep).
    public func outputs(fromPreactivations z: Matrix, patchCount P: Int) -> [Double] {
        let n = z.rows / P, twoM = 2 * m, m = self.m, scale = Double(m)
        return [Double](unsafeUninitializedCapacity: n) { f, initialized in
            z.storage.withUnsafeBufferPointer { zp in
                let base = zp.baseAddress!, sampleStride = P * twoM
                var i = 0
                while i + 4 <= n {
                    var plus = SIMD4<Double>(repeating: 0), minus = plus
                    for q in 0..<P {
                        let row = base + (i * P + q) * twoM
                        for r in 0..<m {
                            let a = SIMD4(row[r], row[sampleStride + r], row[2 * sampleStride + r], row[3 * sampleStride + r])
                            let b = SIMD4(row[m + r], row[sampleStride + m + r], row[2 * sampleStride + m + r],
                                          row[3 * sampleStride + m + r])
                            plus += a.replacing(with: 0, where: a .<= 0)  // max(a, 0), NaN kept
                            minus += b.replacing(with: 0, where: b .<= 0)
                        }
                    }
                    let value = (plus - minus) / scale
                    for l in 0..<4 { (f.baseAddress! + i + l).initialize(to: value[l]) }
                    i += 4
                }
                while i < n {
                    var plus = 0.0, minus = 0.0
                    for q in 0..<P {
                        let row = base + (i * P + q) * twoM
                        for r in 0..<m {
                            plus += max(row[r], 0)
                            minus += max(row[m + r], 0)
                        }
                    }
                    (f.baseAddress! + i).initialize(to: (plus - minus) / scale)
                    i += 1
                }
            }
            initialized = n
        }
    }

    /// f(W, x_i) for every sample of `data`.
    public func outputs(_ data: Dataset) -> [Double] {
        outputs(fromPreactivations: preactivations(data), patchCount: data.patchCount)
    }
}

/// Classification performance on a dataset.
public struct Score: Equatable, Sendable {
    /// Mean logistic loss (1/n) Σ ℓ(y_i f_i).
    public var loss: Double
    /// Fraction with y_i · f_i ≤ 0 (observed labels; a zero output counts as an error).
    public var error: Double
    /// Fraction with ŷ_i · f_i ≤ 0 (true labels).
    public var cleanError: Double

    public init(outputs f: [Double], data: Dataset) {
        self.init(outputs: f, labels: data.labels, trueLabels: data.trueLabels)
    }

    /// The score of outputs f_i against observed labels y_i and true labels ŷ_i.
    public init(outputs f: [Double], labels: [Double], trueLabels: [Double]) {
        let n = Double(f.count)
        var loss = 0.0, wrong = 0, cleanWrong = 0
        for i in f.indices {
            let margin = labels[i] * f[i]
            loss += Logistic.loss(margin)
            if margin <= 0 { wrong += 1 }
            if trueLabels[i] * f[i] <= 0 { cleanWrong += 1 }
        }
        self.loss = loss / n
        error = Double(wrong) / n
        cleanError = Double(cleanWrong) / n
    }
}
