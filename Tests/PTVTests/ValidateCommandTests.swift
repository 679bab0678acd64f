import Foundation
import Testing

/// `ptv validate` end to end on a small suite.
@Suite(.serialized)
struct ValidateCommandTests {
    static let suite = """
        name: cli-mini
        seeds: [0, 1]
        constants: {C: 1.0e-6, C1: 2, C3: 0.1, epsilon: 0.05}
        base: {d: 120, m: 5, N1: 30, N2: 12, T1: 60, T2: 60, n_test: 400, record_every: 10}
        configurations:
          - {label: benign-a, split: calibration, u_norm: 2, v1_norm: 1.5, v2_norm: 1.5}
          - {label: benign-b, split: held-out, u_norm: 2.2, v1_norm: 1.5, v2_norm: 1.5}
          - {label: harmful, split: held-out, u_norm: 0.1, v1_norm: 0.1, v2_norm: 0.1, d: 600}
        """

    func summary(_ out: URL) throws -> (statements: [[String: Any]], counts: [String: Int]) {
        let json = try CLI.json(out.appendingPathComponent("summary.json"))
        return (json["statements"] as! [[String: Any]], json["counts"] as! [String: Int])
    }

    @Test func writesTheWholeReportWithAVerdictForEveryStatement() throws {
        let dir = CLI.temporaryDirectory("validate")
        try CLI.write(Self.suite, to: dir.appendingPathComponent("suite.yaml"))
        let out = dir.appendingPathComponent("report")
        let result = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--out", out.path,
                                  "--see-also", "phase/side-by-side.html"])
        let (statements, counts) = try summary(out)
        let indexPage = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(indexPage.contains("href=\"phase/side-by-side.html\""))
        let proofs = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("proofs").path)
            .filter { $0.hasSuffix(".yaml") && $0 != "theory.yaml" }
        #expect(statements.count == proofs.count)
        #expect(counts.values.reduce(0, +) == proofs.count)
        let violated = statements.contains { $0["verdict"] as? String == "violated" }
        #expect(result.status == (violated ? 1 : 0), "\(result.stderr)")
        for s in statements {
            let id = s["id"] as! String
            #expect(["holds", "violated", "indeterminate", "not-applicable", "blocked"].contains(s["verdict"] as! String))
            let regime = try #require(s["regime"] as? [String: Any], "\(id)")
            #expect(regime["C"] as? Double == 1e-6 && regime["supporting_configurations"] is Int && regime.keys.contains("required_C"))
            let configurations = try #require(s["configurations"] as? [[String: Any]])
            #expect(configurations.map { $0["label"] as? String } == ["benign-a", "benign-b", "harmful"])
            // C_max is a number, or "inf" where no condition of the statement involves C.
            #expect(configurations.allSatisfy { $0["C_max"] is Double || $0["C_max"] as? String == "inf" }, "\(id)")
            for ext in ["md", "html"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("lemmas/\(id).\(ext)").path), "\(id).\(ext)")
            }
        }
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("<svg"))  // figures are inline
        #expect(!index.contains("<script") && !index.contains("src=\"http"))
        let figures = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("figures").path)
        #expect(figures.contains("regime-lemma-rho-bar.svg") && !figures.contains("regime-lemma-decomposition.svg"))
        #expect(figures.contains("error-vs-gamma.svg") && figures.contains("trajectory-gamma.svg"))
        let runs = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("runs").path)
        #expect(runs.count == 3 * 2)
        #expect(try CLI.json(out.appendingPathComponent("manifest.json"))["finished"] is String)
        #expect(result.stderr.contains("[6/6]"))  // progress lines
        #expect(figures.contains("gamma-hat-vs-gamma.svg"))

        // Record once, judge again: the recorded runs give the same summary without training.
        let again = dir.appendingPathComponent("again")
        let rejudged = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--runs", out.path,
                                    "--out", again.path])
        #expect(rejudged.status == result.status && !rejudged.stderr.contains("[1/6]"), "\(rejudged.stderr)")
        let first = try Data(contentsOf: out.appendingPathComponent("summary.json"))
        let second = try Data(contentsOf: again.appendingPathComponent("summary.json"))
        #expect(first == second, "summary.json differs after re-judging the recorded runs")
        let otherSuite = try CLI.run(["validate", "--runs", out.path, "--out", dir.appendingPathComponent("other").path])
        #expect(otherSuite.status == 2 && otherSuite.stderr.contains("'runs'"), "\(otherSuite.stderr)")
        // A configuration changed since the runs were recorded is refused, not judged on the old runs.
        try CLI.write(Self.suite.replacingOccurrences(of: "u_norm: 2.2", with: "u_norm: 2.3"), to: dir.appendingPathComponent("changed.yaml"))
        let changed = try CLI.run(["validate", "--suite", dir.appendingPathComponent("changed.yaml").path, "--runs", out.path,
                                   "--out", dir.appendingPathComponent("changed").path])
        #expect(changed.status == 2 && changed.stderr.contains("'benign-b' differs"), "\(changed.stderr)")
        // A run file whose arrays do not match its counts is refused before a probe indexes into it.
        let runFile = out.appendingPathComponent("runs/benign-a-seed0.json")
        let text = try String(contentsOf: runFile, encoding: .utf8)
        try CLI.write(text.replacingOccurrences(of: "\"n\":30", with: "\"n\":3000"), to: runFile)
        let corrupt = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--runs", out.path,
                                   "--out", dir.appendingPathComponent("corrupt").path])
        #expect(corrupt.status == 2 && corrupt.stderr.contains("does not hold a whole run"), "\(corrupt.stderr)")
    }

    @Test func aTightenedBoundInAProofsCopyGivesViolatedAndExitOne() throws {
        let dir = CLI.temporaryDirectory("planted")
        let proofs = try CLI.proofsCopy(in: dir, editing: "lemma-decomposition.yaml", replacing: "rel_error <= 1e-9", with: "rel_error <= 1e-30")
        try CLI.write(Self.suite + "\nstatements: [lemma-decomposition]\n", to: dir.appendingPathComponent("suite.yaml"))
        let out = dir.appendingPathComponent("report")
        let planted = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--proofs", proofs.path, "--out", out.path, "--quiet"])
        #expect(planted.status == 1, "\(planted.stdout)\(planted.stderr)")
        #expect(try summary(out).statements.first?["verdict"] as? String == "violated")
        // The same suite with the shipped bound holds and exits 0.
        let clean = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--out", dir.appendingPathComponent("clean").path, "--quiet"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
    }

    @Test func badSuitesAndOptionsExitWithCodeTwo() throws {
        let dir = CLI.temporaryDirectory("badsuite")
        try CLI.write("configurations:\n  - {label: a, alpha: 3}\n", to: dir.appendingPathComponent("s.yaml"))
        let bad = try CLI.run(["validate", "--suite", dir.appendingPathComponent("s.yaml").path, "--out", dir.path])
        #expect(bad.status == 2 && bad.stderr.contains("configurations[0].alpha"), "\(bad.stderr)")
        let unknownStatement = dir.appendingPathComponent("u.yaml")
        try CLI.write("configurations:\n  - {label: a}\nstatements: [no-such-lemma]\n", to: unknownStatement)
        let unknown = try CLI.run(["validate", "--suite", unknownStatement.path, "--out", dir.path])
        #expect(unknown.status == 2 && unknown.stderr.contains("no-such-lemma"))
        let missing = try CLI.run(["validate", "--suite", "/nonexistent.yaml", "--out", dir.path])
        #expect(missing.status == 2)
        let workers = try CLI.run(["validate", "--workers", "0", "--out", dir.path])
        #expect(workers.status == 2)
    }
}

