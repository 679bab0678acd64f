import NumericsCore

/// Confidence bounds for a binomial proportion (Clopper–Pearson, exact), from GSL's Beta quantiles.
public enum BinomialBound {
    /// One-sided upper bound U with P(p ≤ U) ≥ `confidence` after k successes in n trials:
    /// U = Beta⁻¹(confidence; k + 1, n − k), and 1 when k = n.
    public static func upper(_ k: Int, _ n: Int, confidence: Double) throws -> Double {
        precondition(n > 0 && k >= 0 && k <= n)
        return k == n ? 1 : try GSL.betaQuantile(confidence, a: Double(k + 1), b: Double(n - k))
    }

    /// One-sided lower bound L with P(p ≥ L) ≥ `confidence`: L = Beta⁻¹(1 − confidence; k, n − k + 1), and 0 when k = 0.
    public static func lower(_ k: Int, _ n: Int, confidence: Double) throws -> Double {
        precondition(n > 0 && k >= 0 && k <= n)
        return k == 0 ? 0 : try GSL.betaQuantile(1 - confidence, a: Double(k), b: Double(n - k + 1))
    }
}
