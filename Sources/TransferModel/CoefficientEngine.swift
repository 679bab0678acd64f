import Foundation
import NumericsCore
import Vocabulary

/// The basis in which the coefficient-space engine keeps the filters of one training set
/// (docs/theory.md §5, `predecessor`, exact).
///
/// b₁ … b_S are the signal patches of a true-label-+1 sample in patch order (μ_k in the
/// combined layout; u and v_k in the separate one), b_{S+i} = ξ_i the training noises, K = S + n.
/// Every gradient step adds a combination of ±b's to each filter (each patch is ŷ_i s_q or ξ_i),
/// so w_k⁽ᵗ⁾ = w_k⁽⁰⁾ + Σ_b c_{k,b} b exactly, and every inner product training needs is
/// ⟨w_k⁽ᵗ⁾, b⟩ = ⟨w_k⁽⁰⁾, b⟩ + (C G)_{k,b} with G = B Bᵀ the Gram matrix.
///
/// Built once per training set; transfer and scratch share it (same downstream data). The
/// noises are read in place from the training set's patch matrix, never copied.
package struct CoefficientBasis: Sendable {
    /// S, the number of signal patches.
    let signalCount: Int
    /// b₁ … b_S as rows, S × d.
    let signalVectors: Matrix
    /// The training set whose noise patches are b_{S+1} … b_K.
    let data: Dataset
    /// G = B Bᵀ, K × K.
    public let gram: Matrix
    /// ⟨b, u⟩, ⟨b, v₁⟩, ⟨b, v₂⟩ per basis vector, K × 3.
    let probeInner: Matrix
    /// u, v₁, v₂ as rows, 3 × d.
    let probeVectors: Matrix

    /// `worker` takes half of the Gram matrix's work (the result does not depend on it).
    public init(distribution: TaskDistribution, data: Dataset, probes: SignalVectors, worker: SpinningWorker? = nil) {
        let signals = distribution.signals, S = signals.count, n = data.count, d = data.dimension, K = S + n
        signalCount = S
        self.data = data
        signalVectors = Matrix(rows: S, cols: d, storage: signals.flatMap { $0 })
        probeVectors = Matrix(rows: 3, cols: d, storage: probes.u + probes.v1 + probes.v2)
        // G in blocks: signals × signals, signals × noises (mirrored), and the noises' own Gram matrix.
        let signalGram = BLAS.gram(signalVectors)
        let signalNoise = data.noiseProducts(signalVectors)
        let noiseGram = data.withNoise { BLAS.gram($0, rows: n, cols: d, leading: $1, worker: worker) }
        var g = Matrix(rows: K, cols: K)
        for a in 0..<S {
            for b in 0..<S { g[a, b] = signalGram[a, b] }
            for i in 0..<n { g[a, S + i] = signalNoise[a, i]; g[S + i, a] = signalNoise[a, i] }
        }
        for i in 0..<n { for l in 0..<n { g[S + i, S + l] = noiseGram[i, l] } }
        gram = g
        let signalProbe = BLAS.product(signalVectors, probeVectors, transB: true), noiseProbe = data.noiseProducts(probeVectors)
        var inner = Matrix(rows: K, cols: 3)
        for p in 0..<3 {
            for s in 0..<S { inner[s, p] = signalProbe[s, p] }
            for i in 0..<n { inner[S + i, p] = noiseProbe[p, i] }
        }
        probeInner = inner
    }

    /// K = S + n.
    public var count: Int { signalCount + data.count }

    /// ⟨w_k, b⟩ for every row of `filters` and every basis vector: filters · Bᵀ, rows × K; the
    /// noise columns in two `Bands`, the second on `worker` when there is one.
    func innerProducts(of filters: Matrix, worker: SpinningWorker? = nil) -> Matrix {
        let S = signalCount, K = count, n = data.count, d = data.dimension, rows = filters.rows
        precondition(filters.cols == d)
        var out = Matrix(rows: rows, cols: K)
        guard rows > 0 && d > 0 else { return out }
        filters.storage.withUnsafeBufferPointer { fp in
            signalVectors.storage.withUnsafeBufferPointer { sp in
                out.storage.withUnsafeMutableBufferPointer { op in
                    data.withNoise { xi, stride in
                        let f = fp.baseAddress!, o = op.baseAddress!
                        BLAS.gemm(f, leadingA: d, sp.baseAddress!, transB: true, leadingB: d, o, leadingC: K, m: rows, n: S, k: d)
                        Bands.run(count: n, operations: rows * n * d, worker: worker) { band in
                            BLAS.gemm(f, leadingA: d, xi + band.lowerBound * stride, transB: true, leadingB: stride,
                                      o + S + band.lowerBound, leadingC: K, m: rows, n: band.count, k: d)
                        }
                    }
                }
            }
        }
        return out
    }

    /// ⟨w_k, u⟩, ⟨w_k, v₁⟩, ⟨w_k, v₂⟩ for every row of `filters`, rows × 3.
    func probeProducts(of filters: Matrix) -> Matrix {
        BLAS.product(filters, probeVectors, transB: true)
    }

    /// target ← target + C B for coordinates C (rows × K): the filters W⁽⁰⁾ + C B in ℝᵈ, in two
    /// `Bands` of coordinates 0..<d, the second on `worker` when there is one.
    func addCombination(_ c: Matrix, to target: inout Matrix, worker: SpinningWorker? = nil) {
        let S = signalCount, K = count, n = data.count, d = data.dimension, rows = c.rows
        precondition(c.cols == K && target.rows == rows && target.cols == d)
        guard rows > 0 && d > 0 else { return }
        c.storage.withUnsafeBufferPointer { cp in
            signalVectors.storage.withUnsafeBufferPointer { sp in
                target.storage.withUnsafeMutableBufferPointer { tp in
                    data.withNoise { xi, stride in
                        let coordinates = cp.baseAddress!, out = tp.baseAddress!
                        Bands.run(count: d, operations: rows * K * d, worker: worker) { band in
                            let first = band.lowerBound
                            BLAS.gemm(coordinates, leadingA: K, sp.baseAddress! + first, leadingB: d, out + first,
                                      leadingC: d, m: rows, n: band.count, k: S, beta: 1)
                            BLAS.gemm(coordinates + S, leadingA: K, xi + first, leadingB: stride, out + first,
                                      leadingC: d, m: rows, n: band.count, k: n, beta: 1)
                        }
                    }
                }
            }
        }
    }
}

