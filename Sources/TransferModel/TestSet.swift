import NumericsCore

/// The fresh test samples of one task, drawn in the reduced representation that scoring needs
/// (docs/theory.md §2 for the law, §5 for why it suffices) — an exact change of representation, not an
/// approximation.
///
/// **Why a reduced draw is exact.** Test noise enters a score only through ⟨w_k, ξ_t⟩ for the final
/// filters. With P = I − ûûᵀ − v̂_kv̂_kᵀ, ξ_t = Pξ_t, so ⟨w_k, ξ_t⟩ = ⟨Pw_k, ξ_t⟩, and by §5 every final
/// filter satisfies Pw_k ∈ span{Pv_j} for the *spanning vectors* v₁ … v_r: the phase's initial
/// filters (downstream: the fresh draw together with every transferred row that differs from it,
/// so transfer and scratch share one test set) and the training noises ξ_i (already = Pξ_i).
/// For ξ_t ~ N(0, σ²P), the vector a_t = (⟨v_j, ξ_t⟩)_j is N(0, σ²G) with G_jl = ⟨Pv_j, Pv_l⟩,
/// whatever the training data were (ξ_t is independent of them). So a_t = σ L z_t with
/// z_t ~ N(0, I_ρ) and G = L Lᵀ (Cholesky; pivoted, of rank ρ, when G is singular) is an exact draw
/// of everything a score can depend on, at r Gaussians per sample instead of d.
/// Then ⟨w_k, ξ_t⟩ = Σ_j c_kj a_tj whenever Pw_k = Σ_j c_kj Pv_j (`noiseProducts(coefficients:)`).
///
/// **Materialised vectors.** When ℝᵈ vectors are needed (saved arrays, the weight-space engine's
/// scoring, tests), ``materialised()`` builds ξ_t = σ(Qᵀz_t + P_⊥g_t): Q = L₁₁⁻¹ (Pv_{π(1)}, …,
/// Pv_{π(ρ)}) has orthonormal rows spanning span{Pv_j}, and P_⊥g_t projects an independent
/// N(0, I_d) draw g_t (its own stream, so scores never depend on whether vectors are built) onto
/// the orthogonal complement of span(Q) ∪ {û, v̂_k}. Then ξ_t ~ N(0, σ²P) exactly, ⟨v_j, ξ_t⟩ = a_tj
/// to rounding, and ‖ξ_t‖²/σ² = ‖z_t‖² + ‖P_⊥g_t‖² ~ χ²(d − 2).
///
/// When r ≥ d − 2 nothing is gained: the noises are drawn directly in ℝᵈ (d Gaussians, projected,
/// as `sample(_:using:gaussians:worker:)` does) and a_t = (⟨v_j, ξ_t⟩)_j is computed from them.
///
/// Draw order per sample (stream of the phase's test set): ŷ (Rademacher), the flip
/// (Bernoulli(p)), then ρ Gaussians for z_t (or d for ξ_t in the direct case). The complement draws
/// g_t, d per sample in order, come from the stream named `complementStream`.
public struct TestSet: Sendable {
    /// Observed labels y_t ∈ {±1}.
    public let labels: [Double]
    /// True labels ŷ_t ∈ {±1}; the signal patches of sample t are ŷ_t s_q.
    public let trueLabels: [Double]
    public let patchCount: Int
    /// The signal patches of a true-label-+1 sample, in patch order.
    public let signals: [[Double]]
    /// σ_{p,k}.
    public let noiseStandardDeviation: Double
    /// a_tj = ⟨v_j, ξ_t⟩ of direct draws, count × r (nil for reduced draws: see ``spanInner``).
    let directSpanInner: Matrix?
    /// The spanning vectors before the training noises, as given (rows, unprojected).
    let spanningRows: Matrix
    /// The training set whose noise patches are the remaining spanning vectors (read in place).
    let trainingNoise: Dataset?
    /// The factor of G (nil when the noises were drawn directly in ℝᵈ).
    public let factor: CholeskyFactor?
    /// z_t as rows, count × ρ (reduced draws only).
    let latent: Matrix?
    /// ξ_t as rows, count × d (direct draws only).
    let directNoise: Matrix?
    /// û and v̂_k.
    let nullDirections: [[Double]]
    let complementSeed: UInt64
    let complementStream: String

    public var count: Int { labels.count }
    public var dimension: Int { spanningRows.cols }

    /// Pv_j as rows, r × d (built on each call: the rows given, then the training noises).
    var spanVectors: Matrix {
        Self.projectedSpanningVectors(spanningRows, trainingNoise, off: nullDirections)
    }

