//===--- Certificate.swift ------------------------------------------------===//

/// A proof that a claim follows from hypotheses by multiplying them.
///
/// Each relation is read as `Mₕ ≤ 1` with `Mₕ = Kₕ·Π xᵢ^aₕᵢ` (smaller side over larger
/// side; see `normalizedMonomial()`), the claim as `K·Π xᵢ^bᵢ ≤ 1`. The
/// certificate gives rational powers λₕ ≥ 0 with
///
/// ```
/// Σₕ λₕ·aₕ = b          (the variables match exactly)
/// Πₕ Kₕ^λₕ ≥ K          (the constants leave no deficit)
/// ```
///
/// so `claim = (K/Π Kₕ^λₕ)·Π Mₕ^λₕ ≤ 1`. A strict claim also needs a strict hypothesis with
/// λₕ > 0, or a strict constant inequality. ``verify()`` checks all of this again in exact
/// rational and big-integer arithmetic, independently of how the powers were found.
public struct Certificate: Sendable, CustomStringConvertible {
    /// The hypotheses, in the order given.
    public var hypotheses: [Relation]
    /// The claim.
    public var claim: Relation
    /// λₕ for each hypothesis (0 when unused).
    package var powers: [Rational]
    /// Sub-expressions that were treated as opaque positive quantities (plain text).
    public var atoms: [String]

    /// The factor products, as text: "(h1)^1 * (h2)^2".
    public var product: String {
        let used = zip(hypotheses, powers).filter { !$0.1.isZero }
        if used.isEmpty { return "(no hypothesis: the claim is a true constant inequality)" }
        return used.map { "(\($0.0.printed()))^\($0.1)" }.joined(separator: " * ")
    }

    public var description: String {
        var text = "follows by multiplying \(product)"
        if !atoms.isEmpty { text += "; treating as positive: \(atoms.joined(separator: ", "))" }
        return text
    }

    /// Why a certificate does not check out.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Re-verify from scratch in exact arithmetic; throws with the reason when it fails.
    public func check() throws(Failure) {
        guard powers.count == hypotheses.count else { throw Failure(description: "one power per hypothesis is needed") }
        guard powers.allSatisfy({ !($0 < .zero) }) else { throw Failure(description: "a power is negative") }
        let claimForm: (monomial: Monomial, strict: Bool)
        var forms: [(monomial: Monomial, strict: Bool)] = []
        do {
            claimForm = try claim.normalizedMonomial()
            for h in hypotheses { forms.append(try h.normalizedMonomial()) }
        } catch { throw Failure(description: error.description) }

        // Exponents: Σ λₕ aₕ − b = 0, exactly. Constants: F = Π Kₕ^λₕ / K ≥ 1.
        var combined = Monomial()
        do {
            for (form, power) in zip(forms, powers) where !power.isZero {
                combined = try combined.multiplied(by: form.monomial.raised(to: power))
            }
            combined = try combined.multiplied(by: claimForm.monomial.raised(to: Rational(-1)))
        } catch { throw Failure(description: error.description) }
        if let (key, e) = combined.exponents.first {
            throw Failure(description: "exponent of \(Monomial.displayName(key)) is off by \(e)")
        }
        // combined = F⁻¹... careful: combined's coefficient is Π Kₕ^λₕ · K⁻¹ = F.
        let order = Certificate.compareWithOne(combined.coefficient)
        guard let order else { throw Failure(description: "constant factor too large to check exactly") }
        guard order >= 0 else { throw Failure(description: "the constants fall short: Π Kₕ^λₕ < K") }
        if claimForm.strict {
            let strictUsed = zip(forms, powers).contains { $0.0.strict && !$0.1.isZero }
            guard order > 0 || strictUsed else {
                throw Failure(description: "the claim is strict but no strict hypothesis is used and the constants are tight")
            }
        }
    }

    /// True when ``check()`` passes.
    public func verify() -> Bool {
        do { try check(); return true } catch { return false }
    }

    /// Sign of Π cⱼ^rⱼ − 1 computed exactly: raise to the common denominator Q of the rⱼ so
    /// every power is an integer, then compare big-integer products. Nil if Q or the powers
    /// are unreasonably large (more than 4096 in total), or the product would have more than
    /// 2¹⁸ bits (about 79 000 digits; found by fuzzing: a 170-digit constant to the power 3 333
    /// took seconds to multiply out).
    static func compareWithOne(_ factors: [(base: BigFraction, exponent: Rational)]) -> Int? {
        var q: Int64 = 1
        for f in factors {
            let g = Int64(Rational.gcd(q.magnitude, f.exponent.denominator.magnitude))
            let (m, overflow) = (q / g).multipliedReportingOverflow(by: f.exponent.denominator)
            if overflow || m > 4096 { return nil }
            q = m
        }
        var total: Int64 = 0, bits = 0
        var value = BigFraction.one
        for f in factors {
            let k = f.exponent.numerator * (q / f.exponent.denominator)
            total += k.magnitude > 4096 ? 4097 : Int64(k.magnitude)
            if total > 4096 { return nil }
            bits += Int(k.magnitude) * (f.base.numerator.bitWidth + f.base.denominator.bitWidth)
            if bits > 1 << 18 { return nil }
            value = value * f.base.power(k)
        }
        return BigFraction.compare(value, .one)
    }
}
