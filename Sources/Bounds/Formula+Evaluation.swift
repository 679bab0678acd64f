//===--- Formula+Evaluation.swift --------------------------------------===//

import Foundation
import NumericsCore

extension Formula {
    /// Evaluate with a propagated absolute error estimate.
    ///
    /// Error model (first order, conservative): inputs carry their own error; every
    /// arithmetic operation adds one unit roundoff ε·|result| (ε = `Double.ulpOfOne`) and
    /// propagates input errors through the partial derivatives, e.g.
    ///
    /// ```
    /// err(a·b) = |a|·err(b) + |b|·err(a) + err(a)·err(b) + ε|a·b|
    /// err(a/b) = (err(a) + |a/b|·err(b)) / (|b| − err(b)) + ε|a/b|     (∞ if |b| ≤ err(b))
    /// err(f(a)) = GSL's estimate for f + |f′(a)|·err(a)
    /// ```
    ///
    /// Special functions (`log exp erf erfc Q Phi lambertW0`) use GSL's `_e` routines.
    /// An underflow (reported by GSL, or a 0 from a function that is never 0) returns 0
    /// with error `Double.leastNormalMagnitude` (the true value is smaller than that);
    /// every other GSL failure, and every domain error, is thrown as ``EvaluationError``
    /// naming the sub-expression. Nothing here can abort the process.
    package func evaluate(in environment: Environment) throws(EvaluationError) -> EstimatedValue {
        var evaluator = Evaluator(environment: environment)
        return try evaluator.evaluate(self)
    }

    /// Evaluate on exact values (no definitions).
    package func evaluate(_ values: [String: Double]) throws(EvaluationError) -> EstimatedValue {
        try evaluate(in: Environment(values))
    }
}

/// One evaluation: caches defined quantities so a shared definition is evaluated once.
struct Evaluator {
    let environment: Environment
    private var cache: [String: EstimatedValue] = [:]
    private var active: [String] = []

    init(environment: Environment) { self.environment = environment }

    private static let eps = Double.ulpOfOne

    mutating func evaluate(_ e: Formula) throws(EvaluationError) -> EstimatedValue {
        let result = try evaluateUnchecked(e)
        guard result.value.isFinite else { throw .overflow(subexpression: e.plainText) }
        if result.error.isNaN { return EstimatedValue(result.value, error: .infinity) }
        return result
    }

    private mutating func lookup(_ name: String) throws(EvaluationError) -> EstimatedValue {
        if let v = environment.values[name] { return v }
        if let v = cache[name] { return v }
        guard let definition = environment.definitions[name] else { throw .unknownIdentifier(name) }
        if active.contains(name) { throw .cycle(active + [name]) }
        active.append(name)
        let v = try evaluate(definition)
        active.removeLast()
        cache[name] = v
        return v
    }

    /// Run a GSL routine whose exact value is strictly positive (`exp erf erfc Q Phi` on
    /// their whole domain, `log lambertW0` need not be): a result of exactly 0 means the
    /// value underflowed, so its error is at least the smallest normal Double.
    private func gsl(_ e: Formula, positive: Bool = false,
                     _ body: () throws(GSLError) -> EstimatedValue) throws(EvaluationError) -> EstimatedValue {
        do {
            var r = try body()
            if positive && r.value == 0 { r.error = max(r.error, Double.leastNormalMagnitude) }
            return r
        } catch {
            if error.isUnderflow { return EstimatedValue(0, error: Double.leastNormalMagnitude) }
            throw .gsl(subexpression: e.plainText, error: error)
        }
    }

    private mutating func evaluateUnchecked(_ e: Formula) throws(EvaluationError) -> EstimatedValue {
        let eps = Evaluator.eps
        switch e {
        case .number(let x):
            return EstimatedValue(x, error: 0)
        case .variable(let name):
            return try lookup(name)
        case .negate(let a):
            let v = try evaluate(a)
            return EstimatedValue(-v.value, error: v.error)
        case .binary(let op, let a, let b):
            let x = try evaluate(a), y = try evaluate(b)
            switch op {
            case .add:
                let r = x.value + y.value
                return EstimatedValue(r, error: x.error + y.error + eps * abs(r))
            case .subtract:
                let r = x.value - y.value
                return EstimatedValue(r, error: x.error + y.error + eps * abs(r))
            case .multiply:
                let r = x.value * y.value
                let err = abs(x.value) * y.error + abs(y.value) * x.error + x.error * y.error + eps * abs(r)
                return EstimatedValue(r, error: err)
            case .divide:
                guard y.value != 0 else {
                    throw .domain(subexpression: e.plainText, reason: "division by zero ('\(b.plainText)' is 0)")
                }
                let r = x.value / y.value
                let denominator = abs(y.value) - y.error
                let err = denominator > 0 ? (x.error + abs(r) * y.error) / denominator + eps * abs(r) : .infinity
                return EstimatedValue(r, error: err)
            case .power:
                return try power(e, x, y)
            }
        case .call(let f, let args):
            var values: [EstimatedValue] = []
            for a in args { values.append(try evaluate(a)) }
            return try call(e, f, values)
        }
    }

