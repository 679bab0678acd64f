//===--- BigFraction.swift ------------------------------------------------===//

/// A non-negative integer of any size (little-endian 32-bit limbs). Only what the
/// certificate re-verification needs: construction, multiplication, powers, comparison.
public struct BigUInt: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Limbs, least significant first, no trailing zero limbs (zero is `[]`).
    private(set) var limbs: [UInt32]

    public init(_ x: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: x >> 32)]
        normalize()
    }

    private mutating func normalize() { while limbs.last == 0 { limbs.removeLast() } }

    public var isZero: Bool { limbs.isEmpty }

    /// The value if it fits in 64 bits.
    public var uint64: UInt64? {
        guard limbs.count <= 2 else { return nil }
        return limbs.enumerated().reduce(0) { $0 | UInt64($1.element) << (32 * UInt64($1.offset)) }
    }

    public static func * (a: BigUInt, b: BigUInt) -> BigUInt {
        if a.isZero || b.isZero { return BigUInt(0) }
        var out = [UInt32](repeating: 0, count: a.limbs.count + b.limbs.count)
        for (i, x) in a.limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, y) in b.limbs.enumerated() {
                let t = UInt64(x) * UInt64(y) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
            }
            var k = i + b.limbs.count
            while carry != 0 {
                let t = UInt64(out[k]) + carry
                out[k] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
                k += 1
            }
        }
        var r = BigUInt(0)
        r.limbs = out
        r.normalize()
        return r
    }

    /// self^k by repeated squaring.
    public func power(_ k: UInt64) -> BigUInt {
        var result = BigUInt(1), base = self, k = k
        while k > 0 {
            if k & 1 == 1 { result = result * base }
            k >>= 1
            if k > 0 { base = base * base }
        }
        return result
    }

    public static func < (a: BigUInt, b: BigUInt) -> Bool {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
        for i in stride(from: a.limbs.count - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] {
            return a.limbs[i] < b.limbs[i]
        }
        return false
    }

    /// Natural logarithm as a Double (for LP coefficients only, never for decisions).
    public var logValue: Double {
        guard !isZero else { return -.infinity }
        let top = limbs.count >= 2 ? Double(limbs[limbs.count - 1]) * 4294967296 + Double(limbs[limbs.count - 2])
                                   : Double(limbs[0])
        let shift = max(0, limbs.count - 2)
        return Foundation_log(top) + Double(32 * shift) * 0.6931471805599453
    }

    /// Decimal digits.
    public var description: String {
        if isZero { return "0" }
        var chunks: [UInt64] = []   // base 10⁹, least significant first
        var n = limbs
        while !n.isEmpty {
            var remainder: UInt64 = 0
            for i in stride(from: n.count - 1, through: 0, by: -1) {
                let t = remainder << 32 | UInt64(n[i])
                n[i] = UInt32(t / 1_000_000_000)
                remainder = t % 1_000_000_000
            }
            while n.last == 0 { n.removeLast() }
            chunks.append(remainder)
        }
        var text = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let t = String(c)
            text += String(repeating: "0", count: 9 - t.count) + t
        }
        return text
    }
}

import Foundation
private func Foundation_log(_ x: Double) -> Double { Foundation.log(x) }

/// A positive fraction n/d of big integers, unreduced. Multiplication, powers and an exact
/// comparison are all the certificate checker needs.
public struct BigFraction: Sendable, Equatable, CustomStringConvertible {
    public var numerator: BigUInt
    public var denominator: BigUInt

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
            n = n * BigUInt(10) + BigUInt(UInt64(digit))
        }
        let ten = BigUInt(10)
        if exponent >= 0 {
            self.init(n * ten.power(UInt64(exponent)), BigUInt(1))
        } else {
            self.init(n, ten.power(UInt64(-exponent)))
        }
    }

    public static func * (a: BigFraction, b: BigFraction) -> BigFraction {
        BigFraction(a.numerator * b.numerator, a.denominator * b.denominator)
    }

    /// 1/self.
    public var inverse: BigFraction { BigFraction(denominator, numerator) }

    /// self^k for an integer k (negative k inverts).
    public func power(_ k: Int64) -> BigFraction {
        let p = BigFraction(numerator.power(k.magnitude), denominator.power(k.magnitude))
        return k < 0 ? p.inverse : p
    }

    /// Exact three-way comparison of positive fractions: a/b vs c/d ⇔ a·d vs c·b.
    public static func compare(_ x: BigFraction, _ y: BigFraction) -> Int {
        let l = x.numerator * y.denominator, r = y.numerator * x.denominator
        return l < r ? -1 : (r < l ? 1 : 0)
    }

    /// Natural logarithm (Double; for LP coefficients only).
    public var logValue: Double { numerator.logValue - denominator.logValue }

    public var description: String { "\(numerator)/\(denominator)" }
}

extension BigUInt {
    public static func + (a: BigUInt, b: BigUInt) -> BigUInt {
        var out: [UInt32] = []
        var carry: UInt64 = 0
        for i in 0..<max(a.limbs.count, b.limbs.count) {
            let t = UInt64(i < a.limbs.count ? a.limbs[i] : 0) + UInt64(i < b.limbs.count ? b.limbs[i] : 0) + carry
            out.append(UInt32(truncatingIfNeeded: t))
            carry = t >> 32
        }
        if carry != 0 { out.append(UInt32(carry)) }
        var r = BigUInt(0)
        r.limbs = out
        r.normalize()
        return r
    }
}
