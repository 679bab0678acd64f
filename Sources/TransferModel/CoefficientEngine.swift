import Foundation
import NumericsCore

/// The basis in which the coefficient-space engine keeps the filters of one training set
/// (THEORY.md §5, `predecessor`, exact).
///
/// b₁ … b_S are the signal patches of a true-label-+1 sample in patch order (μ_k in the
/// combined layout; u and v_k in the separate one), b_{S+i} = ξ_i the training noises, K = S + n.
/// Every gradient step adds a combination of ±b's to each filter (each patch is ŷ_i s_q or ξ_i),
/// so w_k⁽ᵗ⁾ = w_k⁽⁰⁾ + Σ_b c_{k,b} b exactly, and every inner product training needs is
/// ⟨w_k⁽ᵗ⁾, b⟩ = ⟨w_k⁽⁰⁾, b⟩ + (C G)_{k,b} with G = B Bᵀ the Gram matrix.
///
/// Built once per training set; transfer and scratch share it (same downstream data).
public struct CoefficientBasis: Sendable {
    /// S, the number of signal patches.
    public let signalCount: Int
    /// The basis vectors as rows, K × d.
    public let vectors: Matrix
    /// G = B Bᵀ, K × K.
    public let gram: Matrix
    /// ⟨b, u⟩, ⟨b, v₁⟩, ⟨b, v₂⟩ per basis vector, K × 3.
    public let probeInner: Matrix
    /// u, v₁, v₂ as rows, 3 × d.
    let probeVectors: Matrix

    public init(distribution: TaskDistribution, data: Dataset, probes: SignalVectors) {
        let signals = distribution.signals
        signalCount = signals.count
        var storage = [Double]()
        storage.reserveCapacity((signals.count + data.count) * data.dimension)
        for s in signals { storage += s }
        for i in 0..<data.count { storage += data.noiseRow(i) }
        vectors = Matrix(rows: signals.count + data.count, cols: data.dimension, storage: storage)
        gram = BLAS.gram(vectors)
        probeVectors = Matrix(rows: 3, cols: data.dimension, storage: probes.u + probes.v1 + probes.v2)
        probeInner = BLAS.product(vectors, probeVectors, transB: true)
    }

    /// K = S + n.
    public var count: Int { vectors.rows }

    /// ⟨w_k, b⟩ for every row of `filters` and every basis vector: filters · Bᵀ, rows × K.
    public func innerProducts(of filters: Matrix) -> Matrix {
        BLAS.product(filters, vectors, transB: true)
    }

    /// ⟨w_k, u⟩, ⟨w_k, v₁⟩, ⟨w_k, v₂⟩ for every row of `filters`, rows × 3.
    public func probeProducts(of filters: Matrix) -> Matrix {
        BLAS.product(filters, probeVectors, transB: true)
    }
}

/// A finished coefficient-space run: the public `TrainingRun` plus the representation it was
/// trained in, which also scores test sets.
public struct CoefficientRun: Sendable {
    public let run: TrainingRun
    /// The final coordinates c_{k,b}, 2m × K.
    public let coordinates: Matrix
    /// The final inner products ⟨w_k, b⟩, 2m × K.
    public let basisInner: Matrix
    /// S, the number of signal patches.
    public let signalCount: Int

