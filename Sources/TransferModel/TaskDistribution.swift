import NumericsCore
import Vocabulary

/// The signal directions shared by both tasks: unit vectors û, v̂₁, v̂₂ in ℝᵈ with û ⊥ v̂₁,
/// û ⊥ v̂₂ and ⟨v̂₁, v̂₂⟩ = `v_overlap` (docs/theory.md §1–§2).
///
/// Directions are random (stream "signals" of the seed), orthonormalised by Gram–Schmidt, so
/// no coordinate is special — this matters for the weight-level transfer variant.
package struct SignalGeometry: Sendable, Equatable {
    public let d: Int
    let uHat: [Double]
    let v1Hat: [Double]
    let v2Hat: [Double]

    public init(d: Int, overlap: Double, seed: UInt64) {
        precondition(d >= 3, "three orthogonal directions need d ≥ 3")
        var rng = SeededGenerator(seed: seed, stream: RandomStream.signals.rawValue)
        var basis: [[Double]] = []
        while basis.count < 3 {
            var g = rng.gaussians(count: d)
            for b in basis {  // two passes of Gram–Schmidt: orthogonal to rounding error
                let c = BLAS.dot(g, b); for i in 0..<d { g[i] -= c * b[i] }
            }
            for b in basis {
                let c = BLAS.dot(g, b); for i in 0..<d { g[i] -= c * b[i] }
            }
            let norm = BLAS.norm(g)
            if norm > 1e-8 { basis.append(g.map { $0 / norm }) }
        }
        self.d = d
        uHat = basis[0]
        v1Hat = basis[1]
        let s = (1 - overlap * overlap).squareRoot()
        v2Hat = (0..<d).map { overlap * basis[1][$0] + s * basis[2][$0] }
    }

    /// The fixed frame of the `gram` space (docs/theory.md §2a): û = e₀, v̂₁ = e₁,
    /// v̂₂ = overlap·e₁ + √(1 − overlap²)·e₂ in ℝ^`dimension`. The bulk coordinates are isotropic,
    /// so fixing the frame changes no law.
    public init(frameIn dimension: Int, overlap: Double) {
        precondition(dimension >= 3, "three orthogonal directions need d ≥ 3")
        func unit(_ entries: [(Int, Double)]) -> [Double] {
            var e = [Double](repeating: 0, count: dimension)
            for (i, x) in entries { e[i] = x }
            return e
        }
        d = dimension
        uHat = unit([(0, 1)])
        v1Hat = unit([(1, 1)])
        v2Hat = unit([(1, overlap), (2, (1 - overlap * overlap).squareRoot())])
    }
}

/// One training set (or a materialised test set): n samples of P patches each.
///
/// Only the patch matrix is stored; the noise patches ξ_i are its rows i·P + P − 1, read in place
/// (`withNoise(_:)`) or copied out (``noise``).
public struct Dataset: Sendable {
    /// Patches, (n·P) × d: row i·P + q is patch q of sample i; signal patch(es) first, noise last.
    public let patches: Matrix
    /// Observed labels y_i ∈ {±1} (flipped with probability p).
    public let labels: [Double]
    /// True labels ŷ_i ∈ {±1} (the signal patches carry these).
    public let trueLabels: [Double]
    public let patchCount: Int

    public init(patches: Matrix, labels: [Double], trueLabels: [Double], patchCount: Int) {
        precondition(patches.rows == labels.count * patchCount && trueLabels.count == labels.count)
        self.patches = patches
        self.labels = labels
        self.trueLabels = trueLabels
        self.patchCount = patchCount
    }

    public var count: Int { labels.count }
    public var dimension: Int { patches.cols }

    /// The noise patches ξ_i as an n × d matrix (a copy; prefer `withNoise(_:)` in hot code).
    public var noise: Matrix {
        let n = count, d = dimension, P = patchCount
        return Matrix(rows: n, cols: d, storage: [Double](unsafeUninitializedCapacity: n * d) { buffer, initialized in
            patches.storage.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    (buffer.baseAddress! + i * d).initialize(from: x.baseAddress! + (i * P + P - 1) * d, count: d)
                }
            }
            initialized = n * d
        })
    }

    /// Calls `body` with a pointer to ξ₁ and the stride between consecutive ξ_i (P·d), no copy.
    package func withNoise<R>(_ body: (UnsafePointer<Double>, Int) throws -> R) rethrows -> R {
        let d = dimension, P = patchCount
        return try patches.storage.withUnsafeBufferPointer { x in try body(x.baseAddress! + (P - 1) * d, P * d) }
    }

    /// ⟨w_k, ξ_i⟩ for every row of `filters`: filters · Ξᵀ, rows × n, read in place.
    func noiseProducts(_ filters: Matrix) -> Matrix {
        precondition(filters.cols == dimension)
        var out = Matrix(rows: filters.rows, cols: count)
        if count == 0 || filters.rows == 0 { return out }
        withNoise { xi, stride in
            filters.storage.withUnsafeBufferPointer { w in
                out.storage.withUnsafeMutableBufferPointer { o in
                    BLAS.gemm(w.baseAddress!, leadingA: dimension, xi, transB: true, leadingB: stride, o.baseAddress!, leadingC: count,
                              m: filters.rows, n: count, k: dimension)
                }
            }
        }
        return out
    }
}

