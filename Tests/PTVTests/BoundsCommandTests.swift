import Foundation
import Testing

/// `ptv bounds`, `ptv prove` and `ptv proofs check` end to end.
@Suite(.serialized)
struct BoundsCommandTests {
    @Test func boundsJSONHasTheDocumentedShapeAndIndependentValues() throws {
        let dir = CLI.temporaryDirectory("bounds")
        let config = dir.appendingPathComponent("c.yaml")
        try CLI.write("d: 400\nN1: 80\nN2: 20\nu_norm: 3\nv1_norm: 2\nv2_norm: 2\nalpha: 0.5\nconstants: {C1: 2}\n", to: config)
        let result = try CLI.run(["bounds", "--config", config.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let quantities = try #require(json["quantities"] as? [String: [String: Any]])
        for id in ["SNR_1", "SNR_2", "Lambda_1", "Lambda_2", "gamma_hat_1", "gamma_hat_2", "SNR_u", "A_u", "B_1", "A_2", "B_2",
                   "Gamma", "Gamma_scratch", "Gamma_inherited", "d_star"] {
            #expect(quantities[id] != nil, "quantity \(id)")
            for key in ["value", "error", "formula", "provenance"] { #expect(quantities[id]?[key] != nil, "\(id).\(key)") }
        }
        // Independent hand computation (docs/theory.md §6), σ = 1: A_u = N₁‖u‖²/d = 1.8,
        // B₁ = (N₁/d)(1 + N₁‖v₁‖²/d) = 0.36, A₂ = N₂‖μ₂‖²/d = 0.65, B₂ = N₂/d = 0.05,
        // Γ(½) = (0.9 + 0.325)²/(0.09 + 0.0125); d* = (a²/C1 − c′)/c with a = 490, c = 25, c′ = 6400.
        let gamma = pow(0.5 * 1.8 + 0.5 * 0.65, 2) / (0.25 * 0.36 + 0.25 * 0.05)
        #expect(abs((quantities["Gamma"]!["value"] as! Double) - gamma) <= 1e-12 * gamma)
        #expect(abs((quantities["Gamma_scratch"]!["value"] as! Double) - 0.65 * 0.65 / 0.05) <= 1e-12 * 8.45)
        let dStar = (490.0 * 490.0 / 2 - 6400) / 25
        #expect(abs((quantities["d_star"]!["value"] as! Double) - dStar) <= 1e-10 * dStar)
        let conditions = try #require(json["conditions"] as? [[String: Any]])
        #expect(Set(conditions.compactMap { $0["task"] as? Int }) == [1, 2])
        for c in conditions { for key in ["id", "lhs", "rhs", "holds", "provenance"] { #expect(c[key] != nil, "condition \(key)") } }
        let predictions = try #require(json["predictions"] as? [String: Any])
        #expect(predictions["regime_by_gamma"] as? String == "benign")          // Γ = 14.6 ≥ C1 = 2
        // At C = 1, d = 400 is far below cond_dimension_1's N₁²·log(N₁m/δ)·(log T₁)² ≈ 1.7·10⁶ (the
        // binding condition; its C* = 400/that), and the prediction says so.
        let regime = try #require(predictions["regime"] as? String)
        #expect(regime.hasPrefix("outside the hypotheses (") && regime.contains("cond_dimension_1") && regime.contains("cond_step_2"))
        let cMax = 400 / (6400 * log(80.0 * 10 / 0.05) * pow(log(200.0), 2))
        #expect(abs((predictions["C_max"] as? Double ?? 0) - cMax) <= 1e-12 * cMax)
        #expect(predictions["binding_condition"] as? String == "cond_dimension_1")
        #expect(predictions["negative_transfer"] as? Bool == false)    // Γ(½) = 14.6 > Γ(0) = 8.45
        #expect(predictions["predicted_test_error"] is Double)
    }

    /// The theory is data (issue 12): a proofs copy whose theory.yaml gives Γ another form changes
    /// what `ptv bounds --proofs COPY` prints — checked against the new form computed by hand — and
    /// what `ptv validate --proofs COPY` judges on the same recorded runs, without a rebuild; a
    /// malformed theory file is refused with exit 2 and file:line:column.
    @Test func anEditedTheoryFileChangesBoundsAndJudgements() throws {
        let dir = CLI.temporaryDirectory("theory-data")
        let config = dir.appendingPathComponent("c.yaml")
        try CLI.write("d: 400\nN1: 80\nN2: 20\nu_norm: 3\nv1_norm: 2\nv2_norm: 2\nalpha: 0.5\n", to: config)
        // Inherited filters credited with both signals and both noises (a candidate form).
        let proofs = try CLI.proofsCopy(in: dir, editing: "theory.yaml",
                                        replacing: "\"(alpha*A_u + (1 - alpha)*A_2)^2/(alpha^2*B_1 + (1 - alpha)^2*B_2)\"",
                                        with: "\"(alpha*(A_u + A_2) + (1 - alpha)*A_2)^2/(alpha^2*(B_1 + B_2) + (1 - alpha)^2*B_2)\"")
        func gamma(_ extra: [String]) throws -> Double {
            let result = try CLI.run(["bounds", "--config", config.path, "--json"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
            return try #require((json["quantities"] as? [String: [String: Any]])?["Gamma"]?["value"] as? Double)
        }
        // By hand (σ = 1): A_u = 1.8, B₁ = 0.36, A₂ = 0.65, B₂ = 0.05 (see the test above).
        let shipped = pow(0.5 * 1.8 + 0.5 * 0.65, 2) / (0.25 * 0.36 + 0.25 * 0.05)
        let edited = pow(0.5 * (1.8 + 0.65) + 0.5 * 0.65, 2) / (0.25 * (0.36 + 0.05) + 0.25 * 0.05)
        #expect(abs(try gamma([]) - shipped) <= 1e-12 * shipped)
        #expect(abs(try gamma(["--proofs", proofs.path]) - edited) <= 1e-12 * edited)

        // The same recorded runs judged under both theories.
        try CLI.write(ValidateCommandTests.suite, to: dir.appendingPathComponent("suite.yaml"))
        let first = dir.appendingPathComponent("shipped"), second = dir.appendingPathComponent("edited")
        _ = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--out", first.path, "--quiet"])
        let rejudged = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--runs", first.path,
                                    "--proofs", proofs.path, "--out", second.path, "--quiet"])
        #expect(rejudged.status != 2, "\(rejudged.stderr)")
        let page = { (folder: URL) in try String(contentsOf: folder.appendingPathComponent("lemmas/gamma-agreement.md"), encoding: .utf8) }
        #expect(try page(first) != page(second), "the judgement of gamma-agreement did not change with Γ")

        // A malformed theory file: exit 2, each problem at file:line:column.
        let broken = try CLI.proofsCopy(in: dir.appendingPathComponent("broken"), editing: "theory.yaml",
                                        replacing: "formula: \"N2/d\"", with: "formula: \"N2/(d\"")
        for arguments in [["bounds", "--config", config.path, "--proofs", broken.path], ["proofs", "check", "--proofs", broken.path]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2 && result.stderr.contains("theory.yaml:") && result.stderr.contains("malformed formula"), "\(result.stderr)")
        }
    }

    /// `ptv compare` judges the shipped candidates on one set of recorded runs and writes the page
    /// and JSON; the learning candidate's Γ differs from the static one's, so their fitted
    /// gamma-agreement bands differ too.
    @Test func compareJudgesCandidateTheoriesOnTheSameRuns() throws {
        let dir = CLI.temporaryDirectory("compare")
        try CLI.write(ValidateCommandTests.suite, to: dir.appendingPathComponent("suite.yaml"))
        let report = dir.appendingPathComponent("report"), out = dir.appendingPathComponent("comparison")
        _ = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--out", report.path, "--quiet"])
        let candidates = CLI.packageRoot.appendingPathComponent("proofs/candidates")
        let result = try CLI.run(["compare", "--suite", dir.appendingPathComponent("suite.yaml").path, "--runs", report.path,
                                  "--proofs", candidates.appendingPathComponent("static.yaml").path,
                                  "--proofs", candidates.appendingPathComponent("learning.yaml").path, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try CLI.json(out.appendingPathComponent("comparison.json"))
        let theories = try #require(json["theories"] as? [[String: Any]])
        #expect(theories.map { $0["name"] as? String } == ["static", "learning"])
        func band(_ theory: [String: Any]) -> Double? {
            ((theory["statements"] as? [[String: Any]])?.first { $0["id"] as? String == "gamma-agreement" }?["fitted"] as? [[String: Any]])?
                .first?["value"] as? Double
        }
        #expect(band(theories[0]) != nil && band(theories[0]) != band(theories[1]))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))
        let one = try CLI.run(["compare", "--runs", report.path, "--proofs", candidates.path, "--out", out.path])
        #expect(one.status == 2 && one.stderr.contains("at least two"))
    }

    /// `--lift`: the printed configuration runs, satisfies every condition at C (as `ptv bounds`
    /// itself judges it) and keeps Λ₁, Λ₂ (hand formula Λ_k = N_k‖μ_k‖⁴/(σ⁴d), σ = 1).
    @Test func liftPrintsARunnableConfigurationInsideTheHypotheses() throws {
        let dir = CLI.temporaryDirectory("lift")
        let config = dir.appendingPathComponent("c.yaml"), lifted = dir.appendingPathComponent("lifted.yaml")
        try CLI.write("d: 400\nN1: 40\nN2: 10\nm: 8\nu_norm: 2\nv1_norm: 1.5\nv2_norm: 1.5\nT1: 100\nT2: 100\nn_test: 200\n", to: config)
        let result = try CLI.run(["bounds", "--config", config.path, "--lift"])
        #expect(result.status == 0, "\(result.stderr)")
        try CLI.write(result.stdout, to: lifted)
        let check = try CLI.run(["bounds", "--config", lifted.path, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as! [String: Any]
        let predictions = try #require(json["predictions"] as? [String: Any])
        #expect((predictions["failing_conditions"] as? [String])?.isEmpty == true, "\(predictions)")
        #expect((predictions["C_max"] as? Double ?? 0) >= 1)
        let quantities = try #require(json["quantities"] as? [String: [String: Any]])
        for (id, n) in [("Lambda_1", 40.0), ("Lambda_2", 10.0)] {
            let lambda = n * pow(2 * 2 + 1.5 * 1.5, 2) / 400
            #expect(abs((quantities[id]?["value"] as? Double ?? 0) - lambda) <= 1e-9 * lambda, "\(id)")
        }
        #expect(result.stdout.contains("largest training loss of the check runs"))
        let run = try CLI.run(["train", "--config", lifted.path, "--out", dir.appendingPathComponent("run").path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func liftNamesTheConditionThatPreventsIt() throws {
        let dir = CLI.temporaryDirectory("nolift")
        let config = dir.appendingPathComponent("c.yaml")
        try CLI.write("p: 0.45\nm: 40\n", to: config)
        let result = try CLI.run(["bounds", "--config", config.path, "--lift", "--C", "2.5"])
        #expect(result.status == 2 && result.stderr.contains("'cond_label_noise_1'") && result.stderr.contains("prevents lifting"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// m ≥ C log(n/δ) is met by raising m (docs/theory.md §6a): with the defaults N₁ = 40 and
    /// δ = 0.05, m = 2 becomes ⌈log(800)⌉ = 7 at C = 1.
    @Test func liftRaisesTooFewFilters() throws {
        let dir = CLI.temporaryDirectory("lift-m")
        let config = dir.appendingPathComponent("c.yaml")
        try CLI.write("m: 2\nN1: 40\ndelta: 0.05\n", to: config)
        let result = try CLI.run(["bounds", "--config", config.path, "--lift", "--C", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("m 2 -> 7") && result.stdout.contains("\nm: 7\n"), "\(result.stdout)")
    }

    @Test func proveCertifiesFollowsAndRefusesWhatDoesNot() throws {
        let proved = try CLI.run(["prove", "--assume", "x >= y^2", "--assume", "y >= z^3", "--claim", "x >= z^6"])
        #expect(proved.status == 0, "\(proved.stdout)\(proved.stderr)")
        let refused = try CLI.run(["prove", "--assume", "x >= y^2", "--assume", "y >= z^3", "--claim", "x >= z^7"])
        #expect(refused.status == 1 && refused.stdout.contains("cannot verify"))
        let malformed = try CLI.run(["prove", "--assume", "x >= y^2", "--claim", "x >= (y"])
        #expect(malformed.status == 2 && malformed.stderr.contains("1:8"), "\(malformed.stderr)")
    }

    @Test func proofsCheckPassesOnTheShippedFolderAndNamesFileAndLineOtherwise() throws {
        let shipped = try CLI.run(["proofs", "check"])
        #expect(shipped.status == 0, "\(shipped.stderr)")
        let dir = CLI.temporaryDirectory("proofs")
        let proofs = try CLI.proofsCopy(in: dir, editing: "lemma-decomposition.yaml", replacing: "rel_error <= 1e-9", with: "rel_eror <= 1e-9")
        let broken = try CLI.run(["proofs", "check", "--proofs", proofs.path])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("lemma-decomposition.yaml:") && broken.stderr.contains("rel_eror"), "\(broken.stderr)")
        // A probe name the validation layer does not have, with its line and column.
        let other = CLI.temporaryDirectory("probe")
        let misnamed = try CLI.proofsCopy(in: other, editing: "lemma-rho-bar.yaml", replacing: "probe: lemma-rho-bar", with: "probe: lemma-rho-bra")
        let unknown = try CLI.run(["proofs", "check", "--proofs", misnamed.path])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("lemma-rho-bar.yaml:") && unknown.stderr.contains("lemma-rho-bar.yaml:19:8: unknown probe 'lemma-rho-bra'"), "\(unknown.stderr)")
    }
}
