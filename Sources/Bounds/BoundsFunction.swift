//===--- BoundsFunction.swift ---------------------------------------------===//

/// The built-in functions of the bounds language.
///
/// Special functions and distributions are evaluated with GSL's error-estimating (`_e`)
/// routines; see `evaluate(in:)`.
public enum BoundsFunction: String, Hashable, Sendable, CaseIterable {
    /// Natural logarithm, argument > 0.
    case log
    /// Exponential.
    case exp
    /// Square root, argument ≥ 0.
    case sqrt
    /// Absolute value.
    case abs
    /// Minimum of two or more arguments.
    case min
    /// Maximum of two or more arguments.
    case max
    /// Error function erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt.
    case erf
    /// Complementary error function erfc(x) = 1 − erf(x).
    case erfc
    /// Standard normal upper tail Q(x) = P(Z > x).
    case Q
    /// Standard normal distribution function Φ(x) = P(Z ≤ x).
    case Phi
    /// Standard normal quantile Φ⁻¹(q), q ∈ (0, 1).
    case Phiinv
    /// Principal branch W₀ of Lambert's W, argument ≥ −1/e.
    case lambertW0

    /// Allowed argument counts.
    var arity: ClosedRange<Int> {
        switch self {
        case .min, .max: 2...64
        default: 1...1
        }
    }
}