    /// Outputs f(W, x_t) of the final filters on a test set of the same task, from its reduced
    /// representation (``TestSet``; THEORY.md §5).
    ///
    /// Signal patches are ŷ_t s_q, so ⟨w_k, ŷ_t s_q⟩ = ŷ_t Z_{k,q}. For the noise patch,
    /// P w_k = P w_k⁽⁰⁾ + Σ_i c_{k,S+i} ξ_i (P s_q = 0: the signals lie in span{û, v̂_k}), so
    /// ⟨w_k, ξ_t⟩ = a_{t,ι(k)} + Σ_i c_{k,S+i} a_{t,F+i}, where ι(k) = `filterIndex[k]` is the
    /// spanning vector that is w_k⁽⁰⁾ and F is the number of spanning filters (the training
    /// noises follow them, in order). Cost 2m·r per sample instead of 2m·d.
    public func testOutputs(_ test: TestSet, filterIndex: [Int]) -> [Double] {
        let twoM = coordinates.rows, K = coordinates.cols, S = signalCount, n = K - S
        let r = test.spanInner.cols, f = r - n
        precondition(filterIndex.count == twoM && filterIndex.allSatisfy { $0 >= 0 && $0 < f }, "spanning set does not match")
        var span = Matrix(rows: twoM, cols: r)
        for k in 0..<twoM {
            span[k, filterIndex[k]] = 1
            for i in 0..<n { span[k, f + i] = coordinates[k, S + i] }
        }
        let z = GradientDescent.preactivations(
            basisInner: basisInner, signalCount: S, trueLabels: test.trueLabels, patchCount: test.patchCount,
            noiseInner: test.noiseProducts(coefficients: span))
        return run.final.outputs(fromPreactivations: z, patchCount: test.patchCount)
    }
}

/// Full-batch gradient descent of THEORY.md §3 run in the coordinates of
/// ``CoefficientBasis`` — exact, not an approximation (THEORY.md §5).
///
/// Per step, with Z_b = ⟨w_k, b⟩ (2m × K):
/// pre-activations ⟨w_k, ŷ_i s_q⟩ = ŷ_i Z_{k,q}, ⟨w_k, ξ_i⟩ = Z_{k,S+i};
/// ℓ′_i and the activation weights g_{iq,k} = ℓ′_i y_i j_k 1[⟨w_k, x_i^{(q)}⟩ > 0]/(nm) as in weight space;
/// the gradient in coordinates, ∂c_{k,q} = Σ_i g_{iq,k} ŷ_i (q ≤ S) and ∂c_{k,S+i} = g_{i,P,k};
/// C ← C − η ∂C, and Z ← Z⁽⁰⁾ + C G (recomputed, so no error accumulates in Z).
///
/// The recorder accumulates γ, ρ̄, ρ̲ with its own §5 update rules, independently of C.
/// `decompositionRelativeError` of each snapshot is the same quantity the weight engine
/// reports, max_k ‖w_k − w̃_k‖/‖w_k‖ with w_k the engine's filter and w̃_k the filter rebuilt from
/// the recorded γ, ρ̄, ρ̲; here both norms are evaluated exactly through the Gram matrix,
/// ‖Σ_b δ_b b‖² = δᵀ G δ and ‖w_k‖² = ‖w_k⁽⁰⁾‖² + c_k·Z⁽⁰⁾_k + c_k·Z_k. At the last step the filters
/// are rebuilt in ℝᵈ and the value is the largest of: that Gram measure, the same difference
/// measured in ℝᵈ, and the bookkeeping error max_{k,b} |Z_{k,b} − ⟨w_k, b⟩_ℝᵈ| / (‖w_k‖‖b‖) of the
/// inner products training used against those of the rebuilt filters.
extension GradientDescent {
    /// Train `initial` on `data` (whose basis is `basis`) in coefficient space, with the same
    /// step size, step count and recording interval as ``train(_:on:distribution:probes:frozen:progress:)``.
    /// `initialInner` may pass ⟨w_k⁽⁰⁾, b⟩ when the caller already has them (e.g. rows shared by
    /// transfer and scratch).
    public func trainInCoefficients(_ initial: FilterBank, on data: Dataset, basis: CoefficientBasis,
                      distribution: TaskDistribution, probes: SignalVectors, frozen: [Bool]? = nil,
                      initialInner: Matrix? = nil, progress: ((Int) -> Void)? = nil) -> CoefficientRun {
        let start = Date()
        let m = initial.m, twoM = 2 * m, n = data.count, P = data.patchCount
        let S = basis.signalCount, K = basis.count, d = initial.dimension
        precondition(K == S + n && S == P - 1, "basis does not match the training set")
        var recorder = CoefficientRecorder(distribution: distribution, data: data, m: m, probes: probes)
        let frozenMask = frozen?.contains(true) == true ? frozen : nil

        let z0 = initialInner ?? basis.innerProducts(of: initial.weights)
        let probe0 = basis.probeProducts(of: initial.weights)
        let w0NormsSq = (0..<twoM).map { k in
            initial.weights.storage.withUnsafeBufferPointer { BLAS.dot($0.baseAddress! + k * d, $0.baseAddress! + k * d, count: d) }
        }
        var c = Matrix(rows: twoM, cols: K)
        var z = z0
        var final = initial
        let progressEvery = max(1, steps / 10)
        var pass = forward(z, signalCount: S, data: data, bank: initial)
        for t in 0...steps {
            if t > 0 {
                z = z0
                multiplyAdd(c, basis.gram, into: &z)
                pass = forward(z, signalCount: S, data: data, bank: initial)
            }
            if t == steps {
                final = FilterBank(m: m, weights: rebuild(initial.weights, c, basis))
            }
            if t % recordEvery == 0 || t == steps {
                let inner = probe0.adding(BLAS.product(c, basis.probeInner))
                var error = gramDecompositionError(c: c, recorded: recorder.basisCoordinates(), gram: basis.gram,
                                                   z0: z0, z: z, w0NormsSq: w0NormsSq)
                if t == steps {
                    error = max(error, directDecompositionError(final.weights, recorder: recorder, initial: initial,
                                                                data: data, basis: basis, z: z))
                }
                var noiseInner = Matrix(rows: twoM, cols: n)
                for k in 0..<twoM { for i in 0..<n { noiseInner[k, i] = z[k, S + i] } }
                recorder.append(step: t, pass: pass, innerU: inner.column(0), innerV1: inner.column(1),
                                innerV2: inner.column(2), innerNoise: noiseInner, decompositionRelativeError: error)
            }
            if t == steps { break }
            recorder.accumulate(pass, data: data, eta: eta, frozen: frozenMask)
            descend(&c, pass: pass, data: data, signalCount: S, frozen: frozenMask)
            if let progress, (t + 1) % progressEvery == 0 { progress(t + 1) }
        }
        let run = TrainingRun(initial: initial, final: final, snapshots: recorder.snapshots, trainScore: pass.score,
                              steps: steps, seconds: Date().timeIntervalSince(start), noiseNormsSq: recorder.noiseNormsSq)
        return CoefficientRun(run: run, coordinates: c, basisInner: z, signalCount: S)
    }