/// A finished coefficient-space run: the public `TrainingRun` plus the representation it was
/// trained in, which also scores test sets.
package struct CoefficientRun: Sendable {
    public let run: TrainingRun
    /// The final coordinates c_{k,b}, 2m × K.
    public let coordinates: Matrix
    /// The final inner products ⟨w_k, b⟩, 2m × K.
    let basisInner: Matrix
    /// S, the number of signal patches.
    let signalCount: Int

    /// Outputs f(W, x_t) of the final filters on a test set of the same task, from its reduced
    /// representation (``TestSet``; docs/theory.md §5).
    ///
    /// Signal patches are ŷ_t s_q, so ⟨w_k, ŷ_t s_q⟩ = ŷ_t Z_{k,q}. For the noise patch,
    /// P w_k = P w_k⁽⁰⁾ + Σ_i c_{k,S+i} ξ_i (P s_q = 0: the signals lie in span{û, v̂_k}), so
    /// ⟨w_k, ξ_t⟩ = a_{t,ι(k)} + Σ_i c_{k,S+i} a_{t,F+i}, where ι(k) = `filterIndex[k]` is the
    /// spanning vector that is w_k⁽⁰⁾ and F is the number of spanning filters (the training
    /// noises follow them, in order). Cost 2m·r per sample instead of 2m·d. Rows t·P + q, columns
    /// k, as ``FilterBank/outputs(fromPreactivations:patchCount:)`` and ``MarginDecomposition`` read them.
    package func testPreactivations(_ test: TestSet, filterIndex: [Int]) -> Matrix {
        let twoM = coordinates.rows, K = coordinates.cols, S = signalCount, n = K - S
        let r = test.spanCount, f = r - n
        precondition(filterIndex.count == twoM && filterIndex.allSatisfy { $0 >= 0 && $0 < f }, "spanning set does not match")
        var span = Matrix(rows: twoM, cols: r)
        for k in 0..<twoM {
            span[k, filterIndex[k]] = 1
            for i in 0..<n { span[k, f + i] = coordinates[k, S + i] }
        }
        let noise = test.noiseProducts(coefficients: span)  // 2m × n_test
        let P = S + 1, count = test.count
        let storage = [Double](unsafeUninitializedCapacity: count * P * twoM) { zp, initialized in
            basisInner.storage.withUnsafeBufferPointer { bp in
                noise.storage.withUnsafeBufferPointer { np in
                    for t in 0..<count {
                        let label = test.trueLabels[t]
                        for q in 0..<S {
                            let row = zp.baseAddress! + (t * P + q) * twoM
                            for k in 0..<twoM { (row + k).initialize(to: label * bp[k * K + q]) }
                        }
                        let row = zp.baseAddress! + (t * P + S) * twoM
                        for k in 0..<twoM { (row + k).initialize(to: np[k * count + t]) }
                    }
                }
            }
            initialized = count * P * twoM
        }
        return Matrix(rows: count * P, cols: twoM, storage: storage)
    }
}