extension ValidateCommandTests {
    /// A hypothesis that cannot be evaluated (log 0 at p = 0) makes the statement not applicable
    /// there, names the sub-expression, and the report is still written (issue 11: it used to stop
    /// `ptv validate` with exit 1 and no report).
    @Test func aDomainErrorInAHypothesisIsNotAFailure() throws {
        let dir = CLI.temporaryDirectory("domain")
        try CLI.write(Self.suite, to: dir.appendingPathComponent("suite.yaml"))
        let proofs = try CLI.proofsCopy(in: dir, editing: "lemma-decomposition.yaml", replacing: "hypotheses: []",
                                        with: "hypotheses:\n  - \"log(p) >= -1\"")
        let out = dir.appendingPathComponent("report")
        let result = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--proofs", proofs.path,
                                  "--out", out.path, "--quiet"])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        let decomposition = try summary(out).statements.first { $0["id"] as? String == "lemma-decomposition" }
        #expect(decomposition?["verdict"] as? String == "not-applicable", "\(decomposition ?? [:])")
        #expect((decomposition?["reason"] as? String)?.contains("cannot be evaluated") == true, "\(decomposition ?? [:])")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))
    }
}

extension ValidateCommandTests {
    /// Kill loop for `ptv validate`: 50 SIGKILLs at moments spread over a small suite leave every
    /// file under runs/ whole (it parses, with the run's label and seed), and every run announced
    /// done on stderr has its file.
    @Test func killedValidationsLeaveWholeRunFilesOnly() throws {
        let dir = CLI.temporaryDirectory("validate-kills")
        try CLI.write("seeds: [0, 1, 2, 3, 4, 5]\nbase: {d: 200, m: 5, N1: 30, N2: 12, T1: 60, T2: 60, n_test: 300, record_every: 10}\n"
                      + "configurations:\n  - {label: a}\n  - {label: b, u_norm: 2}\n", to: dir.appendingPathComponent("s.yaml"))
        var announced = 0
        try CLI.killRepeatedly(times: 50, seed: 777, window: 600, in: dir, arguments: { out in
            ["validate", "--suite", dir.appendingPathComponent("s.yaml").path, "--out", out.path, "--workers", "2"]
        }) { k, out, stderr in
            let runs = out.appendingPathComponent("runs")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? [] where !name.hasPrefix(".") {
                let object = try? CLI.json(runs.appendingPathComponent(name))
                #expect(object?["label"] is String && object?["seed"] != nil, "kill \(k): runs/\(name) is not a whole run")
            }
            for line in stderr.split(separator: "\n") where line.hasPrefix("[") && line.contains(" done ") {
                let words = line.split(separator: " ")   // "[k/n] label seed s done (...)"
                announced += 1
                #expect(FileManager.default.fileExists(atPath: runs.appendingPathComponent("\(words[1])-seed\(words[3]).json").path),
                        "kill \(k): \(line) announced without its file")
            }
        }
        #expect(announced > 10)
    }
}