/// The data distribution of task k (Definitions 3.1/3.2; docs/theory.md §2, `paper` setting,
/// `predecessor` form).
///
/// ŷ ~ Rademacher(½); y = ŷ with probability 1 − p, −ŷ otherwise;
/// ξ ~ N(0, σ_{p,k}² (I − ûûᵀ − v̂_kv̂_kᵀ)) — the Gaussian is projected, so ξ ⊥ u, v_k exactly;
/// `combined`: x = [ŷ(u + v_k), ξ]; `separate`: x = [ŷu, ŷv_k, ξ].
public struct TaskDistribution: Sendable {
    /// 1 (upstream) or 2 (downstream).
    public let task: Int
    public let layout: PatchLayout
    /// u = ‖u‖ û.
    public let u: [Double]
    /// v_k = ‖v_k‖ v̂_k.
    public let v: [Double]
    /// The directions the noise is projected away from: û and v̂_k (orthonormal).
    private let projectedDirections: [[Double]]
    /// σ_{p,k}.
    public let noiseStandardDeviation: Double
    /// p.
    let labelFlipProbability: Double
    /// The patch dimension d of the law; ``dimension`` is where the vectors are stored, which
    /// for the `gram` sampler is the smaller ℝ^{3+K} (docs/theory.md §2a).
    public let nominalDimension: Int

    package init(task: Int, config: ExperimentConfig, geometry: SignalGeometry) {
        precondition(task == 1 || task == 2)
        self.task = task
        layout = config.layout
        u = geometry.uHat.map { config.u_norm * $0 }
        let vHat = task == 1 ? geometry.v1Hat : geometry.v2Hat
        v = vHat.map { (task == 1 ? config.v1_norm : config.v2_norm) * $0 }
        projectedDirections = [geometry.uHat, vHat]
        noiseStandardDeviation = task == 1 ? config.sigma_p1 : config.sigma_p2
        labelFlipProbability = config.p
        nominalDimension = config.d
    }

    public var dimension: Int { u.count }

    /// μ_k = u + v_k, the task's full signal.
    public var mu: [Double] { zip(u, v).map { $0 + $1 } }

    /// The signal patches of a sample with true label +1, in patch order:
    /// `combined` → [μ_k]; `separate` → [u, v_k].
    public var signals: [[Double]] { layout == .combined ? [mu] : [u, v] }

    /// Draw `n` samples.
    ///
    /// `rng` gives one 64-bit seed per sample, in order; sample i then draws from its own
    /// generator seeded with it: ŷ (Rademacher), the flip (Bernoulli(p)), then the Gaussian vector
    /// of ξ (`gaussians`: d draws, or the `gram` space's frame draws and bulk row i), projected
    /// off û and v̂_k. So the samples can be drawn in two bands at once (`worker`), with the same
    /// result either way. Rows are written straight into the output storage.
    package func sample(_ n: Int, using rng: inout SeededGenerator, gaussians: GaussianRows? = nil,
                       worker: SpinningWorker? = nil) -> Dataset {
        let gaussians = gaussians ?? .independent(dimension: dimension)
        precondition(gaussians.dimension == dimension && n <= gaussians.count)
        let d = dimension, P = layout.patchCount
        let signals = self.signals
        let sigma = noiseStandardDeviation, flip = labelFlipProbability
        let directions = projectedDirections
        let seeds = (0..<n).map { _ in rng.next() }
        var labels = [Double](repeating: 0, count: n)
        var trueLabels = [Double](repeating: 0, count: n)
        let patchStorage = [Double](unsafeUninitializedCapacity: n * P * d) { buffer, count in
            labels.withUnsafeMutableBufferPointer { observed in
                trueLabels.withUnsafeMutableBufferPointer { truth in
                    // About four multiply–adds' worth of work per coordinate (draw, signal, projection).
                    Bands.run(count: n, operations: 4 * n * P * d, worker: worker) { band in
                        for i in band {
                            var own = SeededGenerator(seed: seeds[i])
                            let yHat = own.rademacher()
                            truth[i] = yHat
                            observed[i] = own.bernoulli(flip) ? -yHat : yHat
                            for (q, signal) in signals.enumerated() {
                                let row = buffer.baseAddress! + (i * P + q) * d
                                signal.withUnsafeBufferPointer { s in
                                    for j in 0..<d { (row + j).initialize(to: yHat * s[j]) }
                                }
                            }
                            let xi = buffer.baseAddress! + (i * P + P - 1) * d
                            gaussians.fill(xi, index: i, standardDeviation: sigma, using: &own)
                            TaskDistribution.project(xi, dimension: d, off: directions)
                        }
                    }
                }
            }
            count = n * P * d
        }
        return Dataset(patches: Matrix(rows: n * P, cols: d, storage: patchStorage),
                       labels: labels, trueLabels: trueLabels, patchCount: P)
    }

    /// The orthonormal directions ξ is projected away from: û and v̂_k.
    var noiseNullDirections: [[Double]] { projectedDirections }

    /// x ← x − Σ_e ⟨x, e⟩ e for orthonormal `directions`, in place (one pass).
    static func project(_ x: UnsafeMutablePointer<Double>, dimension d: Int, off directions: [[Double]]) {
        for direction in directions {
            direction.withUnsafeBufferPointer { e in
                let c = BLAS.dot(UnsafePointer(x), e.baseAddress!, count: d)
                for j in 0..<d { x[j] -= c * e[j] }
            }
        }
    }
}