/// Full-batch gradient descent of docs/theory.md §3 run in the coordinates of
/// ``CoefficientBasis`` — exact, not an approximation (docs/theory.md §5).
///
/// Per step, with Z_{k,b} = ⟨w_k, b⟩ (2m × K):
/// pre-activations ⟨w_k, ŷ_i s_q⟩ = ŷ_i Z_{k,q}, ⟨w_k, ξ_i⟩ = Z_{k,S+i} (read off Z, never formed);
/// ℓ′_i and the activation weights g_{iq,k} = ℓ′_i y_i j_k 1[⟨w_k, x_i^{(q)}⟩ > 0]/(nm) as in weight space;
/// the gradient in coordinates, ∂c_{k,q} = Σ_i g_{iq,k} ŷ_i (q ≤ S) and ∂c_{k,S+i} = g_{i,P,k};
/// C ← C − η ∂C, and Z ← Z⁽⁰⁾ + C G (recomputed, so no error accumulates in Z; with a worker
/// thread, in two bands of rows at once).
///
/// The recorder accumulates γ, ρ̄, ρ̲ with its own §5 update rules, independently of C.
/// `decompositionRelativeError` of each snapshot is the same quantity the weight engine
/// reports, max_k ‖w_k − w̃_k‖/‖w_k‖ with w_k the engine's filter and w̃_k the filter rebuilt from
/// the recorded γ, ρ̄, ρ̲; here both norms are evaluated exactly through the Gram matrix,
/// ‖Σ_b δ_b b‖² = δᵀ G δ and ‖w_k‖² = ‖w_k⁽⁰⁾‖² + c_k·Z⁽⁰⁾_k + c_k·Z_k. At the last step the filters
/// are rebuilt in ℝᵈ and the value is the larger of that Gram measure and the bookkeeping error
/// max_{k,b} |Z_{k,b} − ⟨w_k, b⟩_ℝᵈ| / (‖w_k‖‖b‖) of the inner products training used against those
/// of the rebuilt filters (which checks G itself). The tests compare the recorder's filters
/// rebuilt in ℝᵈ with the weight engine's.
extension GradientDescent {
    /// Train `initial` on `data` (whose basis is `basis`) in coefficient space, with the same
    /// step size, step count and recording interval as ``train(_:on:distribution:probes:frozen:progress:)``.
    /// `initialInner` may pass ⟨w_k⁽⁰⁾, b⟩ when the caller already has them (e.g. rows shared by
    /// transfer and scratch).
    package func trainInCoefficients(_ initial: FilterBank, on data: Dataset, basis: CoefficientBasis,
                      distribution: TaskDistribution, probes: SignalVectors, frozen: [Bool]? = nil,
                      initialInner: Matrix? = nil, progress: ((Int) -> Void)? = nil) -> CoefficientRun {
        let start = Date()
        let m = initial.m, twoM = 2 * m, n = data.count, P = data.patchCount
        let S = basis.signalCount, K = basis.count, d = initial.dimension
        precondition(K == S + n && S == P - 1, "basis does not match the training set")
        var recorder = CoefficientRecorder(distribution: distribution, data: data, m: m, probes: probes)
        let frozenMask = frozen?.contains(true) == true ? frozen : nil

        let z0 = initialInner ?? basis.innerProducts(of: initial.weights, worker: worker)
        let probe0 = basis.probeProducts(of: initial.weights)
        let w0NormsSq = (0..<twoM).map { k in
            initial.weights.storage.withUnsafeBufferPointer { BLAS.dot($0.baseAddress! + k * d, $0.baseAddress! + k * d, count: d) }
        }
        var c = Matrix(rows: twoM, cols: K)
        var z = z0
        var final = initial
        let progressEvery = max(1, steps / 10)
        var pass = CoefficientStep(data: data, m: m, signalCount: S, frozen: frozenMask, gram: basis.gram,
                                   initialInner: z0, eta: eta, worker: worker)
        pass.forward(z)
        var trainScore: Score?  // the last step is always recorded
        var t = 0
        while true {
            if t == steps {
                final = FilterBank(m: m, weights: rebuild(initial.weights, c, basis))
            }
            if isRecorded(t) {
                // Without trajectories the recorder never ran: it takes the coordinates as they are
                // (the decomposition is exact), and the error below is the bookkeeping check alone.
                if recording == .final { recorder.adopt(basisCoordinates: c, labels: data.labels) }
                let inner = probe0.adding(BLAS.product(c, basis.probeInner))
                var error = gramDecompositionError(c: c, recorded: recorder.basisCoordinates(), gram: basis.gram,
                                                   z0: z0, z: z, w0NormsSq: w0NormsSq)
                if t == steps { error = max(error, bookkeepingError(final.weights, basis: basis, z: z)) }
                var noiseInner = Matrix(rows: twoM, cols: n)
                for k in 0..<twoM { for i in 0..<n { noiseInner[k, i] = z[k, S + i] } }
                let score = Score(outputs: pass.outputs, data: data)
                if t == steps { trainScore = score }
                recorder.append(step: t, score: score, innerU: inner.column(0), innerV1: inner.column(1),
                                innerV2: inner.column(2), innerNoise: noiseInner, decompositionRelativeError: error)
            }
            if t == steps { break }
            // Run to the next step that is recorded or reported, whole in the kernel when nothing
            // is recorded on the way.
            let next = nextStop(after: t, progressEvery: progress == nil ? nil : progressEvery)
            if recording == .final {
                pass.advance(next - t, &c, &z)
            } else {
                for _ in t..<next {
                    // The recorder's update and the engine's are independent (each writes only its own
                    // coefficients); with a worker and enough of them, they run at once. The recorder
                    // reads Z and ℓ′ of step t: below the fused limit the whole step runs beside it (on
                    // its own copy of Z, taken only there), above it the descent does and BLAS forms
                    // the product after.
                    let lossDerivatives = pass.lossDerivatives, moving = pass.moving  // shared, not copied
                    let pairWorker = twoM * n >= 4096 ? worker : nil
                    if pass.fused {
                        let zNow = z  // copied when the step writes z
                        Bands.pair({ pass.advance(1, &c, &z) },
                                   { recorder.accumulate(basisInner: zNow, lossDerivatives: lossDerivatives, data: data, eta: eta,
                                                         moving: moving) }, worker: pairWorker)
                    } else {
                        Bands.pair({ pass.descend(&c, basisInner: z) },
                                   { recorder.accumulate(basisInner: z, lossDerivatives: lossDerivatives, data: data, eta: eta,
                                                         moving: moving) }, worker: pairWorker)
                        pass.update(&z, from: c)
                    }
                }
            }
            t = next
            if let progress, t % progressEvery == 0 { progress(t) }
        }
        let run = TrainingRun(initial: initial, final: final, snapshots: recorder.snapshots, trainScore: trainScore!,
                              steps: steps, seconds: Date().timeIntervalSince(start), noiseNormsSq: recorder.noiseNormsSq)
        return CoefficientRun(run: run, coordinates: c, basisInner: z, signalCount: S)
    }