    /// The rows of `rows` and then the noise patches of `noise`, each projected off `directions`.
    static func projectedSpanningVectors(_ rows: Matrix, _ noise: Dataset?, off directions: [[Double]]) -> Matrix {
        let d = rows.cols, f = rows.rows, n = noise?.count ?? 0
        var storage = [Double](repeating: 0, count: (f + n) * d)
        guard !storage.isEmpty else { return Matrix(rows: f + n, cols: d) }
        storage.withUnsafeMutableBufferPointer { v in
            rows.storage.withUnsafeBufferPointer { v.baseAddress!.update(from: $0.baseAddress!, count: f * d) }
            noise?.withNoise { xi, stride in
                for i in 0..<n { (v.baseAddress! + (f + i) * d).update(from: xi + i * stride, count: d) }
            }
            for j in 0..<(f + n) { TaskDistribution.project(v.baseAddress! + j * d, dimension: d, off: directions) }
        }
        return Matrix(rows: f + n, cols: d, storage: storage)
    }
    /// Whether the noises were drawn through a_t = σLz_t (true) or directly in ℝᵈ.
    var isReduced: Bool { factor != nil }

    /// Draw `count` test samples of `distribution` whose scores will be taken for filters in
    /// span{spanning vectors} (see the type's documentation).
    ///
    /// - Parameters:
    ///   - count: the number of test samples.
    ///   - distribution: the task they come from.
    ///   - spanning: the first spanning vectors as rows, unprojected (kept, not copied).
    ///   - trainingNoise: a training set whose noise patches are the remaining spanning vectors
    ///     (read in place), or nil.
    ///   - gram: G_jl = ⟨Pv_j, Pv_l⟩ when the caller has it (e.g. assembled from the coefficient
    ///     engine's Gram matrix); computed from the projected rows otherwise.
    ///   - order: factor G in this order of the spanning vectors (default: as given).
    ///   - leading: draw the first `leading` entries of each z_t from `rng`, the rest from the
    ///     stream `extraStream`; then the a_tj of the first `leading` vectors of `order` do not
    ///     depend on the others (the downstream phases put the fresh filters and training noises
    ///     first, so the scratch baseline's test set is the same whatever α and the variant inherit).
    ///   - extraStream: the stream of the entries past `leading`.
    ///   - rng: the stream of this test set (labels, flips, z_t).
    ///   - complementSeed: the seed of the stream of g_t for ``materialised()``.
    ///   - complementStream: that stream's name.
    public static func draw(_ count: Int, of distribution: TaskDistribution, spanning: Matrix, trainingNoise: Dataset? = nil,
                            gram: Matrix? = nil, order: [Int]? = nil, leading: Int? = nil, extraStream: String = "test-extra",
                            using rng: inout SeededGenerator, complementSeed: UInt64, complementStream: String) -> TestSet {
        let d = distribution.dimension, r = spanning.rows + (trainingNoise?.count ?? 0)
        precondition(spanning.cols == d && (trainingNoise?.dimension ?? d) == d)
        let directions = distribution.noiseNullDirections
        let sigma = distribution.noiseStandardDeviation, flip = distribution.labelFlipProbability
        var labels = [Double](repeating: 0, count: count), trueLabels = labels
        func drawLabels(_ t: Int) {
            let yHat = rng.rademacher()
            trueLabels[t] = yHat
            labels[t] = rng.bernoulli(flip) ? -yHat : yHat
        }
        if r >= d - 2 {
            let noise = [Double](unsafeUninitializedCapacity: count * d) { buffer, initialized in
                for t in 0..<count {
                    drawLabels(t)
                    let xi = buffer.baseAddress! + t * d
                    rng.fillGaussians(xi, count: d, standardDeviation: sigma)
                    TaskDistribution.project(xi, dimension: d, off: directions)
                }
                initialized = count * d
            }
            let xi = Matrix(rows: count, cols: d, storage: noise)
            let projected = projectedSpanningVectors(spanning, trainingNoise, off: directions)
            return TestSet(labels: labels, trueLabels: trueLabels, patchCount: distribution.layout.patchCount,
                           signals: distribution.signals, noiseStandardDeviation: sigma,
                           directSpanInner: BLAS.product(xi, projected, transB: true), spanningRows: spanning,
                           trainingNoise: trainingNoise, factor: nil, latent: nil, directNoise: xi, nullDirections: directions,
                           complementSeed: complementSeed, complementStream: complementStream)
        }
        let g = gram ?? BLAS.gram(projectedSpanningVectors(spanning, trainingNoise, off: directions))
        precondition(g.rows == r && g.cols == r, "gram must be r × r")
        let factor = LAPACK.cholesky(g, order: order, leading: leading)
        let rank = factor.rank
        let lead = min(leading ?? rank, rank)
        var extra = SeededGenerator(seed: complementSeed, stream: extraStream)
        let z = [Double](unsafeUninitializedCapacity: count * rank) { buffer, initialized in
            for t in 0..<count {
                drawLabels(t)
                rng.fillGaussians(buffer.baseAddress! + t * rank, count: lead)
                extra.fillGaussians(buffer.baseAddress! + t * rank + lead, count: rank - lead)
            }
            initialized = count * rank
        }
        let latent = Matrix(rows: count, cols: rank, storage: z)
        return TestSet(labels: labels, trueLabels: trueLabels, patchCount: distribution.layout.patchCount,
                       signals: distribution.signals, noiseStandardDeviation: sigma, directSpanInner: nil,
                       spanningRows: spanning, trainingNoise: trainingNoise, factor: factor, latent: latent, directNoise: nil,
                       nullDirections: directions, complementSeed: complementSeed, complementStream: complementStream)
    }

