//===--- RegimeConstant.swift ---------------------------------------------===//

import Foundation

/// How far inside a statement's technical conditions a configuration is (docs/theory.md §6a).
///
/// Every condition of §6 is monotone in its absolute constant C: it holds for all C up to some
/// C* and fails beyond. `value` is C_max = min over the conditions of their C*, `binding` the
/// condition attaining it. Conditions without C do not restrict it (C_max = +∞ when none does).
public struct RegimeConstant: Sendable, Equatable {
    /// C_max: the largest C at which every condition holds (0 when one fails at every C > 0).
    public var value: Double
    /// The condition attaining C_max (nil when no condition involves C).
    public var binding: String?

    public init(value: Double, binding: String?) {
        self.value = value
        self.binding = binding
    }

    /// C_max over `conditions` (label, relation) that mention `constant`, in `environment`.
    package static func of(_ conditions: [(label: String, relation: Relation)], constant: String = "C",
                          in environment: Environment) throws(EvaluationError) -> RegimeConstant {
        var best = RegimeConstant(value: .infinity, binding: nil)
        for (label, relation) in conditions where relation.identifiers.contains(constant) {
            let c = try relation.largestConstant(constant, in: environment)
            if c < best.value || best.binding == nil { best = RegimeConstant(value: min(c, best.value), binding: label) }
        }
        return best
    }

    /// Whether `relation` restricts `constant` (mentions it).
    public static func involves(_ relation: Relation, constant: String = "C") -> Bool {
        relation.identifiers.contains(constant)
    }
}

extension Relation {
    /// C* = sup{c > 0 : the relation holds with `constant` = c}, for a relation that gets
    /// stricter as the constant grows (docs/theory.md §6a).
    ///
    /// Exact for the form of every §6 condition: one side independent of c and the other
    /// r(c) = r(1)·c^s with s ≠ 0 (e.g. `d >= C*X`: s = 1; `eta <= 1/(C*X)`, `p <= 1/C`: s = −1).
    /// The power is read off r(2)/r(1) and confirmed at c = 4 and c = ½ (relative 1e-9); then
    /// C* = (other side / r(1))^{1/s} when the relation tightens with c. Any other shape is
    /// solved by bisection on log c over [1e-150, 1e150] (60 halvings of the exponent: c to a
    /// relative 1e-15; a side that overflows counts as failing), assuming it holds below C* and fails above.
    package func largestConstant(_ constant: String, in environment: Environment) throws(EvaluationError) -> Double {
        func sides(_ c: Double) throws(EvaluationError) -> (Double, Double) {
            let env = environment.setting(constant, c)
            return (try lhs.evaluate(in: env).value, try rhs.evaluate(in: env).value)
        }
        func holds(_ c: Double) -> Bool {   // a side that cannot be evaluated at c (overflow) counts as failing
            ((try? compare(in: environment.setting(constant, c)))?.outcome ?? .fails) != .fails
        }
        let (l1, r1) = try sides(1), (l2, r2) = try sides(2)
        // Which side moves with c, and as which power.
        let (fixed, moving1, moving2, movingOnRight): (Double, Double, Double, Bool) =
            l1 == l2 ? (l1, r1, r2, true) : r1 == r2 ? (r1, l1, l2, false) : (.nan, .nan, .nan, true)
        if fixed.isFinite, moving1 != 0, moving1.isFinite, moving2.isFinite, moving2 / moving1 > 0 {
            let s = log2(moving2 / moving1)
            let (l4, r4) = try sides(4), (lh, rh) = try sides(0.5)
            let moving4 = movingOnRight ? r4 : l4, movingHalf = movingOnRight ? rh : lh
            let powerLaw = s.isFinite && s != 0
                && abs(moving4 - moving1 * pow(4, s)) <= 1e-9 * abs(moving4)
                && abs(movingHalf - moving1 * pow(0.5, s)) <= 1e-9 * abs(movingHalf)
            // "fixed ≥ moving" (or "moving ≤ fixed") tightens as moving grows, i.e. when s > 0.
            let fixedMustBeLarger = movingOnRight == op.claimsLeftLarger
            if powerLaw && (fixedMustBeLarger == (s > 0)) {
                let ratio = fixed / moving1
                return ratio > 0 ? pow(ratio, 1 / s) : (fixedMustBeLarger ? 0 : .infinity)
            }
        }
        // General monotone case.
        var lo = -150.0, hi = 150.0   // log10 c
        if holds(pow(10, hi)) { return .infinity }
        if !holds(pow(10, lo)) { return 0 }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if holds(pow(10, mid)) { lo = mid } else { hi = mid }
        }
        return pow(10, lo)
    }
}