    /// The first step after `t` that is recorded, reported to `progressEvery`, or the last.
    private func nextStop(after t: Int, progressEvery: Int?) -> Int {
        var next = steps
        if recording == .trajectories { next = min(next, (t / recordEvery + 1) * recordEvery) }
        if let progressEvery { next = min(next, (t / progressEvery + 1) * progressEvery) }
        return next
    }

    /// W⁽⁰⁾ + C B in ℝᵈ.
    private func rebuild(_ w0: Matrix, _ c: Matrix, _ basis: CoefficientBasis) -> Matrix {
        var w = w0
        basis.addCombination(c, to: &w, worker: worker)
        return w
    }

    /// max_k ‖Σ_b (c − c̃)_{k,b} b‖ / ‖w_k‖, both norms through the Gram matrix.
    private func gramDecompositionError(c: Matrix, recorded: Matrix, gram: Matrix, z0: Matrix, z: Matrix,
                                        w0NormsSq: [Double]) -> Double {
        var delta = c
        for e in delta.storage.indices { delta.storage[e] -= recorded.storage[e] }
        let deltaG = BLAS.product(delta, gram, worker: worker)
        var worst = 0.0
        for k in 0..<c.rows {
            var diffSq = 0.0, normSq = w0NormsSq[k]
            for b in 0..<c.cols {
                diffSq += delta[k, b] * deltaG[k, b]
                normSq += c[k, b] * (z0[k, b] + z[k, b])
            }
            let diff = max(diffSq, 0).squareRoot(), norm = max(normSq, 0).squareRoot()
            worst = max(worst, norm > 0 ? diff / norm : diff)
        }
        return worst
    }

