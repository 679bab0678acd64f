//===--- Formula+Simplification.swift ----------------------------------===//

import Foundation

extension Formula {
    /// Constant folding and a canonical form for sums and products of powers.
    ///
    /// - Numbers are folded through `+ - * / ^`, `abs`, `min`, `max` (special functions stay
    ///   symbolic so that their error estimates are kept at evaluation).
    /// - A product is written `c · Π bᵢ^kᵢ / Π bⱼ^kⱼ`: every factor is flattened
    ///   (`sqrt(x)` is `x^0.5`, `(a·b)^k` is `a^k·b^k`, `(a^j)^k` is `a^(jk)`), equal bases are
    ///   merged by adding exponents, bases are sorted by their plain text, factors with
    ///   exponent 0 are dropped and the numeric coefficient `c` is kept as a reduced fraction
    ///   when it came from integer literals.
    /// - A sum is a sorted list of such products with merged coefficients, constant last.
    ///
    /// **Domain assumption.** Merging fractional powers (`x^0.5·x^0.5 = x`, `(x²)^0.5 = x`)
    /// and dropping `x^0` is valid for positive bases, which is what every quantity of
    /// docs/theory.md is. Results are equal in value to the input wherever both are defined for
    /// positive identifiers; the tests check that at random points.
    ///
    /// Mathematical properties: idempotent (`e.simplified().simplified() == e.simplified()`);
    /// two products of the same powers in any order simplify to the same expression.
    package func simplified() -> Formula {
        let e = simplifiedChildren()
        switch e {
        case .binary(.add, _, _), .binary(.subtract, _, _), .negate:
            return SumForm(e).rebuilt()
        case .binary(.multiply, _, _), .binary(.divide, _, _), .binary(.power, _, _), .call(.sqrt, _):
            return ProductForm(e).rebuilt()
        case .call(let f, let args) where args.allSatisfy({ $0.numericValue != nil }):
            let xs = args.map { $0.numericValue! }
            switch f {
            case .abs: return .number(Swift.abs(xs[0]))
            case .min: return .number(xs.min()!)
            case .max: return .number(xs.max()!)
            default: return e
            }
        default:
            return e
        }
    }

    private func simplifiedChildren() -> Formula {
        switch self {
        case .number, .variable: self
        case .negate(let a): .negate(a.simplified())
        case .binary(let op, let a, let b): .binary(op, a.simplified(), b.simplified())
        case .call(let f, let args): .call(f, args.map { $0.simplified() })
        }
    }
}

/// A product c · Π bᵢ^kᵢ with c = numerator/denominator.
private struct ProductForm {
    var numerator = 1.0
    var denominator = 1.0
    var factors: [String: (base: Formula, exponent: Double)] = [:]

    init(_ e: Formula) { add(e, 1) }

    private static func isInteger(_ x: Double) -> Bool { x == x.rounded() && Swift.abs(x) < 1e15 }

    mutating func multiplyCoefficient(by x: Double, power k: Double) {
        if k == 1 { numerator *= x; return }
        if k == -1 { denominator *= x; return }
        let r = Foundation.pow(x, k)
        if r.isFinite && r != 0 && (x > 0 || ProductForm.isInteger(k)) { numerator *= r }
        else { addFactor(.number(x), k) }
    }

    mutating func addFactor(_ base: Formula, _ k: Double) {
        let key = base.plainText
        let old = factors[key]?.exponent ?? 0
        factors[key] = (base, old + k)
    }

    mutating func add(_ e: Formula, _ k: Double) {
        switch e {
        case .number(let x) where x != 0:
            multiplyCoefficient(by: x, power: k)
        case .number:
            if k > 0 { numerator = 0 } else { addFactor(e, k) }
        case .negate(let a) where ProductForm.isInteger(k):
            if Int64(k) % 2 != 0 { numerator = -numerator }
            add(a, k)
        case .binary(.multiply, let a, let b):
            add(a, k); add(b, k)
        case .binary(.divide, let a, let b):
            add(a, k); add(b, -k)
        case .binary(.power, let base, let exponent):
            if let j = exponent.numericValue { add(base, k * j) } else { addFactor(e, k) }
        case .call(.sqrt, let args):
            add(args[0], k * 0.5)
        default:
            addFactor(e, k)
        }
    }

    /// The canonical coefficient as (numerator, denominator), reduced when integral.
    var coefficient: (Double, Double) {
        var n = numerator, d = denominator
        if d < 0 { n = -n; d = -d }
        if ProductForm.isInteger(n) && ProductForm.isInteger(d) && d != 0 {
            var a = Int64(Swift.abs(n)), b = Int64(d)
            while b != 0 { (a, b) = (b, a % b) }
            if a > 1 { n /= Double(a); d /= Double(a) }
            return (n, d)
        }
        return (n / d, 1)
    }