    /// The (n·P) × 2m pre-activation matrix of `data` (laid out as in weight space) from the
    /// inner products with the basis: signal rows ŷ_i ⟨w_k, b_q⟩; noise rows from `noiseInner`
    /// (2m × n, ⟨w_k, ξ_i⟩) or, when nil, from columns S… of `basisInner`.
    static func preactivations(basisInner z: Matrix, signalCount S: Int, trueLabels: [Double], patchCount P: Int,
                               noiseInner: Matrix? = nil) -> Matrix {
        let n = trueLabels.count, twoM = z.rows, K = z.cols
        var out = Matrix(rows: n * P, cols: twoM)
        z.storage.withUnsafeBufferPointer { zp in
            out.storage.withUnsafeMutableBufferPointer { op in
                trueLabels.withUnsafeBufferPointer { yh in
                    for i in 0..<n {
                        for q in 0..<S {
                            let row = op.baseAddress! + (i * P + q) * twoM
                            let sign = yh[i]
                            for k in 0..<twoM { row[k] = sign * zp[k * K + q] }
                        }
                        let row = op.baseAddress! + (i * P + P - 1) * twoM
                        if let noiseInner {
                            for k in 0..<twoM { row[k] = noiseInner.storage[k * n + i] }
                        } else {
                            for k in 0..<twoM { row[k] = zp[k * K + S + i] }
                        }
                    }
                }
            }
        }
        return out
    }

