//===--- Rational.swift ---------------------------------------------------===//

/// An exact rational number p/q with 64-bit numerator and denominator (q > 0, reduced).
///
/// Used for exponents in the certificate checker. Every operation checks for overflow and
/// throws ``RationalOverflow`` instead of trapping, so exotic inputs give "cannot verify",
/// never a crash.
package struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible {
    public private(set) var numerator: Int64
    public private(set) var denominator: Int64

    /// Overflow of 64-bit exact arithmetic.
    package struct RationalOverflow: Error, Sendable {}

    public static let zero = Rational(0)
    public static let one = Rational(1)
    static let oneHalf: Rational = {
        var r = Rational(1)
        r.denominator = 2
        return r
    }()

    public init(_ n: Int64) {
        numerator = n
        denominator = 1
    }

    /// p/q reduced; q ≠ 0.
    public init(_ p: Int64, _ q: Int64) throws(RationalOverflow) {
        guard q != 0, p != .min, q != .min else { throw RationalOverflow() }
        var (p, q) = (p, q)
        if q < 0 { p = -p; q = -q }
        let g = Rational.gcd(p.magnitude, q.magnitude)
        numerator = p / Int64(g)
        denominator = q / Int64(g)
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : a
    }

    private static func checked(_ r: (partialValue: Int64, overflow: Bool)) throws(RationalOverflow) -> Int64 {
        if r.overflow { throw RationalOverflow() }
        return r.partialValue
    }

    public static func add(_ a: Rational, _ b: Rational) throws(RationalOverflow) -> Rational {
        let g = Int64(gcd(a.denominator.magnitude, b.denominator.magnitude))
        let da = a.denominator / g, db = b.denominator / g
        let x = try checked(a.numerator.multipliedReportingOverflow(by: db))
        let y = try checked(b.numerator.multipliedReportingOverflow(by: da))
        let n = try checked(x.addingReportingOverflow(y))
        let d = try checked(a.denominator.multipliedReportingOverflow(by: db))
        return try Rational(n, d)
    }

    public static func multiply(_ a: Rational, _ b: Rational) throws(RationalOverflow) -> Rational {
        let g1 = Int64(gcd(a.numerator.magnitude, b.denominator.magnitude))
        let g2 = Int64(gcd(b.numerator.magnitude, a.denominator.magnitude))
        let n = try checked((a.numerator / g1).multipliedReportingOverflow(by: b.numerator / g2))
        let d = try checked((a.denominator / g2).multipliedReportingOverflow(by: b.denominator / g1))
        return try Rational(n, d)
    }

    var negated: Rational {
        var r = self
        r.numerator = -numerator
        return r
    }

    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    var isZero: Bool { numerator == 0 }

    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    public static func < (a: Rational, b: Rational) -> Bool {
        // Compare a.n·b.d with b.n·a.d without overflow using 128-bit products.
        let l = a.numerator.multipliedFullWidth(by: b.denominator)
        let r = b.numerator.multipliedFullWidth(by: a.denominator)
        return (l.high, l.low) < (r.high, r.low)
    }

    /// The rational whose shortest decimal text is `x`'s (so the literal `0.1` is 1/10, not
    /// the binary fraction nearest to it). Throws when it does not fit in 64 bits.
    public init(exactly x: Double) throws(RationalOverflow) {
        guard let f = BigFraction(decimal: x), let n = UInt64(exactly: f.numerator), let d = UInt64(exactly: f.denominator),
              n <= UInt64(Int64.max), d <= UInt64(Int64.max) else { throw RationalOverflow() }
        try self.init(x < 0 ? -Int64(n) : Int64(n), Int64(d))
    }

    /// The best rational approximation of `x` with denominator ≤ `maxDenominator`
    /// (continued fractions). Used to read GLPK's doubles back as exact rationals.
    static func approximating(_ x: Double, maxDenominator: Int64 = 1 << 20) throws(RationalOverflow) -> Rational {
        guard x.isFinite, Swift.abs(x) < 1e15 else { throw RationalOverflow() }
        var (h0, h1): (Int64, Int64) = (0, 1)
        var (k0, k1): (Int64, Int64) = (1, 0)
        var value = x
        for _ in 0..<64 {
            let a = Int64(value.rounded(.down))
            let h2 = try checked(a.multipliedReportingOverflow(by: h1)).addingReportingOverflow(h0)
            let k2 = try checked(a.multipliedReportingOverflow(by: k1)).addingReportingOverflow(k0)
            if h2.overflow || k2.overflow || k2.partialValue > maxDenominator { break }
            (h0, h1) = (h1, h2.partialValue)
            (k0, k1) = (k1, k2.partialValue)
            let fraction = value - Double(a)
            if Double(h1) / Double(k1) == x || fraction < 1e-12 { break }
            value = 1 / fraction
        }
        return try Rational(h1, k1)
    }
}