    /// The factors without the coefficient, in canonical order; nil if there are none.
    var monomial: Formula? {
        let sorted = factors.sorted { $0.key < $1.key }.filter { $0.value.exponent != 0 }
        func power(_ base: Formula, _ k: Double) -> Formula {
            k == 1 ? base : .binary(.power, base, .number(k))
        }
        let up = sorted.filter { $0.value.exponent > 0 }.map { power($0.value.base, $0.value.exponent) }
        let down = sorted.filter { $0.value.exponent < 0 }.map { power($0.value.base, -$0.value.exponent) }
        func product(_ xs: [Formula]) -> Formula? {
            xs.dropFirst().reduce(xs.first) { acc, x in acc.map { .binary(.multiply, $0, x) } }
        }
        switch (product(up), product(down)) {
        case (nil, nil): return nil
        case (let n?, nil): return n
        case (nil, let d?): return .binary(.divide, .number(1), d)
        case (let n?, let d?): return .binary(.divide, n, d)
        }
    }

    func rebuilt() -> Formula {
        let (n, d) = coefficient
        if n == 0 { return .number(0) }
        if !n.isFinite || !d.isFinite { return ProductForm.fallback(self) }
        let body = ProductForm.attach(coefficient: Swift.abs(n), denominator: d, to: monomial)
        return n < 0 ? .negate(body) : body
    }

    /// c·m written with c's denominator in the denominator: `2*x/(3*y)`.
    static func attach(coefficient n: Double, denominator d: Double, to m: Formula?) -> Formula {
        guard let m else { return d == 1 ? .number(n) : .binary(.divide, .number(n), .number(d)) }
        var numerator: Formula, denominator: Formula?
        if case .binary(.divide, let up, let down) = m {
            numerator = up; denominator = down
        } else {
            numerator = m; denominator = nil
        }
        if case .number(1) = numerator, n != 1 { numerator = .number(n) }
        else if n != 1 { numerator = .binary(.multiply, .number(n), numerator) }
        if d != 1 { denominator = denominator.map { .binary(.multiply, .number(d), $0) } ?? .number(d) }
        return denominator.map { .binary(.divide, numerator, $0) } ?? numerator
    }

    private static func fallback(_ form: ProductForm) -> Formula {
        let c = Formula.binary(.divide, .number(form.numerator), .number(form.denominator))
        return form.monomial.map { .binary(.multiply, c, $0) } ?? c
    }
}

/// A sum Σ cᵢ·mᵢ of monomials with numeric coefficients.
private struct SumForm {
    var terms: [String: (monomial: Formula, coefficient: Double)] = [:]
    var constant = 0.0

    init(_ e: Formula) { add(e, 1) }

    mutating func add(_ e: Formula, _ sign: Double) {
        switch e {
        case .binary(.add, let a, let b): add(a, sign); add(b, sign)
        case .binary(.subtract, let a, let b): add(a, sign); add(b, -sign)
        case .negate(let a): add(a, -sign)
        default:
            let p = ProductForm(e)
            let (n, d) = p.coefficient
            let c = sign * n / d
            if let m = p.monomial {
                let key = m.plainText
                terms[key] = (m, (terms[key]?.coefficient ?? 0) + c)
            } else {
                constant += c
            }
        }
    }

    func rebuilt() -> Formula {
        var parts: [(Formula, Bool)] = []  // (positive term, is negative)
        for (_, t) in terms.sorted(by: { $0.key < $1.key }) where t.coefficient != 0 {
            parts.append((SumForm.term(Swift.abs(t.coefficient), t.monomial), t.coefficient < 0))
        }
        if constant != 0 { parts.append((.number(Swift.abs(constant)), constant < 0)) }
        guard let (first, firstNegative) = parts.first else { return .number(0) }
        var result: Formula = firstNegative ? .negate(first) : first
        for (t, negative) in parts.dropFirst() {
            result = .binary(negative ? .subtract : .add, result, t)
        }
        return result
    }

    /// c·m with c > 0, written as `m/k` when c = 1/k for an integer k.
    static func term(_ c: Double, _ m: Formula) -> Formula {
        if c == 1 { return m }
        let inverse = 1 / c
        if inverse == inverse.rounded() && inverse < 1e15 && c != c.rounded() {
            return ProductForm.attach(coefficient: 1, denominator: inverse, to: m)
        }
        return ProductForm.attach(coefficient: c, denominator: 1, to: m)
    }
}