/// The exit code with a ladder of constants (docs/theory.md §8b): 1 only for a
/// violated-persistent statement; a claim that fails at the suite's C and holds from a rung on
/// exits 0 with a ladder and 1 without one.
@Suite(.serialized)
struct ValidateLadderExitCodeTests {
    /// A short-clock configuration placed at C = 1 (T₁ = T₂ = 2 000 steps; the lift to C = 2
    /// raises them to about 6 500, since it keeps each task's clock while the conditions halve η).
    static let suite = """
        name: ladder-exit
        seeds: [0, 1]
        constants: {epsilon: 0.1}
        configurations:
          - {label: short, d: 220000, m: 8, N1: 20, N2: 10, u_norm: 9.715595521393098, v1_norm: 9.715595521393098, v2_norm: 9.715595521393098, sigma0: 1.2e-05, eta: 5.3e-05, eta2: 1.2e-05, T1: 2000, T2: 2000, alpha: 0.5, delta: 0.5, n_test: 200, record_every: 100}
        """

    /// A proofs folder with the theory file and statements on the lemma-rho-bar probe's values:
    /// `T_star >= 4000` fails at C = 1 (T* = 2 000) and holds once the lift has raised T;
    /// `rho_bar_max <= 1` fails wherever training memorises noise at all.
    static func proofs(in dir: URL, _ claims: [String: String]) throws -> URL {
        let folder = dir.appendingPathComponent("proofs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("proofs/theory.yaml").resolvingSymlinksInPath(),
                                         to: folder.appendingPathComponent("theory.yaml"))
        for (id, claim) in claims {
            try CLI.write("""
                id: \(id)
                title: "planted: \(claim)"
                provenance: reconstruction
                source: "test fixture"
                uses: []
                hypotheses: [cond_overparam, cond_samples, cond_dimension, cond_signal, cond_label_noise, cond_init, cond_step]
                claim: ["\(claim)"]
                constants: [C]
                probe: lemma-rho-bar
                """, to: folder.appendingPathComponent("\(id).yaml"))
        }
        return folder
    }

    @Test func onlyAPersistentViolationExitsOne() throws {
        let dir = CLI.temporaryDirectory("validate-ladder")
        let suite = dir.appendingPathComponent("suite.yaml")
        try CLI.write(Self.suite, to: suite)
        let grows = try Self.proofs(in: dir.appendingPathComponent("grows"), ["steps-grow": "T_star >= 4000"])
        let base = ["validate", "--suite", suite.path, "--proofs", grows.path, "--quiet"]
        let without = try CLI.run(base + ["--out", dir.appendingPathComponent("no-ladder").path])
        #expect(without.status == 1, "\(without.stderr)")
        #expect(without.stdout.contains("exit code 1: a statement is violated at the suite's C"))
        let with = try CLI.run(base + ["--out", dir.appendingPathComponent("ladder").path, "--ladder", "2"])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(with.stdout.contains("holds-from") && with.stdout.contains("exit code 0"))

        let both = try Self.proofs(in: dir.appendingPathComponent("both"), ["steps-grow": "T_star >= 4000", "memorises": "rho_bar_max <= 1"])
        let out = dir.appendingPathComponent("both-report")
        let persistent = try CLI.run(["validate", "--suite", suite.path, "--proofs", both.path, "--quiet", "--out", out.path, "--ladder", "2"])
        #expect(persistent.status == 1, "\(persistent.stderr)")
        let statements = try CLI.json(out.appendingPathComponent("summary.json"))["statements"] as! [[String: Any]]
        let ladders = Dictionary(uniqueKeysWithValues: statements.map { ($0["id"] as! String, ($0["ladder"] as! [String: Any])["verdict"] as! String) })
        #expect(ladders == ["steps-grow": "holds-from", "memorises": "violated-persistent"])
        #expect(persistent.stdout.contains("exit code 1: a statement is violated-persistent"))
    }

    @Test func ladderOptionsAreChecked() throws {
        let dir = CLI.temporaryDirectory("validate-ladder-options")
        let suite = dir.appendingPathComponent("suite.yaml")
        try CLI.write(Self.suite, to: suite)
        for (arguments, field) in [(["--ladder", "0.5"], "--ladder[0]"), (["--ladder", "2,2"], "--ladder[1]"),
                                   (["--ladder", "2", "--chase-configurations", "0"], "chase-configurations"),
                                   (["--chase", "some"], "--chase"), (["--chase-configurations", "2"], "--chase-configurations")] {
            let result = try CLI.run(["validate", "--suite", suite.path, "--out", dir.appendingPathComponent("out").path] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(field) && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
