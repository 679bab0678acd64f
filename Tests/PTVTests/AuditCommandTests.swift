import Foundation
import Testing

/// `ptv audit` end to end: the report files, exit code 1 on a regression, resuming from a store,
/// a grid's heatmap, and bad input refused with exit 2 naming the field.
@Suite(.serialized)
struct AuditCommandTests {
    /// The suite of `ValidateCommandTests`: two benign configurations and a harmful one, 2 seeds.
    static let suite = ValidateCommandTests.suite

    /// A statement planted for this test: where Γ ≥ C1, the transferred model errs at most 2 %.
    /// Algorithm 1 meets it on this suite (0.25 % and 0 %); inheriting filters × 10⁴ does not.
    static let planted = """
        id: planted-transfer-error
        title: "Planted: the transferred model's test error is at most 0.02 where Gamma >= C1"
        provenance: reconstruction
        source: "test fixture"
        hypotheses: ["Gamma >= C1"]
        claim: "test_error <= 0.02"
        constants: [C1]
        probe: theorem-4.2-benign
        """

    static func folder() throws -> URL {
        let dir = CLI.temporaryDirectory("audit")
        try CLI.write(suite, to: dir.appendingPathComponent("suite.yaml"))
        return dir
    }

    @Test func identicalRuleWritesTheReportAndChangesNothing() throws {
        let dir = try Self.folder()
        try CLI.write("selection: random\ntransform: {scale: 1}\n", to: dir.appendingPathComponent("same.yaml"))
        let out = dir.appendingPathComponent("report"), store = dir.appendingPathComponent("runs.sqlite")
        let arguments = ["audit", "--variant", dir.appendingPathComponent("same.yaml").path, "--suite",
                         dir.appendingPathComponent("suite.yaml").path, "--out", out.path, "--store", store.path]
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("verdicts changed: none"))
        for name in ["index.html", "summary.json", "manifest.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let summary = try CLI.json(out.appendingPathComponent("summary.json"))
        for c in try #require(summary["configurations"] as? [[String: Any]]) {
            let d = try #require(c["variant_minus_baseline"] as? [String: Any])
            #expect(d["mean"] as? Double == 0 && d["lower"] as? Double == 0 && d["upper"] as? Double == 0, "\(c)")
        }
        // Again on the same store: every run is found there, and the report is the same.
        let again = try CLI.run(arguments + ["--force"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.components(separatedBy: "found in the store").count - 1 == 12, "\(again.stderr)")
        let rerun = try CLI.json(out.appendingPathComponent("summary.json"))
        #expect(NSDictionary(dictionary: rerun).isEqual(to: summary))
    }