    private func forward(_ z: Matrix, signalCount S: Int, data: Dataset, bank: FilterBank) -> ForwardPass {
        let pre = GradientDescent.preactivations(basisInner: z, signalCount: S, trueLabels: data.trueLabels,
                                                         patchCount: data.patchCount)
        let f = bank.outputs(fromPreactivations: pre, patchCount: data.patchCount)
        let derivatives = zip(data.labels, f).map { Logistic.derivative($0 * $1) }
        return ForwardPass(preactivations: pre, outputs: f, lossDerivatives: derivatives, score: Score(outputs: f, data: data))
    }

    /// C ← C − η ∂C with ∂c_{k,q} = Σ_i g_{iq,k} ŷ_i (signal q) and ∂c_{k,S+i} = g_{i,noise,k}.
    private func descend(_ c: inout Matrix, pass: ForwardPass, data: Dataset, signalCount S: Int, frozen: [Bool]?) {
        let n = data.count, P = data.patchCount, twoM = c.rows, K = c.cols, m = twoM / 2
        let scale = 1 / (Double(n) * Double(m))
        pass.preactivations.storage.withUnsafeBufferPointer { zp in
            c.storage.withUnsafeMutableBufferPointer { cp in
                for i in 0..<n {
                    let g = pass.lossDerivatives[i] * data.labels[i] * scale
                    let yHat = data.trueLabels[i]
                    for q in 0..<P {
                        let row = zp.baseAddress! + (i * P + q) * twoM
                        let column = q < S ? q : S + i
                        let factor = q < S ? yHat : 1
                        for k in 0..<twoM where row[k] > 0 {
                            if let frozen, frozen[k] { continue }
                            let gk = k < m ? g : -g
                            cp[k * K + column] -= eta * gk * factor
                        }
                    }
                }
            }
        }
    }

    /// W⁽⁰⁾ + C B in ℝᵈ.
    private func rebuild(_ w0: Matrix, _ c: Matrix, _ basis: CoefficientBasis) -> Matrix {
        var w = w0
        multiplyAdd(c, basis.vectors, into: &w)
        return w
    }

    /// target ← target + a · b (BLAS, in place).
    private func multiplyAdd(_ a: Matrix, _ b: Matrix, into target: inout Matrix) {
        let rows = a.rows, cols = b.cols, inner = a.cols
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                target.storage.withUnsafeMutableBufferPointer { tp in
                    BLAS.gemm(ap.baseAddress!, bp.baseAddress!, tp.baseAddress!, m: rows, n: cols, k: inner, beta: 1)
                }
            }
        }
    }

    /// max_k ‖Σ_b (c − c̃)_{k,b} b‖ / ‖w_k‖, both norms through the Gram matrix.
    private func gramDecompositionError(c: Matrix, recorded: Matrix, gram: Matrix, z0: Matrix, z: Matrix,
                                        w0NormsSq: [Double]) -> Double {
        var delta = c
        for e in delta.storage.indices { delta.storage[e] -= recorded.storage[e] }
        let deltaG = BLAS.product(delta, gram)
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

    /// At the last step, in ℝᵈ: the recorded decomposition against the rebuilt filters, and the
    /// inner products training used against those of the rebuilt filters.
    private func directDecompositionError(_ w: Matrix, recorder: CoefficientRecorder, initial: FilterBank,
                                          data: Dataset, basis: CoefficientBasis, z: Matrix) -> Double {
        let rebuilt = recorder.rebuild(initial: initial, data: data)
        let direct = basis.innerProducts(of: w)
        let basisNorms = (0..<basis.count).map { basis.gram[$0, $0].squareRoot() }
        var worst = 0.0
        for (k, row) in CoefficientRecorder.rowRelativeErrors(w, rebuilt).enumerated() {
            let wNorm = row.norm
            worst = max(worst, row.relative)
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
