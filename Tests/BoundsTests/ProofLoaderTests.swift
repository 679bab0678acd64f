@testable import Bounds
import Foundation
import Testing

@Suite struct ProofLoaderTests {
    static let expectedIDs: Set<String> = [
        "lemma-noise-norm", "lemma-noise-correlation", "lemma-init-norm", "lemma-init-signal", "lemma-init-noise",
        "lemma-rho-bar", "lemma-rho-under", "lemma-gamma-growth", "lemma-signal-noise-ratio", "lemma-decomposition",
        "lemma-training-converges", "theorem-4.2-benign", "theorem-4.2-harmful", "proposition-negative-transfer",
        "corollary-monotone", "theorem-scratch-benign", "theorem-scratch-harmful", "lambda-agreement", "gamma-agreement", "inherited-signal-share", "inherited-noise-share", "gamma-ordering",
    ]

    @Test func shippedProofsLoad() throws {
        let library = try ProofLibrary.load(directory: packageRoot.appendingPathComponent("proofs").path)
        #expect(Set(library.statements.map(\.id)) == Self.expectedIDs)
        for s in library.statements {
            #expect(s.probe == s.id)
            #expect(!s.claims.isEmpty)
            // Dependency order: everything a statement uses comes before it.
            let index = library.statements.firstIndex { $0.id == s.id }!
            for u in s.uses { #expect(library.statements.firstIndex { $0.id == u }! < index) }
        }
        #expect(library.dependents(of: "lemma-noise-norm").contains("corollary-monotone"))
        #expect(library.dependencyGraph.contains("[0] lemma-noise-norm (predecessor)"))
    }

    /// A shipped statement evaluated on a configuration plus measured values.
    @Test func statementsEvaluateOnEnvironments() throws {
        let library = try ProofLibrary.load(directory: packageRoot.appendingPathComponent("proofs").path)
        let config = TheoryQuantityTests.configs[0]
        let benign = try #require(library.statement("theorem-4.2-benign"))
        let env = Environment.theory(configuration: config, constants: ["C1": 10], task: 2)
            .setting("test_error", 0.01, error: 0.002)
        let evaluation = benign.evaluate(in: env, task: 2)
        #expect(evaluation.errors.isEmpty, "\(evaluation.errors)")
        #expect(evaluation.hypotheses.first?.outcome == .holds)          // Γ ≈ 14.6 ≥ 10
        #expect(evaluation.failedHypotheses.contains("cond_dimension_1"))  // d = 400 is far too small
        #expect(evaluation.hypothesesOutcome == .fails)                  // so: not applicable
        // The claim itself: 0.01 ± 0.002 ≤ 0 + exp(−14.64/1) ≈ 4.4e-7: fails.
        #expect(evaluation.claimOutcome == .fails)
        // Per-task lemma through the aliases.
        let noise = try #require(library.statement("lemma-noise-norm"))
        let lemmaEnv = Environment.theory(configuration: config, task: 1).setting("noise_norm_sq", 390)
        let e = noise.evaluate(in: lemmaEnv, task: 1)
        #expect(e.claimOutcome == .holds)                                // 200 ≤ 390 ≤ 600
        #expect(e.hypotheses.first?.label == "cond_dimension")
        // Certificates: an empirical claim cannot be derived from its hypotheses.
        #expect(benign.certificates(task: 2).allSatisfy { $0.certificate == nil })
    }

    // MARK: Rejections, each with file:line:column

    func problems(_ files: [String: String]) throws -> [ProofProblem] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bounds-proofs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        do {
            _ = try ProofLibrary.load(directory: dir.path)
            return []
        } catch {
            return error.problems.map { p in
                var q = p
                q.location.file = (p.location.file as NSString).lastPathComponent
                return q
            }
        }
    }

    static func statement(_ id: String, claim: String = "\"test_error <= p + 0.1\"", extra: String = "") -> String {
        """
        id: \(id)
        title: "A test statement"
        provenance: predecessor
        source: "tests"
        \(extra)claim: \(claim)
        probe: \(id)
        """
    }

    @Test func goodFixtureLoads() throws {
        #expect(try problems(["a.yaml": Self.statement("a")]).isEmpty)
    }

    @Test func unknownIdentifierIsRejectedWithPosition() throws {
        let p = try problems(["a.yaml": Self.statement("a", claim: "\"test_error <= p + bogus_thing\"")])
        #expect(p.map(\.description) == ["a.yaml:5:27: unknown identifier 'bogus_thing' in claim 'test_error <= p + bogus_thing'"])
    }