    /// r, the number of spanning vectors.
    var spanCount: Int { spanningRows.rows + (trainingNoise?.count ?? 0) }

    /// a_tj = ⟨v_j, ξ_t⟩ for every sample and spanning vector, count × r (computed on each call for
    /// reduced draws: A[t, π(a)] = σ (Z Lᵀ)[t, a], Z the latent draws, π the factor's order).
    var spanInner: Matrix {
        if let directSpanInner { return directSpanInner }
        guard let factor, let latent else { preconditionFailure("reduced test set without factor") }
        let r = spanCount, n = count, rank = factor.rank
        var ordered = Matrix(rows: n, cols: r)
        if n > 0 && rank > 0 {
            latent.storage.withUnsafeBufferPointer { zp in
                factor.lower.storage.withUnsafeBufferPointer { lp in
                    ordered.storage.withUnsafeMutableBufferPointer { op in
                        BLAS.gemm(zp.baseAddress!, leadingA: rank, lp.baseAddress!, transB: true, leadingB: rank,
                                  op.baseAddress!, leadingC: r, m: n, n: r, k: rank, alpha: noiseStandardDeviation)
                    }
                }
            }
        }
        guard factor.permutation != Array(0..<r) else { return ordered }
        var scattered = Matrix(rows: n, cols: r)
        for t in 0..<n { for a in 0..<r { scattered[t, factor.permutation[a]] = ordered[t, a] } }
        return scattered
    }

    /// ⟨w_k, ξ_t⟩ = Σ_j c_kj a_tj for filters with Pw_k = Σ_j c_kj Pv_j, rows × count, from
    /// `coefficients` (rows × r). For reduced draws it is taken as σ (C_π L) Zᵀ, with
    /// (C_π)_{k,a} = c_{k,π(a)}: about r/rows times fewer operations than forming A first.
    func noiseProducts(coefficients: Matrix) -> Matrix {
        precondition(coefficients.cols == spanCount)
        if let directSpanInner { return BLAS.product(coefficients, directSpanInner, transB: true) }
        guard let factor, let latent else { preconditionFailure("reduced test set without factor") }
        let r = spanCount
        var permuted = Matrix(rows: coefficients.rows, cols: r)
        for k in 0..<coefficients.rows { for a in 0..<r { permuted[k, a] = coefficients[k, factor.permutation[a]] } }
        var combined = BLAS.product(permuted, factor.lower)  // rows × ρ
        for e in combined.storage.indices { combined.storage[e] *= noiseStandardDeviation }
        return BLAS.product(combined, latent, transB: true)
    }