    /// At the last step, in ℝᵈ: max_{k,b} |Z_{k,b} − ⟨w_k, b⟩| / (‖w_k‖‖b‖), the inner products
    /// training used against those of the filters rebuilt in ℝᵈ. This checks the bookkeeping
    /// (Z = Z⁽⁰⁾ + C G, hence the Gram matrix) on which the Gram-measured decomposition error rests.
    private func bookkeepingError(_ w: Matrix, basis: CoefficientBasis, z: Matrix) -> Double {
        let direct = basis.innerProducts(of: w, worker: worker)
        let basisNorms = (0..<basis.count).map { basis.gram[$0, $0].squareRoot() }
        var worst = 0.0
        for k in 0..<w.rows {
            let wNorm = w.storage.withUnsafeBufferPointer { BLAS.dot($0.baseAddress! + k * w.cols, $0.baseAddress! + k * w.cols, count: w.cols) }
                .squareRoot()
            for b in 0..<basis.count where basisNorms[b] > 0 && wNorm > 0 {
                worst = max(worst, abs(z[k, b] - direct[k, b]) / (wNorm * basisNorms[b]))
            }
        }
        return worst
    }
}

extension Matrix {
    /// Column j as an array.
    func column(_ j: Int) -> [Double] { (0..<rows).map { self[$0, j] } }

    /// Elementwise sum with a matrix of the same shape.
    func adding(_ other: Matrix) -> Matrix {
        precondition(rows == other.rows && cols == other.cols)
        return Matrix(rows: rows, cols: cols, storage: zip(storage, other.storage).map { $0 + $1 })
    }
}

