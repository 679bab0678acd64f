@testable import Bounds
import Foundation
import Testing

/// Derivatives against central finite differences. With step h = 1e-5·|x| the truncation
/// error is about h²·|f‴|/6 ≈ 1e-11·|f‴| and the rounding error about ε·|f|/h ≈ 2e-11·|f|;
/// the tolerance 1e-6·(|f′| + |f| + 1) leaves a wide margin for the smooth test functions
/// while still catching any wrong rule (which is off by O(1)).
@Suite struct DifferentiationTests {
    func finiteDifference(_ e: Formula, _ point: [String: Double], _ v: String) throws -> Double {
        let x = point[v]!, h = 1e-5 * max(1, abs(x))
        var up = point, down = point
        up[v] = x + h
        down[v] = x - h
        return (try e.evaluate(up).value - e.evaluate(down).value) / (2 * h)
    }

    @Test func randomExpressions() throws {
        var generator = ExpressionGenerator(seed: 42)
        for _ in 0..<400 {
            let e = generator.positive(depth: 4)
            let point = generator.point()
            for v in ["x", "y"] {
                let d = e.derivative(withRespectTo: v)
                let exact = try d.evaluate(point).value
                let fd = try finiteDifference(e, point, v)
                let f = try e.evaluate(point).value
                #expect(abs(exact - fd) <= 1e-6 * (abs(exact) + abs(f) + 1),
                        "d/d\(v) \(e.plainText) = \(d.plainText): \(exact) vs finite difference \(fd)")
            }
        }
    }

    @Test func rules() throws {
        #expect(try Formula(parsing: "x^3").derivative(withRespectTo: "x").plainText == "3*x^2")
        #expect(try Formula(parsing: "log(x)").derivative(withRespectTo: "x").plainText == "1/x")
        #expect(try Formula(parsing: "y^2").derivative(withRespectTo: "x").plainText == "0")
        // min/max/abs away from kinks; Phiinv and the general power.
        let point = ["x": 0.3, "y": 0.8]
        for text in ["min(x, y)*x", "max(x^2, y)", "abs(x - y)", "Phiinv(x)", "x^y", "2^x", "erf(x)*Q(y)"] {
            let e = try Formula(parsing: text)
            let exact = try e.derivative(withRespectTo: "x").evaluate(point).value
            let fd = try finiteDifference(e, point, "x")
            #expect(abs(exact - fd) <= 1e-6 * (abs(exact) + 1), "\(text): \(exact) vs \(fd)")
        }
    }

    /// ∂Γ/∂α, ∂Γ/∂N₁, ∂Γ/∂‖u‖ through the definitions, against finite differences of Γ.
    @Test func gammaSensitivities() throws {
        let config: [String: Double] = ["d": 400, "m": 10, "N1": 80, "N2": 20, "u_norm": 3, "v1_norm": 2, "v2_norm": 2,
                                        "v_overlap": 0, "sigma_p1": 1, "sigma_p2": 1.3, "p": 0.05, "sigma0": 0.01,
                                        "eta": 1, "T1": 200, "T2": 200, "alpha": 0.4, "delta": 0.05]
        let env = Environment.theory(configuration: config)
        let gamma = Formula.variable("Gamma")
        for v in ["alpha", "N1", "u_norm", "d", "sigma_p1"] {
            let d = gamma.derivative(withRespectTo: v, definitions: Theory.current.definitions)
            let exact = try d.evaluate(in: env).value
            let x = config[v]!, h = 1e-5 * x
            let fd = (try gamma.evaluate(in: env.setting(v, x + h)).value - gamma.evaluate(in: env.setting(v, x - h)).value) / (2 * h)
            #expect(relativeError(exact, fd) < 1e-6, "∂Γ/∂\(v): \(exact) vs \(fd)")
        }
    }
}
