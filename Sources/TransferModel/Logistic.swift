import Foundation

/// The logistic loss ℓ(z) = log(1 + e^{−z}) and its derivative, computed without overflow or
/// cancellation for margins of any size (docs/theory.md §3, `predecessor`).
package enum Logistic {
    /// ℓ(z) = log(1 + e^{−z}) = max(−z, 0) + log1p(e^{−|z|}).
    @inlinable
    public static func loss(_ z: Double) -> Double {
        max(-z, 0) + log1p(exp(-abs(z)))
    }

    /// ℓ′(z) = −1/(1 + e^{z}) ∈ (−1, 0); for z ≥ 0 written as −e^{−z}/(1 + e^{−z}) so that
    /// large margins give tiny, accurate values instead of 0 − 0.
    @inlinable
    public static func derivative(_ z: Double) -> Double {
        if z >= 0 {
            let e = exp(-z)
            return -e / (1 + e)
        }
        return -1 / (1 + exp(z))
    }
}