    @Test func aStatementThatStopsHoldingExitsOne() throws {
        let dir = try Self.folder()
        let proofs = try CLI.proofsCopy(in: dir, editing: "lemma-noise-norm.yaml", replacing: "lemma-noise-norm", with: "lemma-noise-norm")
        try CLI.write(Self.planted, to: proofs.appendingPathComponent("planted-transfer-error.yaml"))
        try CLI.write("selection: random\ntransform: {scale: 10000}\n", to: dir.appendingPathComponent("huge.yaml"))
        let result = try CLI.run(["audit", "--variant", dir.appendingPathComponent("huge.yaml").path, "--suite",
                                  dir.appendingPathComponent("suite.yaml").path, "--proofs", proofs.path,
                                  "--out", dir.appendingPathComponent("report").path, "--quiet"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("planted-transfer-error (holds → violated)"), "\(result.stdout)")
        let summary = try CLI.json(dir.appendingPathComponent("report/summary.json"))
        #expect(summary["regressions"] as? [String] == ["planted-transfer-error"])
        // Changed verdicts come first in the report's list.
        let statements = try #require(summary["statements"] as? [[String: Any]])
        let changed = statements.map { $0["changed"] as? Bool == true }
        #expect(changed.firstIndex(of: false).map { !changed[$0...].contains(true) } ?? true)
    }

    @Test func aGridGetsItsHeatmap() throws {
        let dir = CLI.temporaryDirectory("audit-grid")
        try CLI.write("""
            base: {d: 200, m: 5, N1: 30, N2: 12, T1: 60, T2: 60, n_test: 200, record_every: 10, v1_norm: 1.5, v2_norm: 1.5}
            grid: {u_norm: [0.3, 3], d: [100, 400]}
            seeds: [0, 1]
            """, to: dir.appendingPathComponent("grid.yaml"))
        let out = dir.appendingPathComponent("report")
        let result = try CLI.run(["audit", "--variant", "frozen", "--grid", dir.appendingPathComponent("grid.yaml").path,
                                  "--out", out.path, "--quiet"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let svg = try String(contentsOf: out.appendingPathComponent("figures/audit-heatmap.svg"), encoding: .utf8)
        #expect(svg.contains("variant better") && svg.contains("u_norm") && svg.contains("<svg"))
        #expect(try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8).contains("<svg"))
    }

    /// A grid with `regime:` audits its placed cells only (before, an unplaced cell stopped the audit).
    @Test func aPlacedGridAuditsItsPlacedCells() throws {
        let dir = CLI.temporaryDirectory("audit-regime")
        try CLI.write(RegimePlacementGrid.yaml.replacingOccurrences(of: "seeds: [0, 1]", with: "seeds: [0, 1, 2]"),
                      to: dir.appendingPathComponent("grid.yaml"))
        let out = dir.appendingPathComponent("report")
        let result = try CLI.run(["audit", "--variant", "frozen", "--grid", dir.appendingPathComponent("grid.yaml").path,
                                  "--out", out.path, "--quiet"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("d=100000000,p=0") && !index.contains("d=1000000,p=0") && !index.contains("p=0.4"))
    }

    @Test(arguments: [
        (["--variant", "nosuch"], "variant"),
        (["--variant", "RULE:selection: random\nfraction: 1.5\n"], "variant.fraction"),
        (["--variant", "RULE:selection: random\ntransform: {scale: }\n"], "variant.transform.scale"),
        (["--variant", "RULE:selection: best\n"], "variant.selection"),
        (["--variant", "top_snr", "--suite", "SUITE:T1: 0"], "configurations[0].variant"),
        (["--variant", "frozen", "--against", "RULE:selection: coordinates\ntransform: {freeze: true}\n"], "variant.transform.freeze"),
    ])
    func badInputExitsTwoNamingTheField(arguments: [String], field: String) throws {
        let dir = try Self.folder()
        var resolved: [String] = []
        for argument in arguments {
            if argument.hasPrefix("RULE:") {
                let url = dir.appendingPathComponent("rule-\(resolved.count).yaml")
                try CLI.write(String(argument.dropFirst(5)), to: url)
                resolved.append(url.path)
            } else if argument.hasPrefix("SUITE:") {
                let url = dir.appendingPathComponent("edited.yaml")
                try CLI.write(Self.suite.replacingOccurrences(of: "T1: 60", with: String(argument.dropFirst(6))), to: url)
                resolved.append(url.path)
            } else {
                resolved.append(argument)
            }
        }
        if !resolved.contains("--suite") { resolved += ["--suite", dir.appendingPathComponent("suite.yaml").path] }
        let result = try CLI.run(["audit"] + resolved + ["--out", dir.appendingPathComponent("report").path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("'\(field)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// The README's rule file, audited end to end: its name and both rules reach the report, and
    /// a composition's fraction is its α (0.5) whatever the suite's configurations say.
    @Test func theShippedRuleFileRunsEndToEnd() throws {
        let dir = try Self.folder()
        let out = dir.appendingPathComponent("report")
        let result = try CLI.run(["audit", "--variant", CLI.packageRoot.appendingPathComponent("validation/rules/top-signal-frozen.yaml").path,
                                  "--suite", dir.appendingPathComponent("suite.yaml").path, "--out", out.path, "--quiet"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let summary = try CLI.json(out.appendingPathComponent("summary.json"))
        #expect((summary["variant"] as? [String: Any])?["name"] as? String == "top-signal-frozen")
        let manifest = try CLI.json(out.appendingPathComponent("manifest.json"))
        let configurations = try #require((manifest["config"] as? [String: Any])?["configurations"] as? [[String: Any]])
        for c in configurations {
            let variant = try #require(c["variant"] as? [String: Any])
            #expect(variant["alpha"] as? Double == 0.5)
            let rule = try #require(variant["variant"] as? [String: Any])
            #expect(rule["selection"] as? String == "top_signal" && (rule["transform"] as? [String: Any])?["freeze"] as? Bool == true)
        }
    }

    @Test func suiteAndGridTogetherAreRefused() throws {
        let dir = try Self.folder()
        let result = try CLI.run(["audit", "--variant", "frozen", "--suite", "quick", "--grid", "g.yaml", "--out", dir.path])
        #expect(result.status == 2 && result.stderr.contains("--grid"), "\(result.stderr)")
    }
}

/// `ptv audit --ladder` chases each rule's failing statements up the ladder (docs/theory.md
/// §8b); a statement persistent under both rules is no regression.
@Suite(.serialized)
struct AuditLadderTests {
    @Test func bothRulesAreChased() throws {
        let dir = CLI.temporaryDirectory("audit-ladder")
        let suite = dir.appendingPathComponent("suite.yaml")
        try CLI.write(ValidateLadderExitCodeTests.suite, to: suite)
        let proofs = try ValidateLadderExitCodeTests.proofs(in: dir, ["steps-grow": "T_star >= 4000", "memorises": "rho_bar_max <= 1"])
        let out = dir.appendingPathComponent("report")
        let result = try CLI.run(["audit", "--variant", "frozen", "--suite", suite.path, "--proofs", proofs.path, "--out", out.path,
                                  "--ladder", "2", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let statements = try CLI.json(out.appendingPathComponent("summary.json"))["statements"] as! [[String: Any]]
        for statement in statements {
            let ladder = try #require(statement["ladder"] as? [String: [String: Any]], "\(statement["id"] ?? "")")
            let expected = statement["id"] as? String == "memorises" ? "violated-persistent" : "holds-from"
            #expect(ladder["variant"]?["verdict"] as? String == expected && ladder["baseline"]?["verdict"] as? String == expected)
        }
        #expect(result.stdout.contains("ladder verdicts changed: none"))
        let page = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("frozen: ladder"))
    }
}
