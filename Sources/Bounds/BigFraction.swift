//===--- BigFraction.swift ------------------------------------------------===//

import BigInt
import Foundation

// Non-negative integers of any size are attaswift/BigInt's `BigUInt`, used for the exact
// re-verification of certificates (products, integer powers, comparison).

extension BigUInt {
    /// Natural logarithm as a Double (for LP coefficients only, never for decisions): the top 64
    /// significant bits converted, plus the shift times ln 2.
    var logValue: Double {
        guard !isZero else { return -.infinity }
        let shift = Swift.max(0, bitWidth - 64)   // bitWidth: the significant bits
        return Foundation.log(Double(UInt64(self >> shift))) + Double(shift) * 0.6931471805599453
    }
}


/// A positive fraction n/d of big integers, unreduced. Multiplication, powers and an exact
/// comparison are all the certificate checker needs.
package struct BigFraction: Sendable, Equatable, CustomStringConvertible {
    var numerator: BigUInt
    var denominator: BigUInt

    public init(_ n: BigUInt, _ d: BigUInt) {
        numerator = n
        denominator = d
    }

    public static let one = BigFraction(BigUInt(1), BigUInt(1))

    /// |x| as the exact fraction of its shortest decimal text (`0.1` → 1/10, `2.5e-3` → 25/10000).
    /// Nil for non-finite x.
    public init?(decimal x: Double) {
        guard x.isFinite else { return nil }
        var text = Swift.abs(x).description.lowercased()   // shortest round-trip text
        var exponent = 0
        if let e = text.firstIndex(of: "e") {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...]
            exponent -= fraction.count
            text.remove(at: dot)
        }
        var n = BigUInt(0)
        for c in text {
            guard let digit = c.wholeNumberValue else { return nil }
            n = n * 10 + BigUInt(digit)
        }
        let ten = BigUInt(10)
        if exponent >= 0 {
            self.init(n * ten.power(exponent), BigUInt(1))
        } else {
            self.init(n, ten.power(-exponent))
        }
    }

    public static func * (a: BigFraction, b: BigFraction) -> BigFraction {
        BigFraction(a.numerator * b.numerator, a.denominator * b.denominator)
    }

    /// 1/self.
    var inverse: BigFraction { BigFraction(denominator, numerator) }

    /// self^k for an integer k (negative k inverts).
    public func power(_ k: Int64) -> BigFraction {
        let p = BigFraction(numerator.power(Int(k.magnitude)), denominator.power(Int(k.magnitude)))
        return k < 0 ? p.inverse : p
    }

    /// Exact three-way comparison of positive fractions: a/b vs c/d ⇔ a·d vs c·b.
    public static func compare(_ x: BigFraction, _ y: BigFraction) -> Int {
        let l = x.numerator * y.denominator, r = y.numerator * x.denominator
        return l < r ? -1 : (r < l ? 1 : 0)
    }

    /// Natural logarithm (Double; for LP coefficients only).
    var logValue: Double { numerator.logValue - denominator.logValue }

    public var description: String { "\(numerator)/\(denominator)" }
}