    /// The test noises ξ_t in ℝᵈ, count × d (see the type's documentation; deterministic).
    package func materialisedNoise() -> Matrix {
        if let directNoise { return directNoise }
        guard let factor, let latent else { preconditionFailure("reduced test set without factor") }
        let d = dimension, n = count, rank = factor.rank, sigma = noiseStandardDeviation
        // Q: solve L₁₁ Q = (Pv_{π(a)})_{a < ρ}, rank × d, orthonormal rows.
        let spanVectors = self.spanVectors
        var q = Matrix(rows: rank, cols: d)
        for a in 0..<rank {
            let source = factor.permutation[a]
            for c in 0..<d { q[a, c] = spanVectors[source, c] }
        }
        if rank > 0 {
            factor.lower.storage.withUnsafeBufferPointer { lp in
                q.storage.withUnsafeMutableBufferPointer { qp in
                    BLAS.solveLowerTriangular(lp.baseAddress!, leading: rank, qp.baseAddress!, rows: rank, cols: d)
                }
            }
        }
        var rng = SeededGenerator(seed: complementSeed, stream: complementStream)
        var g = Matrix(rows: n, cols: d, storage: rng.gaussians(count: n * d))
        // P_⊥ g: remove span(Q) and û, v̂_k, twice (the second pass removes what rounding left).
        for _ in 0..<2 {
            if rank > 0 {
                let coordinates = BLAS.product(g, q, transB: true)  // n × ρ
                subtractProduct(coordinates, q, from: &g)
            }
            g.storage.withUnsafeMutableBufferPointer { gp in
                for t in 0..<n { TaskDistribution.project(gp.baseAddress! + t * d, dimension: d, off: nullDirections) }
            }
        }
        // ξ = σ (Z Q + P_⊥ g), in g's own storage (consumed, not copied: n × d is the largest
        // array of a materialised test set).
        var xi = consume g
        if rank > 0 {
            latent.storage.withUnsafeBufferPointer { zp in
                q.storage.withUnsafeBufferPointer { qp in
                    xi.storage.withUnsafeMutableBufferPointer { xp in
                        BLAS.gemm(zp.baseAddress!, qp.baseAddress!, xp.baseAddress!, m: n, n: d, k: rank, beta: 1)
                    }
                }
            }
        }
        for e in xi.storage.indices { xi.storage[e] *= sigma }
        xi.storage.withUnsafeMutableBufferPointer { xp in
            for t in 0..<n { TaskDistribution.project(xp.baseAddress! + t * d, dimension: d, off: nullDirections) }
        }
        return xi
    }

    /// The test set as a ``Dataset`` in ℝᵈ (patches ŷ_t s_q, then ξ_t from `materialisedNoise()`).
    public func materialised() -> Dataset {
        let xi = materialisedNoise()
        let n = count, d = dimension, P = patchCount
        let storage = [Double](unsafeUninitializedCapacity: n * P * d) { buffer, initialized in
            xi.storage.withUnsafeBufferPointer { x in
                for t in 0..<n {
                    for (q, signal) in signals.enumerated() {
                        let row = buffer.baseAddress! + (t * P + q) * d
                        for c in 0..<d { (row + c).initialize(to: trueLabels[t] * signal[c]) }
                    }
                    (buffer.baseAddress! + (t * P + P - 1) * d).initialize(from: x.baseAddress! + t * d, count: d)
                }
            }
            initialized = n * P * d
        }
        return Dataset(patches: Matrix(rows: n * P, cols: d, storage: storage), labels: labels,
                       trueLabels: trueLabels, patchCount: P)
    }

    /// target ← target − a · b.
    private func subtractProduct(_ a: Matrix, _ b: Matrix, from target: inout Matrix) {
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                target.storage.withUnsafeMutableBufferPointer { tp in
                    BLAS.gemm(ap.baseAddress!, bp.baseAddress!, tp.baseAddress!, m: a.rows, n: b.cols, k: a.cols,
                              alpha: -1, beta: 1)
                }
            }
        }
    }

    /// G_jl = ⟨Pv_j, Pv_l⟩ for spanning vectors (filters F × d, then training noises), assembled
    /// from inner products the coefficient engine already has: the noise block is the training
    /// noises' Gram matrix (ξ_i = Pξ_i), the filter–noise block ⟨w, ξ_i⟩ = ⟨Pw, ξ_i⟩, and only the
    /// F × F block ⟨Pw_k, Pw_l⟩ is computed here.
    /// `filterInner` is ⟨filter, b⟩ for every vector b of `basis` (F × K); both blocks are read
    /// from it and from the basis' Gram matrix in place.
    static func spanningGram(filters: Matrix, filterInner: Matrix, basis: CoefficientBasis,
                                    distribution: TaskDistribution) -> Matrix {
        let f = filters.rows, S = basis.signalCount, n = basis.count - S, d = filters.cols, r = f + n
        precondition(filterInner.rows == f && filterInner.cols == basis.count)
        var projected = filters
        projected.storage.withUnsafeMutableBufferPointer { v in
            for j in 0..<f { TaskDistribution.project(v.baseAddress! + j * d, dimension: d, off: distribution.noiseNullDirections) }
        }
        let ff = BLAS.gram(projected)
        var g = Matrix(rows: r, cols: r)
        for a in 0..<f {
            for b in 0..<f { g[a, b] = ff[a, b] }
            for i in 0..<n { g[a, f + i] = filterInner[a, S + i]; g[f + i, a] = filterInner[a, S + i] }
        }
        for i in 0..<n { for l in 0..<n { g[f + i, f + l] = basis.gram[S + i, S + l] } }
        return g
    }
}