    @Test func malformedClaimIsRejectedWithPosition() throws {
        let p = try problems(["a.yaml": Self.statement("a", claim: "test_error <= (p + 1")])
        #expect(p.count == 1)
        #expect(p[0].description.hasPrefix("a.yaml:5:28: malformed claim 'test_error <= (p + 1': expected ')'"))
        let q = try problems(["a.yaml": Self.statement("a", claim: "\"test_error + 1\"")])
        #expect(q.first?.description.hasPrefix("a.yaml:5:23: malformed claim") == true)
    }

    @Test func unknownUsesIsRejected() throws {
        let p = try problems(["a.yaml": Self.statement("a", extra: "uses: [lemma-that-does-not-exist]\n")])
        #expect(p.map(\.description) == ["a.yaml:1:5: 'a' uses unknown statement 'lemma-that-does-not-exist'"])
    }

    @Test func cyclesAreRejected() throws {
        let p = try problems([
            "a.yaml": Self.statement("a", extra: "uses: [b]\n"),
            "b.yaml": Self.statement("b", extra: "uses: [c]\n"),
            "c.yaml": Self.statement("c", extra: "uses: [a]\n"),
        ])
        #expect(p.count == 1)
        #expect(p[0].description.hasSuffix("statements use each other in a cycle: a -> b -> c -> a"))
        #expect(p[0].description.hasPrefix("a.yaml:1:5:"))
    }

    @Test func structuralProblemsAreRejected() throws {
        let p = try problems([
            "a.yaml": Self.statement("a", extra: "colour: blue\n"),
            "b.yaml": Self.statement("wrong-name"),
            "c.yaml": "id: c\ntitle: t\nprovenance: folklore\nsource: s\nclaim: \"x >= 1\"\nprobe: c\n",
            "d.yaml": "id: d\ntitle: [unclosed\n",
            "e.yaml": Self.statement("e", claim: "\"test_error <= p + exp(-Gamma/C2)\""),
            "f.yaml": Self.statement("f", extra: "hypotheses:\n  - cond_nonsense\n  - cond_dimension_2\n"),
            "g.yaml": "- just\n- a list\n",
        ]).map(\.description)
        #expect(p.contains("a.yaml:5:1: unknown field 'colour' (allowed: id, title, provenance, source, uses, hypotheses, claim, constants, probe)"))
        #expect(p.contains("b.yaml:1:5: id 'wrong-name' must equal the file name 'b'"))
        #expect(p.contains("c.yaml:3:13: unknown provenance 'folklore' (one of: paper, paper (claim), predecessor, reconstruction)"))
        #expect(p.contains("c.yaml:5:9: unknown identifier 'x' in claim 'x >= 1'"))
        #expect(p.contains { $0.hasPrefix("d.yaml:3:1: not valid YAML") })
        #expect(p.contains("e.yaml:5:1: constant 'C2' is used but not listed in 'constants'"))
        #expect(p.contains("f.yaml:6:5: malformed hypothesis 'cond_nonsense': expected a comparison ('<=', '>=', '<' or '>'), found the end of the input")
                || p.contains { $0.hasPrefix("f.yaml:6:") && $0.contains("cond_nonsense") })
        #expect(p.contains { $0.hasPrefix("g.yaml:1:1: a statement file must be a YAML mapping") })
        #expect(!p.contains { $0.contains("cond_dimension_2") })
    }

    @Test func validationLayerCanExtendTheCatalog() throws {
        let text = Self.statement("a", claim: "\"margin_min >= 0\"")
        let (bad, badProblems) = ProofLibrary.parseStatement(yaml: text, file: "a.yaml")
        #expect(bad == nil && badProblems.count == 1)
        let catalog = IdentifierCatalog.standard.adding(measured: [("margin_min", "smallest training margin", "logit")])
        let (good, goodProblems) = ProofLibrary.parseStatement(yaml: text, file: "a.yaml", catalog: catalog)
        #expect(goodProblems.isEmpty && good?.claims.count == 1)
    }
}

/// One name, one meaning: the catalog keeps the first entry of a repeated name, so a measured
/// quantity named like a theory quantity (as `gamma_hat`, γ̂ of §6, nearly was for Γ̂) would be
/// silently shadowed in every statement that uses it.
@Test func noIdentifierIsDeclaredTwice() {
    let names = (IdentifierCatalog.configuration + IdentifierCatalog.aliases + IdentifierCatalog.constants
                 + IdentifierCatalog.theory + IdentifierCatalog.measured).map(\.name)
    let repeated = Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    #expect(repeated.isEmpty, "declared more than once: \(repeated)")
}
