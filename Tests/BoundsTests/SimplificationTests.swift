@testable import Bounds
import Testing

@Suite struct SimplificationTests {
    func simplify(_ s: String) throws -> String { try Formula(parsing: s).simplified().plainText }

    @Test func canonicalProductsOfPowers() throws {
        #expect(try simplify("x^2*x^3/x") == "x^4")
        #expect(try simplify("y*x") == (try simplify("x*y")))
        #expect(try simplify("sqrt(x)*x") == "x^1.5")
        #expect(try simplify("2*x*3/(4*y)") == "3*x/(2*y)")
        #expect(try simplify("(x*y^2)^2/y^4") == "x^2")
        #expect(try simplify("x/x") == "1")
        #expect(try simplify("0*x + y") == "y")
        #expect(try simplify("x + x + 2*x - y") == "4*x - y")
        #expect(try simplify("1 + 2*3 - 4/2") == "5")
        #expect(try simplify("-(-x)") == "x")
        #expect(try simplify("max(2, 3) + abs(-1)") == "4")
        #expect(try simplify("x^0") == "1")
        // Γ(0) from Γ(α) by substitution and simplification is A_2²/B_2 (= Λ₂).
        #expect(Theory.current.quantity("Gamma_scratch")!.formula.plainText == "A_2^2/B_2")
        #expect(Theory.current.quantity("Gamma_inherited")!.formula.plainText == "A_u^2/B_1")
    }

    /// Simplification keeps values (positive points, relative 1e-9: reordering sums and
    /// merging powers changes rounding, and nested exp/log can amplify it by ~1e3) and is
    /// idempotent, on 500 seeded random expressions.
    @Test func simplificationPreservesValueAndIsIdempotent() throws {
        var generator = ExpressionGenerator(seed: 7)
        for _ in 0..<500 {
            let e = generator.positive(depth: 4)
            let s = e.simplified()
            #expect(s.simplified() == s, "not idempotent: \(e.plainText) -> \(s.plainText) -> \(s.simplified().plainText)")
            let point = generator.point()
            let a = try e.evaluate(point).value, b = try s.evaluate(point).value
            #expect(relativeError(a, b) < 1e-9, "\(e.plainText) = \(a) but \(s.plainText) = \(b)")
        }
    }
}
