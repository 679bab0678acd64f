@testable import Bounds
import Foundation
import Testing

/// The theory file reader (docs/theory.md §6c): problems instead of traps, and `at` reaching Γ
/// through the quantities it is built from.
struct TheoryFileTests {
    static let shipped: String = {
        (try? String(contentsOf: ProofLibrary.bundledDirectory.appendingPathComponent(Theory.fileName), encoding: .utf8)) ?? ""
    }()

    static func problems(_ text: String) -> [String] {
        do { _ = try Theory.parse(yaml: text, file: "t.yaml"); return [] } catch { return error.problems.map(\.description) }
    }

    @Test func theShippedFileLoads() {
        #expect(Self.problems(Self.shipped).isEmpty)
    }

    /// Keys repeated under a tag were read as two aliases of one name, and building the bindings
    /// trapped; tags are refused now, and a plain repeat is named.
    @Test func aRepeatedAliasIsAProblemNotATrap() {
        let tagged = Self.shipped.replacingOccurrences(of: "  n: [N1, N2]\n", with: "  n: [N1, N2]\n  !x n: [N2, N1]\n")
        #expect(Self.problems(tagged).contains { $0.contains("a tag ('!x') is not allowed") })
        let repeated = Self.shipped.replacingOccurrences(of: "  n: [N1, N2]\n", with: "  n: [N1, N2]\n  n: [N2, N1]\n")
        #expect(Self.problems(repeated).contains { $0.contains("'n' given twice") })
    }

    /// Γ written through an intermediate quantity: Γ(0) must still be Γ at α = 0 — by hand,
    /// (0·A_u + A_2)²/(0 + B_2) = A_2²/B_2 — and not Γ at the configuration's α.
    @Test func atReachesTheQuantitiesAFormulaIsBuiltFrom() throws {
        let text = Self.shipped.replacingOccurrences(
            of: "    formula: \"(alpha*A_u + (1 - alpha)*A_2)^2/(alpha^2*B_1 + (1 - alpha)^2*B_2)\"",
            with: "    formula: \"signal^2/(alpha^2*B_1 + (1 - alpha)^2*B_2)\"")
            .replacingOccurrences(of: "  - id: Gamma\n", with: """
                  - id: signal
                    title: "the signal term"
                    formula: "alpha*A_u + (1 - alpha)*A_2"
                    units: dimensionless
                    provenance: reconstruction
                  - id: Gamma

                """)
        let theory = try Theory.parse(yaml: text, file: "t.yaml")
        let config: [String: Double] = ["d": 400, "N1": 80, "N2": 20, "u_norm": 3, "v1_norm": 2, "v2_norm": 2, "alpha": 0.5]
        let env = Environment(config.merging(["sigma_p1": 1, "sigma_p2": 1]) { a, _ in a }, definitions: theory.definitions)
        let scratch = try Formula.variable("Gamma_scratch").evaluate(in: env).value
        // A_2 = N₂‖μ₂‖²/d = 20·13/400 = 0.65, B_2 = N₂/d = 0.05.
        #expect(abs(scratch - 0.65 * 0.65 / 0.05) < 1e-12 * 8.45, "Γ(0) = \(scratch)")
        #expect(Self.problems(text.replacingOccurrences(of: "at: {alpha: 0}", with: "at: {alhpa: 0}")).contains { $0.contains("'alhpa'") })
    }
}
