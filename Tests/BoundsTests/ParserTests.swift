@testable import Bounds
import Testing

@Suite struct ParserTests {
    @Test func precedenceAndAssociativity() throws {
        #expect(try Formula(parsing: "-x^2") == .negate(.binary(.power, .variable("x"), .number(2))))
        #expect(try Formula(parsing: "2^3^2") == .binary(.power, .number(2), .binary(.power, .number(3), .number(2))))
        #expect(try Formula(parsing: "a - b - c") == .binary(.subtract, .binary(.subtract, .variable("a"), .variable("b")), .variable("c")))
        #expect(try Formula(parsing: "a/b*c") == .binary(.multiply, .binary(.divide, .variable("a"), .variable("b")), .variable("c")))
        #expect(try Formula(parsing: "x^-1") == .binary(.power, .variable("x"), .negate(.number(1))))
        #expect(try Formula(parsing: "max(a, b, 2.5e-3)") == .call(.max, [.variable("a"), .variable("b"), .number(0.0025)]))
        let r = try Relation(parsing: "Gamma >= C1")
        #expect(r.op == .greaterEqual && r.lhs == .variable("Gamma") && r.rhs == .variable("C1"))
    }

    /// Errors name line and column of the offending token.
    @Test(arguments: [
        ("x +", 1, 4, "expected a number"),
        ("x + * y", 1, 5, "expected a number"),
        ("log x", 1, 5, "must be called with parentheses"),
        ("foo(x)", 1, 1, "unknown function 'foo'"),
        ("(x + y", 1, 7, "expected ')'"),
        ("2x", 1, 2, "write '*' for products"),
        ("x $ y", 1, 3, "unexpected character '$'"),
        ("x +\n  y )", 2, 5, "unexpected ')'"),
        ("min(x)", 1, 6, "takes at least 2 arguments"),
        ("1e+", 1, 4, "malformed number"),
    ] as [(String, Int, Int, String)])
    func expressionErrors(text: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try Formula(parsing: text)
        } throws: { error in
            guard let e = error as? ParseError else { return false }
            return e.line == line && e.column == column && e.message.contains(message)
        }
    }

    @Test func relationErrors() {
        #expect(throws: ParseError.self) { try Relation(parsing: "x + y") }
        #expect(throws: ParseError.self) { try Relation(parsing: "x <= y <= z") }
        #expect(throws: ParseError.self) { try Formula(parsing: "x <= y") }
        do {
            _ = try Relation(parsing: "a >= b c")
            Issue.record("should not parse")
        } catch {
            #expect(error.description == "1:8: unexpected 'c' after the end of the comparison")
        }
    }

    @Test func definitionsParseAndRejectCycles() throws {
        let defs = try DefinitionSet(parsing: """
            # two definitions
            a = b + 1
            b = 2*x
            """)
        #expect(defs.names == ["a", "b"])
        #expect(try Formula.variable("a").evaluate(in: Environment(["x": 3], definitions: defs)).value == 7)
        #expect(defs.expanded(.variable("a")) == (Formula.number(2) * .variable("x")) + .number(1))
        do {
            _ = try DefinitionSet(parsing: "a = b + 1\nb = c\nc = a*2")
            Issue.record("cycle not detected")
        } catch {
            #expect(error.line == 1 && error.description.contains("cycle: a -> b -> c -> a"))
        }
        do {
            _ = try DefinitionSet(parsing: "a = 1\n  a = 2")
            Issue.record("duplicate not detected")
        } catch {
            #expect(error.line == 2 && error.column == 3)
        }
        #expect(throws: DefinitionError.cycle(["p", "p"])) { try DefinitionSet([("p", .variable("p"))]) }
    }

    /// Printing then parsing gives the same expression, on 2000 seeded random expressions.
    @Test func printParseRoundTrip() throws {
        var generator = ExpressionGenerator(seed: 20260901)
        for _ in 0..<2000 {
            let e = generator.any(depth: 5)
            let text = e.plainText
            let back = try Formula(parsing: text)
            #expect(back == e, "round trip changed \(text) into \(back.plainText)")
        }
    }

    @Test func printStyles() throws {
        let e = try Formula(parsing: "N1*u_norm^2/(sigma_p1^2*d)")
        #expect(e.plainText == "N1*u_norm^2/(sigma_p1^2*d)")
        #expect(e.unicodeText == "N₁·‖u‖²/(σₚ₁²·d)")
        #expect(e.latexText == "\\frac{N_1 \\cdot \\|u\\|^{2}}{\\sigma_{p,1}^{2} \\cdot d}")
        let q = try Formula(parsing: "p + (1 - 2*p)*Q(kappa*sqrt(Gamma))")
        #expect(q.unicodeText == "p + (1 − 2·p)·Q(κ·√Γ)")
        #expect(q.latexText == "p + \\left(1 - 2 \\cdot p\\right) \\cdot Q\\left(\\kappa \\cdot \\sqrt{\\Gamma}\\right)")
        let r = try Relation(parsing: "noise_corr <= 2*sigma_p^2*sqrt(d*log(4*n^2/delta))")
        #expect(r.printed(.unicode) == "noise_corr ≤ 2·σₚ²·√(d·log(4·n²/δ))")
        #expect(r.printed(.latex).hasPrefix("\\mathrm{noise\\_corr} \\le 2 \\cdot \\sigma_p^{2}"))
        #expect(try Formula(parsing: "1e-05*x").latexText == "10^{-5} \\cdot x")
    }
}

/// Inputs that used to crash the parser or the prover (stack overflow, integer overflow) now
/// end in an error or "cannot verify" (issue 11's regressions).
struct ParserLimitTests {
    @Test func deepNestingIsAnErrorWithItsPosition() {
        let deep = "x >= " + String(repeating: "(", count: 20_000) + "y" + String(repeating: ")", count: 20_000)
        do {
            _ = try Relation(parsing: deep)
            Issue.record("accepted 20 000 nested parentheses")
        } catch {
            #expect(error.line == 1 && error.message.contains("too long"), "\(error)")
        }
        let nested = "x >= " + String(repeating: "(", count: 150) + "y" + String(repeating: ")", count: 150)
        do {
            _ = try Relation(parsing: nested)
            Issue.record("accepted 150 nested parentheses")
        } catch {
            // The 101st '(' stands at column 106 ("x >= " takes 5); the error names the token after it.
            #expect(error.message.contains("nesting deeper than 100") && error.column == 107, "\(error)")
        }
        #expect(throws: ParseError.self) { try Formula(parsing: String(repeating: "-", count: 500) + "x") }
        #expect(throws: ParseError.self) { try Formula(parsing: Array(repeating: "x", count: 200).joined(separator: "^")) }
        // Within the limits, ordinary nesting still parses.
        #expect(throws: Never.self) { try Formula(parsing: String(repeating: "(", count: 50) + "x" + String(repeating: ")", count: 50)) }
    }

    @Test func exponentsPastSixtyFourBitsCannotBeVerified() throws {
        let outcome = try LogLinearProver.prove(claim: "x >= y^5000000000000000000", assumptions: ["x >= y^(1/2)"])
        #expect(outcome.certificate == nil)
        if case .cannotVerify(let reason) = outcome { #expect(reason.contains("too large"), "\(reason)") }
    }
}
