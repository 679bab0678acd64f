//===--- Formula+Differentiation.swift ---------------------------------===//

import Foundation

extension Formula {
    /// The symbolic partial derivative ∂self/∂`variable`, simplified.
    ///
    /// Rules: sum, product, quotient and chain rules; `u^k` with constant k gives
    /// `k·u^(k−1)·u′`, `a^v` with constant a gives `a^v·log(a)·v′`, and the general power
    /// `u^v·(v′·log(u) + v·u′/u)`. Function derivatives:
    ///
    /// ```
    /// log′ = 1/u          exp′ = exp(u)          sqrt′ = 1/(2·sqrt(u))     abs′ = u/abs(u)
    /// erf′ = 2/√π·e^{−u²}  erfc′ = −erf′          Q′ = −φ(u)   Phi′ = φ(u)   φ(u) = e^{−u²/2}/√(2π)
    /// Phiinv′ = √(2π)·exp(Phiinv(u)²/2)           lambertW0′ = exp(−W₀(u))/(1 + W₀(u))
    /// min(a,b) = (a + b − |a − b|)/2,   max(a,b) = (a + b + |a − b|)/2
    /// ```
    ///
    /// so `abs`, `min` and `max` are differentiated away from their kinks (where the
    /// derivative expression divides by zero and evaluation throws a domain error).
    ///
    /// Identifiers defined in `definitions` are expanded first, so the derivative of `Gamma`
    /// with respect to `alpha` follows `A_u`, `B_1`, … down to the configuration values.
    public func derivative(withRespectTo variable: String,
                           definitions: DefinitionSet = DefinitionSet()) -> Formula {
        definitions.expanded(self).rawDerivative(variable).simplified()
    }

    private func rawDerivative(_ x: String) -> Formula {
        let zero = Formula.number(0), one = Formula.number(1)
        guard identifiers.contains(x) else { return zero }
        switch self {
        case .number: return zero
        case .variable(let name): return name == x ? one : zero
        case .negate(let a): return .negate(a.rawDerivative(x))
        case .binary(let op, let a, let b):
            let da = a.rawDerivative(x), db = b.rawDerivative(x)
            switch op {
            case .add: return da + db
            case .subtract: return da - db
            case .multiply: return da * b + a * db
            case .divide: return (da * b - a * db) / b.power(.number(2))
            case .power:
                if !b.identifiers.contains(x) {
                    return b * a.power(b - one) * da
                }
                if !a.identifiers.contains(x) {
                    return self * .call(.log, [a]) * db
                }
                return self * (db * .call(.log, [a]) + b * da / a)
            }
        case .call(let f, let args):
            let u = args[0], du = u.rawDerivative(x)
            let twoPi = Formula.number(2 * Double.pi)
            switch f {
            case .log: return du / u
            case .exp: return self * du
            case .sqrt: return du / (.number(2) * self)
            case .abs: return u * du / self
            case .min, .max:
                var rest = args.dropFirst()
                let b = args.count == 2 ? args[1] : .call(f, Array(rest))
                rest = []
                let spread = Formula.call(.abs, [u - b])
                let rewritten = f == .min ? (u + b - spread) / .number(2) : (u + b + spread) / .number(2)
                return rewritten.rawDerivative(x)
            case .erf, .erfc:
                let slope = Formula.number(2 / Double.pi.squareRoot()) * .call(.exp, [.negate(u.power(.number(2)))])
                return f == .erf ? slope * du : .negate(slope) * du
            case .Q, .Phi:
                let density = Formula.call(.exp, [.negate(u.power(.number(2))) / .number(2)]) / .call(.sqrt, [twoPi])
                return f == .Phi ? density * du : .negate(density) * du
            case .Phiinv:
                return .call(.sqrt, [twoPi]) * .call(.exp, [self.power(.number(2)) / .number(2)]) * du
            case .lambertW0:
                return .call(.exp, [.negate(self)]) / (one + self) * du
            }
        }
    }
}
