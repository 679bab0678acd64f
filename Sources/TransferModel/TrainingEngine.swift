/// The implementation that runs gradient descent for a phase (config key `engine`).
///
/// Both engines run the same full-batch gradient descent of docs/theory.md §3 and give the same
/// filters, activation patterns, recordings and test predictions to rounding error:
///
/// - `weights` updates the 2m filters in ℝᵈ: two products of the (nP) × d patch matrix with
///   the 2m × d filters per step, about 4m·n·P·d multiply–adds.
/// - `coefficients` uses the exact decomposition of docs/theory.md §5: every filter stays in
///   w⁽⁰⁾ + span{s₁, …, s_S, ξ₁, …, ξ_n} (S = P − 1 signal patches), so it keeps the 2m × K
///   coordinates (K = S + n) and the inner products ⟨w_k, b⟩ with the K basis vectors, which
///   follow from the Gram matrix of the basis and the initial inner products: one set-up of
///   about K²·d + 2m·K·d multiply–adds, then about 2m·K² per step.
/// - `auto` picks, per phase, the engine with fewer estimated multiply–adds (see
///   ``estimatedMultiplyAdds(n:d:m:patchCount:steps:)``): in practice `coefficients` whenever the
///   training set is small next to the dimension (n ≲ d), `weights` when n ≫ d.
public enum TrainingEngine: String, Sendable, CaseIterable, Codable {
    case weights
    case coefficients
    case auto

    /// Estimated multiply–adds of training one phase with each concrete engine.
    ///
    /// weights: T · 4m·n·P·d (forward X Wᵀ and backward Gᵀ X, each 2m·nP·d);
    /// coefficients: K²·d (Gram matrix) + 2m·K·d (initial inner products) + T · 2m·K² (K = n + P − 1).
    /// Recording and test scoring cost about the same in both and are left out.
    public static func estimatedMultiplyAdds(n: Int, d: Int, m: Int, patchCount P: Int, steps T: Int)
        -> (weights: Double, coefficients: Double) {
        let n = Double(n), d = Double(d), m = Double(m), p = Double(P), t = Double(T)
        let k = n + p - 1
        return (weights: t * 4 * m * n * p * d, coefficients: k * k * d + 2 * m * k * d + t * 2 * m * k * k)
    }

    /// The concrete engine (`weights` or `coefficients`) for a phase of n samples and T steps.
    public func resolved(n: Int, d: Int, m: Int, patchCount P: Int, steps T: Int) -> TrainingEngine {
        guard self == .auto else { return self }
        let cost = TrainingEngine.estimatedMultiplyAdds(n: n, d: d, m: m, patchCount: P, steps: T)
        return cost.coefficients < cost.weights ? .coefficients : .weights
    }
}
