//===--- Monomial.swift ---------------------------------------------------===//

/// A product of powers of positive quantities with a positive constant factor:
///
/// ```
/// K · Π xᵢ^aᵢ,    K = Π cⱼ^rⱼ  (cⱼ positive decimal constants, rⱼ, aᵢ rational)
/// ```
///
/// the objects the log-linear certificate checker works with. Identifiers are assumed
/// positive. A sub-expression that is not itself a product of powers (a sum, `log(…)`,
/// `exp(…)`, a power with a symbolic exponent) becomes an *atom*: an opaque quantity,
/// also assumed positive, which a certificate lists explicitly.
package struct Monomial: Sendable, Equatable {
    /// The constant factor K as (decimal constant, rational exponent) pairs.
    public var coefficient: [(base: BigFraction, exponent: Rational)]
    /// Exponent of each identifier or atom key (atom keys are `[plain text]`); no zero entries.
    public var exponents: [String: Rational]
    /// Atom key → the sub-expression it stands for.
    public var atoms: [String: Formula]

    public static func == (a: Monomial, b: Monomial) -> Bool {
        a.exponents == b.exponents && a.atoms == b.atoms && a.coefficient.count == b.coefficient.count
            && zip(a.coefficient, b.coefficient).allSatisfy { $0.base == $1.base && $0.exponent == $1.exponent }
    }

    /// The constant 1.
    public init() {
        coefficient = []
        exponents = [:]
        atoms = [:]
    }

    /// Why an expression is not a product of powers of positive quantities.
    package struct NotAMonomial: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Read an expression as a monomial; throws for negative or zero constants, negations
    /// and exponents that do not fit 64-bit rationals.
    public init(_ e: Formula) throws(NotAMonomial) {
        self.init()
        switch e {
        case .number(let x):
            guard x > 0, let f = BigFraction(decimal: x) else {
                throw NotAMonomial(description: "the constant \(Formula.formatNumber(x)) is not positive")
            }
            coefficient = [(f, .one)]
        case .variable(let name):
            exponents = [name: .one]
        case .negate:
            throw NotAMonomial(description: "'\(e.plainText)' is a negation, not a positive quantity")
        case .binary(.multiply, let a, let b):
            self = try Monomial(a).multiplied(by: Monomial(b))
        case .binary(.divide, let a, let b):
            self = try Monomial(a).multiplied(by: Monomial(b).raised(to: Rational(-1)))
        case .binary(.power, let base, let exponent) where exponent.isConstant:
            guard let r = Monomial.exactRational(exponent) else {
                throw NotAMonomial(description: "the exponent in '\(e.plainText)' is not a 64-bit rational")
            }
            self = try Monomial(base).raised(to: r)
        case .call(.sqrt, let args):
            self = try Monomial(args[0]).raised(to: .oneHalf)
        default:
            let text = e.simplified().plainText
            let key = "[\(text)]"
            exponents = [key: .one]
            atoms = [key: e]
        }
    }

    /// The exact value of a constant exponent built from decimal literals with `+ - * /`
    /// (so `x^(1/3)` has exponent exactly 1/3); nil if it is not such an expression or
    /// overflows 64-bit rationals.
    static func exactRational(_ e: Formula) -> Rational? {
        do {
            switch e {
            case .number(let x): return try Rational(exactly: x)
            case .negate(let a): return exactRational(a)?.negated
            case .binary(let op, let a, let b):
                guard let x = exactRational(a), let y = exactRational(b) else { return nil }
                switch op {
                case .add: return try Rational.add(x, y)
                case .subtract: return try Rational.add(x, y.negated)
                case .multiply: return try Rational.multiply(x, y)
                case .divide:
                    guard !y.isZero else { return nil }
                    return try Rational.multiply(x, Rational(y.denominator, y.numerator))
                case .power: return nil
                }
            case .variable, .call: return nil
            }
        } catch { return nil }
    }

    /// self · other.
    public func multiplied(by other: Monomial) throws(NotAMonomial) -> Monomial {
        var r = self
        r.coefficient += other.coefficient
        for (k, v) in other.exponents {
            do {
                let sum = try Rational.add(r.exponents[k] ?? .zero, v)
                r.exponents[k] = sum.isZero ? nil : sum
            } catch { throw NotAMonomial(description: "exponent overflow") }
        }
        r.atoms.merge(other.atoms) { a, _ in a }
        return r
    }

    /// self^k.
    func raised(to k: Rational) throws(NotAMonomial) -> Monomial {
        if k.isZero { return Monomial() }
        var r = self
        do {
            r.coefficient = try coefficient.map { ($0.base, try Rational.multiply($0.exponent, k)) }
            r.exponents = try exponents.mapValues { try Rational.multiply($0, k) }
        } catch { throw NotAMonomial(description: "exponent overflow") }
        return r
    }

    /// log K as a Double (for LP coefficients only, never for decisions).
    var logCoefficient: Double {
        coefficient.reduce(0) { $0 + $1.exponent.doubleValue * $1.base.logValue }
    }

    /// Plain text of an exponent key (atoms without their brackets).
    static func displayName(_ key: String) -> String {
        key.hasPrefix("[") && key.hasSuffix("]") ? String(key.dropFirst().dropLast()) : key
    }
}

extension Relation {
    /// The relation as `M ≤ 1` (or `M < 1`) with M = smaller/larger, a monomial.
    package func normalizedMonomial() throws(Monomial.NotAMonomial) -> (monomial: Monomial, strict: Bool) {
        let (larger, smaller, strict) = asGreater
        let m = try Monomial(smaller).multiplied(by: Monomial(larger).raised(to: Rational(-1)))
        return (m, strict)
    }
}
