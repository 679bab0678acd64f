@testable import Bounds
import Foundation
@testable import NumericsCore
import Testing

@Suite struct EvaluationTests {
    @Test func arithmeticAndErrorPropagation() throws {
        let env = Environment(estimates: ["a": EstimatedValue(2, error: 0.01), "b": EstimatedValue(4, error: 0.02)])
        let product = try Formula(parsing: "a*b").evaluate(in: env)
        #expect(product.value == 8)
        // |a|·err(b) + |b|·err(a) + err(a)·err(b) + ε·8
        #expect(abs(product.error - (2 * 0.02 + 4 * 0.01 + 0.0002 + 8 * Double.ulpOfOne)) < 1e-15)
        let quotient = try Formula(parsing: "a/b").evaluate(in: env)
        #expect(quotient.value == 0.5)
        #expect(abs(quotient.error - ((0.01 + 0.5 * 0.02) / (4 - 0.02) + 0.5 * Double.ulpOfOne)) < 1e-15)
        let exact = try Formula(parsing: "3*x + 1").evaluate(["x": 2])
        #expect(exact.value == 7 && exact.error > 0 && exact.error < 1e-14)
    }

    /// Special functions agree with independent libm formulas (tolerance 1e-12 relative:
    /// both sides are accurate to a few ulps here).
    @Test func specialFunctionsAgreeWithLibm() throws {
        for x in [0.1, 0.7, 1.3, 2.9] {
            let env = Environment(["x": x])
            func value(_ s: String) throws -> Double { try Formula(parsing: s).evaluate(in: env).value }
            #expect(relativeError(try value("erf(x)"), Foundation.erf(x)) < 1e-12)
            #expect(relativeError(try value("erfc(x)"), Foundation.erfc(x)) < 1e-12)
            #expect(relativeError(try value("Q(x)"), Foundation.erfc(x / 2.0.squareRoot()) / 2) < 1e-12)
            #expect(relativeError(try value("Phi(x)"), Foundation.erfc(-x / 2.0.squareRoot()) / 2) < 1e-12)
            #expect(relativeError(try value("log(x)"), Foundation.log(x)) < 1e-12)
            #expect(relativeError(try value("exp(x)"), Foundation.exp(x)) < 1e-12)
            let w = try value("lambertW0(x)")
            #expect(relativeError(w * Foundation.exp(w), x) < 1e-12)
        }
        let z = try Formula(parsing: "Phiinv(0.975)").evaluate([:])
        #expect(abs(z.value - 1.959963984540054) < 1e-12 && z.error > 0)
    }

    /// Domain errors are thrown, naming the sub-expression; nothing aborts.
    @Test(arguments: [
        ("log(x - 3)", "log(x - 3)", "non-positive"),
        ("1 + lambertW0(-x)", "lambertW0(-x)", "−1/e"),
        ("sqrt(-x)", "sqrt(-x)", "negative"),
        ("y/(x - 2)", "y/(x - 2)", "division by zero"),
        ("Phiinv(x)", "Phiinv(x)", "(0, 1)"),
        ("(x - 2)^-1", "(x - 2)^-1", "zero raised"),
        ("(-x)^0.5", "(-x)^0.5", "non-integer exponent"),
    ] as [(String, String, String)])
    func domainErrors(text: String, subexpression: String, reason: String) throws {
        let e = try Formula(parsing: text)
        #expect {
            _ = try e.evaluate(["x": 2, "y": 1])
        } throws: { error in
            guard case .domain(let s, let r)? = error as? EvaluationError else { return false }
            return s == subexpression && r.contains(reason)
        }
    }

    @Test func otherFailuresAreErrorsToo() throws {
        #expect(throws: EvaluationError.unknownIdentifier("nope")) { try Formula(parsing: "nope + 1").evaluate([:]) }
        // exp overflow is GSL's EOVRFLW, reported, not fatal.
        #expect {
            _ = try Formula(parsing: "exp(1000)").evaluate([:])
        } throws: { error in
            if case .gsl(let s, let e)? = error as? EvaluationError { return s == "exp(1000)" && e.code == 16 }
            return false
        }
        #expect(throws: EvaluationError.overflow(subexpression: "10^400")) { try Formula(parsing: "10^400").evaluate([:]) }
        // Underflow of a tail probability is 0 with an honest error bound, not a failure.
        let tiny = try Formula(parsing: "Q(100)").evaluate([:])
        #expect(tiny.value == 0 && tiny.error > 0)
        // lambertW0 at exactly the branch point is fine.
        let w = try Formula(parsing: "lambertW0(-exp(-1))").evaluate([:])
        #expect(abs(w.value + 1) < 1e-6)
    }

    @Test func comparisonsAreThreeValued() throws {
        let r = try Relation(parsing: "a >= b")
        func outcome(_ a: Double, _ ea: Double, _ b: Double) throws -> ComparisonOutcome {
            try r.compare(in: Environment(estimates: ["a": EstimatedValue(a, error: ea), "b": EstimatedValue(b)])).outcome
        }
        #expect(try outcome(2, 0.1, 1) == .holds)
        #expect(try outcome(1, 0.1, 2) == .fails)
        #expect(try outcome(1.05, 0.1, 1) == .indeterminate)
        #expect(try outcome(0.95, 0.1, 1) == .indeterminate)
        #expect(try outcome(1, 0, 1) == .holds)              // exact tie, non-strict
        #expect(try Relation(parsing: "a > b").compare(in: Environment(["a": 1, "b": 1])).outcome == .fails)
        let c = try r.compare(in: Environment(estimates: ["a": EstimatedValue(3, error: 0.5), "b": EstimatedValue(1, error: 0.25)]))
        #expect(c.margin == 2 && c.error >= 0.75 && c.error < 0.75 + 1e-15)
        let le = try Relation(parsing: "a <= b").compare(in: Environment(["a": 1, "b": 3]))
        #expect(le.margin == 2 && le.outcome == .holds)
    }

    @Test func substitution() throws {
        let e = try Formula(parsing: "x*y + f")
        let s = e.substituting(["x": .variable("y"), "y": .number(2)])
        #expect(s == (try Formula(parsing: "y*2 + f")))
        #expect(e.substituting(values: ["f": 1, "x": 3, "y": 4]).isConstant)
        #expect(try e.substituting(values: ["f": 1, "x": 3, "y": 4]).evaluate([:]).value == 13)
    }
}
