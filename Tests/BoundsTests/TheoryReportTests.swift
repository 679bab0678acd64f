@testable import Bounds
import Foundation
import Platform
import Testing

/// The `ptv bounds --json` object has the shape the issue specifies and serialises.
@Suite struct TheoryReportTests {
    @Test func jsonShape() throws {
        let report = TheoryReport(configuration: TheoryQuantityTests.configs[0], constants: ["C1": 10])
        // Read back by Foundation's parser, independently of the package's own JSON code.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(JSONOutput.text(.object(report.jsonObject)).utf8)) as? [String: Any])
        let quantities = try #require(json["quantities"] as? [String: Any])
        for id in ["SNR_1", "SNR_2", "Lambda_1", "Lambda_2", "gamma_hat_1", "gamma_hat_2", "SNR_u", "A_u", "B_1", "A_2",
                   "B_2", "Gamma", "Gamma_scratch", "Gamma_inherited", "d_star"] {
            let q = try #require(quantities[id] as? [String: Any], "missing \(id)")
            #expect(q["value"] is Double && q["error"] is Double, "\(id)")
            #expect(q["formula"] is String && q["provenance"] is String)
        }
        let conditions = try #require(json["conditions"] as? [[String: Any]])
        #expect(conditions.count == 14)
        for c in conditions {
            #expect(c["id"] is String && (c["task"] as? Int).map { [1, 2].contains($0) } == true)
            #expect(c["lhs"] is Double && c["rhs"] is Double && c["holds"] is Bool && c["provenance"] is String)
        }
        let predictions = try #require(json["predictions"] as? [String: Any])
        #expect(["benign", "harmful", "between", "indeterminate"].contains(predictions["regime_by_gamma"] as? String ?? ""))
        let regime = predictions["regime"] as? String ?? ""
        #expect(regime == predictions["regime_by_gamma"] as? String || regime.hasPrefix("outside the hypotheses ("))
        #expect(predictions["failing_conditions"] is [String] && predictions.keys.contains("C_max"))
        #expect(predictions["predicted_test_error"] is Double && predictions["negative_transfer"] is Bool)
        #expect(JSONOutput.text(.object(report.jsonObject)).utf8.count > 1000)
        let text = report.text
        #expect(text.contains("Quantities (docs/theory.md §6") && text.contains("Conditions") && text.contains("∂Γ/∂α"))
    }

    /// A configuration where some evaluation fails (T1 = 0 makes log T* a domain error)
    /// still gives a complete, serialisable report naming the failing sub-expression.
    @Test func failuresAreReportedNotFatal() throws {
        var config = TheoryQuantityTests.configs[0]
        config["T1"] = 0
        let report = TheoryReport(configuration: config)
        let dimension = try #require(report.conditions.first { $0.condition.id == "cond_dimension" && $0.task == 1 })
        guard case .failure(.domain(let s, _)) = dimension.result else {
            Issue.record("log(0) should be a domain error"); return
        }
        #expect(s == "log(T1)")
        _ = try JSONSerialization.jsonObject(with: Data(JSONOutput.text(.object(report.jsonObject)).utf8))
    }
}

/// The example of Bounds.docc/Bounds.md, compiled and run (keep the two equal).
struct BoundsDocumentationExampleTests {
    @Test func theLandingPageExampleRuns() throws {
        let env = Environment.theory(configuration: ["d": 400, "m": 10, "N1": 80, "N2": 20, "u_norm": 3,
                                                     "v1_norm": 2, "v2_norm": 2, "v_overlap": 0, "sigma_p1": 1,
                                                     "sigma_p2": 1, "p": 0, "sigma0": 0.01, "eta": 1, "T1": 200,
                                                     "T2": 200, "alpha": 0.5, "delta": 0.05], task: 1)
        let gamma = try Formula.variable("Gamma").evaluate(in: env)          // Γ(α), value ± error
        let dimension = Theory.current.condition("cond_dimension")!.relation(forTask: 1)
        let holds = try dimension.compare(in: env).outcome                   // .fails at d = 400
        let cMax = try dimension.largestConstant("C", in: env)              // the largest C at which it holds
        // Γ(½) = 14.64 (hand value in BoundsCommandTests); d = 400 against N₁²·log(N₁m/δ)·(log T₁)².
        #expect(abs(gamma.value - 14.6402) < 1e-3 && holds == .fails)
        #expect(abs(cMax - 400 / (6400 * log(16000.0) * pow(log(200.0), 2))) < 1e-15)
    }
}