    private func power(_ e: Formula, _ x: EstimatedValue, _ y: EstimatedValue) throws(EvaluationError) -> EstimatedValue {
        let eps = Evaluator.eps
        let a = x.value, b = y.value
        if a < 0 && b != b.rounded() {
            throw .domain(subexpression: e.plainText, reason: "negative base \(a) with non-integer exponent \(b)")
        }
        if a == 0 && b < 0 {
            throw .domain(subexpression: e.plainText, reason: "zero raised to a negative power")
        }
        let r = Foundation.pow(a, b)
        var err = 2 * eps * abs(r)
        if x.error > 0 {
            // |∂(a^b)/∂a| = |b·a^(b−1)|
            err += a == 0 ? (b >= 1 ? (b == 1 ? x.error : 0) : .infinity) : abs(b * r / a) * x.error
        }
        if y.error > 0 {
            // |∂(a^b)/∂b| = |a^b·ln a|; a ≤ 0 with an uncertain exponent is ill-posed.
            err += a > 0 ? abs(r * Foundation.log(a)) * y.error : .infinity
        }
        return EstimatedValue(r, error: err)
    }

    private func call(_ e: Formula, _ f: BoundsFunction, _ v: [EstimatedValue]) throws(EvaluationError) -> EstimatedValue {
        let eps = Evaluator.eps
        let x = v[0].value, ex = v[0].error
        /// Standard normal density φ(x).
        func phi(_ x: Double) -> Double { Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
        switch f {
        case .log:
            guard x > 0 else {
                throw .domain(subexpression: e.plainText, reason: "log of a non-positive number (\(x))")
            }
            let r = try gsl(e) { () throws(GSLError) in try GSL.log(x) }
            return EstimatedValue(r.value, error: r.error + ex / x)
        case .exp:
            let r = try gsl(e, positive: true) { () throws(GSLError) in try GSL.exp(x) }
            return EstimatedValue(r.value, error: r.error + abs(r.value) * ex)
        case .sqrt:
            guard x >= 0 else {
                throw .domain(subexpression: e.plainText, reason: "square root of a negative number (\(x))")
            }
            let r = x.squareRoot()
            let propagated = ex == 0 ? 0 : (r > 0 ? ex / (2 * r) : ex.squareRoot())
            return EstimatedValue(r, error: eps * r + propagated)
        case .abs:
            return EstimatedValue(abs(x), error: ex)
        case .min, .max:
            let r = f == .min ? v.map(\.value).min()! : v.map(\.value).max()!
            return EstimatedValue(r, error: v.map(\.error).max()!)
        case .erf, .erfc:
            let r = try gsl(e, positive: f == .erfc) { () throws(GSLError) in f == .erf ? try GSL.erf(x) : try GSL.erfc(x) }
            return EstimatedValue(r.value, error: r.error + 2 * phi(x * 2.0.squareRoot()) * 2.0.squareRoot() * ex)
        case .Q:
            let r = try gsl(e, positive: true) { () throws(GSLError) in try GSL.normalTail(x) }
            return EstimatedValue(r.value, error: r.error + phi(x) * ex)
        case .Phi:
            let r = try gsl(e, positive: true) { () throws(GSLError) in try GSL.normalCDF(x) }
            return EstimatedValue(r.value, error: r.error + phi(x) * ex)
        case .Phiinv:
            guard x > 0, x < 1 else {
                throw .domain(subexpression: e.plainText, reason: "Phiinv needs an argument in (0, 1), got \(x)")
            }
            let z: Double
            do { z = try GSL.normalQuantile(x) } catch { throw .gsl(subexpression: e.plainText, error: error) }
            // GSL gives no estimate for the quantile: allow a few ulps of z, plus the rounding
            // of the argument and its own error, both magnified by dz/dq = 1/φ(z).
            return EstimatedValue(z, error: 4 * eps * abs(z) + (ex + eps * x) / phi(z))
        case .lambertW0:
            guard x >= -1 / M_E_value else {
                throw .domain(subexpression: e.plainText, reason: "lambertW0 needs an argument ≥ −1/e, got \(x)")
            }
            let r = try gsl(e) { () throws(GSLError) in try GSL.lambertW0(x) }
            // W′(x) = e^{−W}/(1 + W), infinite at the branch point x = −1/e.
            let slope = 1 + r.value > 0 ? Foundation.exp(-r.value) / (1 + r.value) : .infinity
            return EstimatedValue(r.value, error: r.error + (ex > 0 ? slope * ex : 0))
        }
    }
}

/// e as a Double (Foundation's `M_E` is not available on every platform).
private let M_E_value = 2.718281828459045
