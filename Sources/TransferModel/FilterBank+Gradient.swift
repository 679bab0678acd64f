import NumericsCore

/// Everything one forward pass over the training set yields (docs/theory.md §3).
package struct ForwardPass: Sendable {
    /// Pre-activations Z = X Wᵀ, (n·P) × 2m.
    let preactivations: Matrix
    /// f(W, x_i).
    public let outputs: [Double]
    /// ℓ′_i = ℓ′(y_i f(W, x_i)) ∈ (−1, 0).
    let lossDerivatives: [Double]
    /// y_i and ŷ_i of the training set.
    let labels: [Double]
    let trueLabels: [Double]

    /// Training loss, error and clean error (computed when asked: n logarithms, needed only at
    /// recorded steps).
    public var score: Score { Score(outputs: outputs, labels: labels, trueLabels: trueLabels) }
}

extension FilterBank {
    /// One forward pass over `data`.
    func forward(_ data: Dataset) -> ForwardPass {
        let z = preactivations(data)
        let f = outputs(fromPreactivations: z, patchCount: data.patchCount)
        let derivatives = zip(data.labels, f).map { Logistic.derivative($0 * $1) }
        return ForwardPass(preactivations: z, outputs: f, lossDerivatives: derivatives, labels: data.labels,
                           trueLabels: data.trueLabels)
    }

    /// ∇_W L_S(W), 2m × d:
    /// ∇_{w_{j,r}} = (1/(nm)) Σ_i ℓ′_i y_i j Σ_q 1[⟨w_{j,r}, x_i^{(q)}⟩ > 0] x_i^{(q)}  (ReLU′(0) = 0).
    /// Rows flagged in `frozen` get a zero gradient.
    package func gradient(_ data: Dataset, pass: ForwardPass, frozen: [Bool]? = nil) -> Matrix {
        let g = activationWeights(data, pass: pass, frozen: frozen)
        return BLAS.product(g, transA: true, data.patches)
    }

    /// One gradient-descent step W ← W − η ∇L_S(W), done in place as a single BLAS call.
    mutating func descend(_ data: Dataset, pass: ForwardPass, eta: Double, frozen: [Bool]? = nil) {
        let g = activationWeights(data, pass: pass, frozen: frozen)
        let rows = g.rows, cols = weights.cols, twoM = 2 * m
        g.storage.withUnsafeBufferPointer { gp in
            data.patches.storage.withUnsafeBufferPointer { xp in
                weights.storage.withUnsafeMutableBufferPointer { wp in
                    BLAS.gemm(gp.baseAddress!, transA: true, xp.baseAddress!, wp.baseAddress!,
                              m: twoM, n: cols, k: rows, alpha: -eta, beta: 1)
                }
            }
        }
    }

    /// G[i·P + q, k] = ℓ′_i y_i j_k 1[Z[i·P + q, k] > 0] / (n m), so that ∇ = Gᵀ X.
    private func activationWeights(_ data: Dataset, pass: ForwardPass, frozen: [Bool]?) -> Matrix {
        let P = data.patchCount, n = data.count, twoM = 2 * m
        var g = Matrix(rows: n * P, cols: twoM)
        let scale = 1 / (Double(n) * Double(m))
        pass.preactivations.storage.withUnsafeBufferPointer { zp in
            g.storage.withUnsafeMutableBufferPointer { gp in
                for i in 0..<n {
                    let c = pass.lossDerivatives[i] * data.labels[i] * scale
                    for q in 0..<P {
                        let base = (i * P + q) * twoM
                        for k in 0..<twoM where zp[base + k] > 0 {
                            gp[base + k] = k < m ? c : -c
                        }
                    }
                }
                if let frozen {
                    for k in 0..<twoM where frozen[k] {
                        for row in 0..<(n * P) { gp[row * twoM + k] = 0 }
                    }
                }
            }
        }
        return g
    }
}
