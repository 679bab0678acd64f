import Vocabulary

extension TrainingEngine {
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
