//===--- DimensionThreshold.swift -----------------------------------------===//

import NumericsCore

/// The dimension threshold d* of Theorem 4.2 (docs/theory.md §6, `d_star`; provenance
/// reconstruction, paper shape).
///
/// With everything but d fixed, Γ(α; d) = a²/(c·d + c′) where
///
/// ```
/// a  = α N₁‖u‖²/σ_{p,1}² + (1−α) N₂‖μ₂‖²/σ_{p,2}²
/// c  = α² N₁ σ_{p,2}²/σ_{p,1}² + (1−α)² N₂
/// c′ = α² N₁² σ_{p,2}² ‖v₁‖²/σ_{p,1}⁴
/// ```
///
/// so Γ is decreasing in d and crosses C1 once, at d* = (a²/C1 − c′)/c, when a²/C1 > c′;
/// otherwise Γ < C1 at every d and there is no threshold. Units: patch dimension
/// (continuous; round up for an integer d).
package struct DimensionThreshold: Sendable, Equatable {
    /// a, c, c′ as above.
    public var a: Double, c: Double, cPrime: Double
    /// The threshold constant C1.
    public var c1: Double
    /// Closed form (a²/C1 − c′)/c, or nil when a²/C1 ≤ c′.
    var closedForm: Double?
    /// Independent check: the root of Γ(α; d) − C1, with Γ evaluated from its definition
    /// (not from a, c, c′), found by GSL's Brent solver; nil when there is no sign change.
    var rootFinding: Double?
    /// Why root finding gave no value, if it failed for another reason than "no threshold".
    var rootFindingFailure: String?

    /// Relative difference of the two answers, |x − y| / max(|x|, |y|): 0 when they are equal
    /// (both nil, both 0 or the same infinity), +∞ when only one exists or the difference is not
    /// a finite number — never NaN.
    var relativeDisagreement: Double {
        switch (closedForm, rootFinding) {
        case (nil, nil): return 0
        case (let x?, let y?):
            if x == y { return 0 }
            let ratio = abs(x - y) / max(abs(x), abs(y))
            return ratio.isFinite ? ratio : .infinity
        default: return .infinity
        }
    }

    /// Compute both answers on `environment` (a theory environment, see
    /// ``Environment/theory(configuration:constants:task:)``).
    public init(in environment: Environment) throws(EvaluationError) {
        func value(_ id: String) throws(EvaluationError) -> Double {
            try Formula.variable(id).evaluate(in: environment).value
        }
        a = try value("d_star_a")
        c = try value("d_star_c")
        cPrime = try value("d_star_cprime")
        c1 = try value("C1")
        closedForm = a * a / c1 > cPrime && c > 0 ? (a * a / c1 - cPrime) / c : nil

        // Root finding on Γ's own definition; d varies, everything else is fixed.
        let gamma = Formula.variable("Gamma")
        func f(_ d: Double) throws -> Double {
            try gamma.evaluate(in: environment.setting("d", d)).value - c1
        }
        do {
            let lower = 1e-9
            guard try f(lower) > 0 else { rootFinding = nil; return }
            var upper = 1.0
            var steps = 0
            while try f(upper) > 0 {
                upper *= 2
                steps += 1
                if steps > 1100 { rootFinding = nil; rootFindingFailure = "no sign change up to d = 1e308"; return }
            }
            rootFinding = try GSL.brentRoot(lower: lower, upper: upper, absoluteTolerance: 0,
                                            relativeTolerance: 1e-14, maxIterations: 1000, f)
        } catch {
            rootFinding = nil
            rootFindingFailure = "\(error)"
        }
    }
}
