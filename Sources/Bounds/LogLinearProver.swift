//===--- LogLinearProver.swift --------------------------------------------===//

import NumericsCore

/// The outcome of trying to prove a claim from hypotheses.
package enum ProofOutcome: Sendable {
    /// Proved; the certificate has been re-verified exactly.
    case proved(Certificate)
    /// No certificate was found (or none survived exact re-verification); the reason says which.
    case cannotVerify(String)

    /// The certificate, when proved.
    public var certificate: Certificate? {
        if case .proved(let c) = self { return c }
        return nil
    }
}

/// A checker for inequalities between products of powers of positive quantities, in the
/// spirit of log-linear arithmetic: taking logarithms turns every hypothesis `Mₕ ≤ 1` and
/// the claim `M ≤ 1` into linear inequalities in the logs of the variables, and the claim
/// follows by multiplying hypotheses iff there are λₕ ≥ 0 with
///
/// ```
/// Σₕ λₕ·aₕ = b,     Σₕ λₕ·log Kₕ ≥ log K
/// ```
///
/// (notation of ``Certificate``). That feasibility problem is solved by GLPK's exact
/// simplex, minimising Σλₕ so certificates use as little as possible; the solution is read
/// back as rationals and the certificate re-verified exactly before it is returned. The
/// answer is either a verified certificate or an honest "cannot verify".
///
/// Scope: every identifier and atom is assumed positive; hypotheses are combined only
/// multiplicatively (no case splits, no sums of hypotheses), so a claim that needs more
/// reasoning is reported as "cannot verify", never as false.
public enum LogLinearProver {
    /// The most hypotheses one proof combines: the exact simplex's work grows with their number
    /// times the variables they mention (6 000 took about a minute), and a statement has fewer
    /// than twenty.
    public static let largestHypothesisCount = 256

    /// Try to prove `claim` from `hypotheses`.
    package static func prove(_ claim: Relation, from hypotheses: [Relation]) -> ProofOutcome {
        guard hypotheses.count <= largestHypothesisCount else {
            return .cannotVerify("\(hypotheses.count) hypotheses; at most \(largestHypothesisCount) are combined")
        }
        let claimForm: (monomial: Monomial, strict: Bool)
        var forms: [(monomial: Monomial, strict: Bool)] = []
        do {
            claimForm = try claim.normalizedMonomial()
        } catch {
            return .cannotVerify("the claim is not a comparison of products of powers of positive quantities: \(error)")
        }
        for (i, h) in hypotheses.enumerated() {
            do { forms.append(try h.normalizedMonomial()) } catch {
                return .cannotVerify("hypothesis \(i + 1) ('\(h.printed())') is not a comparison of products of powers of positive quantities: \(error)")
            }
        }
        var atoms: [String: Formula] = claimForm.monomial.atoms
        for f in forms { atoms.merge(f.monomial.atoms) { a, _ in a } }
        let atomList = atoms.keys.sorted().map(Monomial.displayName)

        func finish(_ powers: [Rational]) -> ProofOutcome {
            let certificate = Certificate(hypotheses: hypotheses, claim: claim, powers: powers, atoms: atomList)
            do {
                try certificate.check()
                return .proved(certificate)
            } catch {
                return .cannotVerify("the best candidate certificate fails exact re-verification: \(error)")
            }
        }

        // Without hypotheses the claim must be a constant inequality.
        if hypotheses.isEmpty {
            if !claimForm.monomial.exponents.isEmpty {
                return .cannotVerify("no hypotheses, and the claim depends on \(claimForm.monomial.exponents.keys.sorted().map(Monomial.displayName).joined(separator: ", "))")
            }
            return finish([])
        }

        // Rows: one equality per variable or atom, scaled to integer coefficients so that
        // GLPK's Double inputs are exact; one inequality for the constants.
        let keys = Set(forms.flatMap { $0.monomial.exponents.keys }).union(claimForm.monomial.exponents.keys).sorted()
        var rows: [ExactLinearProgram.Row] = []
        for key in keys {
            var scale: Int64 = 1
            let entries = forms.map { $0.monomial.exponents[key] ?? .zero } + [claimForm.monomial.exponents[key] ?? .zero]
            for e in entries {
                let g = Int64(Rational.gcd(scale.magnitude, e.denominator.magnitude))
                let (m, overflow) = (scale / g).multipliedReportingOverflow(by: e.denominator)
                guard !overflow, m < (1 << 40) else { return .cannotVerify("exponents of \(Monomial.displayName(key)) are too finely divided") }
                scale = m
            }
            // Integer coefficients a·scale (checked: an exponent too large for 64 bits is refused).
            func scaled(_ a: Rational) -> Double? {
                let (product, overflow) = a.numerator.multipliedReportingOverflow(by: scale / a.denominator)
                return overflow ? nil : Double(product)
            }
            var coefficients: [Int: Double] = [:]
            for (h, f) in forms.enumerated() {
                if let a = f.monomial.exponents[key] {
                    guard let c = scaled(a) else { return .cannotVerify("exponent of \(Monomial.displayName(key)) too large") }
                    coefficients[h] = c
                }
            }
            var b = 0.0
            if let a = claimForm.monomial.exponents[key] {
                guard let c = scaled(a) else { return .cannotVerify("exponent of \(Monomial.displayName(key)) too large") }
                b = c
            }
            rows.append(.init(coefficients: coefficients, lower: b, upper: b))
        }
        // Σ λₕ log Kₕ ≥ log K, relaxed by a hair: the LP only proposes, exact arithmetic decides.
        let logK = claimForm.monomial.logCoefficient
        var constantRow: [Int: Double] = [:]
        for (h, f) in forms.enumerated() { constantRow[h] = f.monomial.logCoefficient }
        rows.append(.init(coefficients: constantRow, lower: logK - 1e-9 * (1 + abs(logK)), upper: nil))

        let lp = ExactLinearProgram(objective: Array(repeating: 1, count: forms.count), rows: rows)
        switch lp.solve() {
        case .infeasible:
            return .cannotVerify("no product of non-negative powers of the hypotheses gives the claim (the linear program over exponents is infeasible)")
        case .failed(let reason):
            return .cannotVerify("the linear program could not be solved: \(reason)")
        case .optimal(let x):
            var powers: [Rational] = []
            for v in x {
                do { powers.append(try Rational.approximating(max(0, v))) } catch {
                    return .cannotVerify("the solution \(v) could not be read back as a rational")
                }
            }
            return finish(powers)
        }
    }

    /// Parse and prove. Throws ``ParseError`` for malformed text (with line:column).
    package static func prove(claim: String, assumptions: [String]) throws(ParseError) -> ProofOutcome {
        let c = try Relation(parsing: claim)
        var hs: [Relation] = []
        for a in assumptions { hs.append(try Relation(parsing: a)) }
        return prove(c, from: hs)
    }
}