/// One training set's per-step work in coefficient space, on buffers allocated once per run
/// (measured: the per-step arrays were a third of a small step's time), through
/// ``CoefficientKernel`` (C, for the CPU's widest instruction set).
///
/// Forward: f(W, x_i) = (1/m) Σ_r [Σ_q σ(⟨w_{+1,r}, x_i^{(q)}⟩) − Σ_q σ(⟨w_{−1,r}, x_i^{(q)}⟩)] read off
/// Z = (⟨w_k, b⟩), 2m × K, without forming the pre-activation matrix: the signal patch q of sample
/// i has ⟨w_k, ŷ_i s_q⟩ = ŷ_i Z_{k,q} (so its contribution depends on ŷ_i only), the noise patch
/// ⟨w_k, ξ_i⟩ = Z_{k,S+i}; then ℓ′_i = ℓ′(y_i f_i).
///
/// Descent: C ← C − η ∂C with g_i = ℓ′_i y_i/(nm) and j_k = ±1 the filter's class:
/// ∂c_{k,q} = j_k Σ_i g_i ŷ_i 1[ŷ_i Z_{k,q} > 0] = j_k (G₊ 1[Z_{k,q} > 0] − G₋ 1[Z_{k,q} < 0]) with
/// G_± = Σ_{i: ŷ_i = ±1} g_i (signal q), and ∂c_{k,S+i} = j_k g_i 1[Z_{k,S+i} > 0].
///
/// Inner products: Z ← Z⁽⁰⁾ + C G, in the kernel's own loops up to ``fusedLimit`` and through
/// BLAS (with the run's worker thread) above it.
struct CoefficientStep {
    let kernel: CoefficientKernel
    /// Rows that move (not frozen).
    let moving: [Bool]
    /// f(W, x_i) and ℓ′_i at the last `forward`.
    private(set) var outputs: [Double]
    private(set) var lossDerivatives: [Double]
    private var scratch: [Double]

    /// The largest K whose product Z⁽⁰⁾ + C G the kernel forms itself, fused with the rest of the
    /// step; above it BLAS is faster. Measured on a 2-core AVX-512 machine: at K = 30, 2m = 10 the
    /// fused step gave 23 GFLOP/s against 17 for BLAS's product and the Swift loops (`ptv bench`), at
    /// K = 130, 2m = 40 about 25 against 42 (README, "The coefficient engine").
    static let fusedLimit = 48

    /// Whether K ≤ ``fusedLimit``: whole steps run in the kernel, which then holds G.
    let fused: Bool
    /// G and Z⁽⁰⁾, and the run's worker thread, for BLAS's product above the fused limit.
    private let gram: Matrix, initialInner: Matrix, worker: SpinningWorker?

    init(data: Dataset, m: Int, signalCount: Int, frozen: [Bool]?, gram: Matrix, initialInner: Matrix, eta: Double,
         worker: SpinningWorker?) {
        moving = (0..<(2 * m)).map { frozen?[$0] != true }
        fused = gram.cols <= Self.fusedLimit
        kernel = CoefficientKernel(gram: fused ? gram : nil, initialInner: initialInner, half: m, signal: signalCount,
                                   labels: data.labels, trueLabels: data.trueLabels, moving: moving, eta: eta)
        self.gram = gram
        self.initialInner = initialInner
        self.worker = worker
        outputs = [Double](repeating: 0, count: data.count)
        lossDerivatives = outputs
        scratch = [Double](repeating: 0, count: kernel.scratchCount)
    }

    /// Outputs and ℓ′ at inner products `z` (the score, with its n logarithms, is taken only where
    /// it is recorded).
    mutating func forward(_ z: Matrix) {
        kernel.forward(z, outputs: &outputs, derivatives: &lossDerivatives, scratch: &scratch)
    }

    /// C ← C − η ∂C at inner products `z`, from the ℓ′ of the last `forward` at the same `z`.
    mutating func descend(_ c: inout Matrix, basisInner z: Matrix) {
        kernel.descend(&c, at: z, derivatives: lossDerivatives, scratch: &scratch)
    }

    /// Z ← Z⁽⁰⁾ + C G by BLAS (with the run's worker thread), then the forward pass at the new Z:
    /// the step above ``fusedLimit``.
    mutating func update(_ z: inout Matrix, from c: Matrix) {
        BLAS.product(c, gram, adding: initialInner, into: &z, worker: worker)
        forward(z)
    }

    /// `count` whole steps (descend, update) with nothing recorded in between: one call into the
    /// kernel when K is small.
    mutating func advance(_ count: Int, _ c: inout Matrix, _ z: inout Matrix) {
        if fused {
            kernel.advance(count, c: &c, z: &z, outputs: &outputs, derivatives: &lossDerivatives, scratch: &scratch)
        } else {
            for _ in 0..<count {
                descend(&c, basisInner: z)
                update(&z, from: c)
            }
        }
    }
}
