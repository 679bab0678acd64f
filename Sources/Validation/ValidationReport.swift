import Bounds
import Foundation
import NumericsCore
import Platform
import Reports
import TransferModel
import Vocabulary

/// Writes a validation report into a folder (docs/theory.md §8; layout in README.md):
/// `index.html`, `lemmas/<id>.md` and `lemmas/<id>.html`, `figures/*.svg`, `summary.json`.
package struct ValidationReport {
    public let suite: ValidationSuite
    public let judgements: [StatementJudgement]
    public let runs: [RunMeasurements]
    public let configurations: [ConfigurationSummary]
    /// Pages linked under "See also" (paths relative to the report folder; they may be written later).
    public var seeAlso: [String] = []
    /// Each statement's ladder of constants, in the judgements' order (docs/theory.md §8b); empty
    /// when no ladder was climbed.
    package var ladders: [StatementLadder] = []

    /// The ladder of a statement, when one was climbed.
    public func ladder(_ id: String) -> StatementLadder? { ladders.first { $0.id == id } }

    /// The exit code's rule: with a ladder, 1 when a statement is `violated-persistent`; without
    /// one, 1 when a statement is violated at the suite's C; 0 otherwise.
    public var isEvidenceAgainst: Bool {
        ladders.isEmpty ? judgements.contains { $0.verdict == .violated } : ladders.contains { $0.verdict.isEvidenceAgainst }
    }

    /// What `isEvidenceAgainst` makes of the exit code, in words.
    package var exitCodeMeaning: String {
        switch (ladders.isEmpty, isEvidenceAgainst) {
        case (true, true): "exit code 1: a statement is violated at the suite's C (no ladder was climbed to tell a small-C artefact from evidence against it)"
        case (true, false): "exit code 0: no statement is violated"
        case (false, true): "exit code 1: a statement is violated-persistent, evidence against it as encoded"
        case (false, false): "exit code 0: no statement is violated-persistent (see the ladder verdicts for what fails at small C)"
        }
    }

    /// Ladder verdict counts over the statements (empty without a ladder).
    package var ladderCounts: [String: Int] {
        guard !ladders.isEmpty else { return [:] }
        var counts = Dictionary(uniqueKeysWithValues: LadderVerdict.allCases.map { ($0.rawValue, 0) })
        for l in ladders { counts[l.verdict.rawValue, default: 0] += 1 }
        return counts
    }

    public init(suite: ValidationSuite, judgements: [StatementJudgement], runs: [RunMeasurements]) throws {
        self.suite = suite
        self.judgements = judgements
        self.runs = runs
        let byLabel = Dictionary(grouping: runs, by: \.label)
        configurations = try suite.configurations.map {
            try ConfigurationSummary($0, runs: byLabel[$0.label] ?? [], constants: suite.constants)
        }
    }

    /// Verdict counts over the statements.
    public var counts: [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Verdict.allCases.map { ($0.rawValue, 0) })
        for j in judgements { counts[j.verdict.rawValue, default: 0] += 1 }
        return counts
    }

    /// Every name `ptv validate` writes into its output folder.
    public static let resultNames = ["index.html", "summary.json", "summary.txt", "manifest.json", "runs", "lemmas", "figures"]

    /// Write every file under `folder`, each atomically.
    public func write(to folder: URL) throws {
        let fm = FileManager.default
        for sub in ["lemmas", "figures"] {
            try fm.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let figures = ReportFigures(report: self)
        for (name, svg) in figures.all {
            try ResultFile.write(svg, to: folder.appendingPathComponent("figures/\(name)"))
        }
        for judgement in judgements {
            let page = lemmaPage(judgement, figures: figures).document
            try ResultFile.write(page.markdown, to: folder.appendingPathComponent("lemmas/\(judgement.statement.id).md"))
            try ResultFile.write(page.html, to: folder.appendingPathComponent("lemmas/\(judgement.statement.id).html"))
        }
        try ResultFile.write(index(figures: figures).html, to: folder.appendingPathComponent("index.html"))
        try JSONOutput.write(summary, to: folder.appendingPathComponent("summary.json"))
        try ResultFile.write(ValidationSummary(report: self, index: folder.appendingPathComponent("index.html").path).text,
                             to: folder.appendingPathComponent("summary.txt"))
    }

    /// `summary.json`: statements with verdict, fitted constants, regime (C, C_req, supporting
    /// configurations) and per configuration C_max with its binding condition; and counts.
    /// An infinite C_max (no condition restricts C) or C_req is written as the string "inf"; a
    /// C_req is null when the claim fails nowhere.
    package var summary: JSONValue {
        func constant(_ x: Double) -> JSONValue { x == .infinity ? "inf" : .number(x) }
        var object: [String: JSONValue] = [
            "suite": suite.name.json,
            "statements": judgements.map { j -> JSONValue in
                var entry: [String: JSONValue] = [
                    "id": j.statement.id.json, "provenance": j.statement.provenance.rawValue.json, "verdict": j.verdict.rawValue.json,
                    "reason": j.reason.json,
                    "constants": Dictionary(uniqueKeysWithValues: j.fitted.map { ($0.name, $0.value) }).json,
                    "judged_configurations": j.configurations.filter { $0.judged && $0.verdict != .notApplicable }.count.json,
                    "regime": ["C": j.regime.constant.json, "required_C": j.regime.requiredConstant.map(constant) ?? .null,
                               "supporting_configurations": j.regime.supportingConfigurations.json,
                               "inside": j.regime.insideConfigurations.json, "outside": j.regime.outsideConfigurations.json],
                    "configurations": j.configurations.map { c -> JSONValue in
                        ["label": c.label.json, "split": c.split.json, "judged": c.judged.json, "verdict": c.verdict.rawValue.json,
                         "C_max": constant(c.regimeConstant), "binding_condition": c.bindingCondition.json,
                         "claim": c.claimVerdict.rawValue.json,
                         "worst_relative_margin": LadderChase.worstMargin(c.rows).map(constant) ?? .null]
                    }.json,
                ]
                if let ladder = ladder(j.statement.id) { entry["ladder"] = Self.summary(ladder) }
                return .object(entry)
            }.json,
            "counts": counts.json,
        ]
        if !ladders.isEmpty { object["ladder_counts"] = ladderCounts.json }
        return .object(object)
    }

    /// A statement's `ladder` object in `summary.json` (docs/theory.md §8b).
    static func summary(_ ladder: StatementLadder) -> JSONValue {
        func number(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? .number($0) : .string($0 > 0 ? "inf" : "-inf") } ?? .null }
        return ["rungs": ladder.rungs.map(\.constant).json, "chased": ladder.chased.json,
                "per_rung": ladder.rungs.map { rung -> JSONValue in
                    let binding = rung.bindingConfiguration
                    return ["C": rung.constant.json,
                            "C_max": rung.configurations.isEmpty ? .null : number(rung.configurations.contains(where: \.reached) ? rung.reachedConstant : binding?.constant),
                            "binding_condition": (binding?.binding).json,
                            "verdict": rung.outcome.rawValue.json, "worst_relative_margin": number(rung.worstRelativeMargin),
                            "note": rung.note.json,
                            "configurations": rung.configurations.map { c -> JSONValue in
                                ["label": c.label.json, "reached": c.reached.json, "C_max": number(c.constant), "binding_condition": c.binding.json,
                                 "verdict": (c.verdict?.rawValue).json, "worst_relative_margin": number(c.worstRelativeMargin), "note": c.note.json]
                            }.json]
                }.json,
                "verdict": ladder.verdict.rawValue.json, "reason": ladder.reason.json, "C0": number(ladder.holdsFrom),
                "trend": ladder.trend.map { t -> JSONValue in
                    ["slope": t.slope.json, "lower": number(t.lower), "upper": number(t.upper), "points": t.points.json,
                     "degrees_of_freedom": t.degreesOfFreedom.json, "vanishing_C": number(t.vanishingConstant)]
                } ?? .null]
    }

    /// "holds-from C₀ = 4.01", "slope +0.01 [−0.02, +0.04]", … for the verdict table.
    static func ladderDetail(_ ladder: StatementLadder) -> String {
        switch ladder.verdict {
        case .holdsFrom: return "C₀ = \(f(ladder.holdsFrom ?? .nan))"
        case .violatedPersistent, .violatedShrinking, .indeterminate:
            guard let t = ladder.trend else { return ladder.chased ? ladder.reason : "" }
            let vanishing = t.vanishingConstant.map { "; vanishes near C = \(f($0))" } ?? ""
            return String(format: "slope %+.3g [%+.3g, %+.3g] per ln C", t.slope, t.lower, t.upper) + vanishing
        default: return ""
        }
    }

    /// "holds at h, fails at f of n in-regime configurations; k outside (C_max < C)" (docs/theory.md §6a).
    static func regimeHeadline(_ j: StatementJudgement) -> String {
        let inside = j.configurations.filter { $0.judged && $0.verdict != .notApplicable }
        let holds = inside.filter { $0.verdict == .holds }.count, fails = inside.filter { $0.verdict == .violated }.count
        let outside = j.configurations.filter { $0.claimVerdict != .notApplicable && !($0.regimeConstant >= j.regime.constant) }.count
        return "holds at \(holds), fails at \(fails) of \(inside.count) judged in-regime; \(outside) outside (C_max < \(f(j.regime.constant)))"
    }

    /// C_req and the supporting configurations, as text.
    static func requiredConstantText(_ j: StatementJudgement) -> String {
        guard let req = j.regime.requiredConstant else {
            return "fails nowhere; \(j.regime.supportingConfigurations) supporting"
        }
        return "C_req = \(f(req)); \(j.regime.supportingConfigurations) supporting (C_max > C_req)"
    }

    // MARK: Pages

    func index(figures: ReportFigures) -> Document {
        var doc = Document(title: "Validation report — suite \(suite.name)")
        doc.add(headline)
        let seeds = suite.seeds.map(String.init).joined(separator: ", ")
        doc.add(.paragraph("""
            \(suite.description.isEmpty ? "" : suite.description + " ")\(suite.configurations.count) configurations × seeds {\(seeds)}; \
            statements from proofs/ judged on the recorded runs of the two-layer ReLU CNN (arXiv 2509.22056). \
            Provenance: paper = stated in the paper's summary; predecessor = the per-task statement of Kou et al. 2023 / Cao et al. 2022; \
            reconstruction = this project's extension to two tasks, a hypothesis under test.
            """))
        if !seeAlso.isEmpty {
            doc.add(.table(header: ["see also"], rows: seeAlso.map { [Document.Cell($0, link: $0)] }))
        }
        doc.add(.heading(level: 1, text: "Verdicts"))
        let suiteC = judgements.first?.regime.constant ?? 1
        doc.add(.paragraph("A statement is judged only at configurations inside its technical conditions at the suite's C = \(f(suiteC)) (C_max ≥ C; docs/theory.md §6a). C_req is the largest C_max at which the claim fails (the smallest C consistent with every run); supporting configurations have C_max above it and the claim holding."))
        let rungs = ladders.first?.rungs.dropFirst().map(\.constant) ?? []
        doc.add(.table(header: ["statement", "provenance", "verdict"] + rungs.map { "at C = \(f($0))" }
                        + (ladders.isEmpty ? [] : ["ladder verdict", "C₀ or trend"]) + ["in the regime", "C_req", "why", "fitted constants"],
                       rows: judgements.map { j in
            let ladder = ladder(j.statement.id)
            let ladderCells = ladder.map { l in
                l.rungs.dropFirst().map { Document.Cell(l.chased ? $0.outcome.rawValue : "—", verdict: l.chased) }
                    + [Document.Cell(l.verdict.rawValue, verdict: true), Document.Cell(Self.ladderDetail(l))]
            } ?? []
            let cells: [Document.Cell] = StatementPage.indexCells(id: j.statement.id, provenance: j.statement.provenance, verdict: j.verdict, folder: "lemmas")
            return cells + ladderCells
                + [Document.Cell(Self.regimeHeadline(j)), Document.Cell(Self.requiredConstantText(j)), Document.Cell(j.reason),
                   Document.Cell(j.fitted.map(Self.describe).joined(separator: "; "))]
        }))
        doc.add(.heading(level: 1, text: "Dependencies"))
        doc.add(.figure(svg: DependencyGraph.svg(judgements) { "lemmas/\($0).html" }, file: "",
                        caption: "Each box links to the statement's page; a violated statement blocks everything to its right that uses it."))
        doc.add(.heading(level: 1, text: "Configurations"))
        doc.add(.table(header: ["label", "split", "d", "m", "N1", "N2", "‖u‖", "‖v₁‖", "‖v₂‖", "σₚ₁", "σₚ₂", "p", "α", "variant",
                                "Γ(α)", "Γ(0)", "regime", "transfer error", "scratch error", "seeds"],
                       rows: configurations.map { s in
            let c = s.config
            return [s.label, s.split, "\(c.d)", "\(c.m)", "\(c.N1)", "\(c.N2)", f(c.u_norm), f(c.v1_norm), f(c.v2_norm),
                    f(c.sigma_p1), f(c.sigma_p2), f(c.p), f(c.alpha), c.variant.rawValue, f(s.gamma), f(s.gammaScratch), s.regime,
                    Self.describe(s.transferError), Self.describe(s.scratchError), "\(s.seeds)"].map { Document.Cell($0) }
        }))
        doc.add(.heading(level: 1, text: "Figures"))
        // Per-statement figures (regime and ladder) are on the statements' pages, once each.
        for (name, caption) in figures.captions where !name.hasPrefix("ladder-") && !name.hasPrefix("regime-") {
            doc.add(.figure(svg: figures.all[name]!, file: "figures/\(name)", caption: caption))
        }
        doc.add(.paragraph("Each statement's page shows its regime figure (every evidence row at its configuration's C_max against its relative margin) and, when it was chased, its ladder figure."))
        doc.add(.paragraph("Tolerances: one-sided bounds at \(Int(TolerancePolicy.confidence * 100)) % (Clopper–Pearson for error rates and violation counts, Student t for slopes); the §5 decomposition at \(TolerancePolicy.decomposition) relative; numerical margins against GSL's error estimates. Errors are shown as point [lower, upper]."))
        return doc
    }

    /// The index's first block: the counts by verdict (and by ladder verdict), then what they
    /// mean in words — what holds, what fails and by how much, how sure, and the exit code.
    var headline: Document.Block {
        let c = counts
        let suiteC = judgements.first?.regime.constant ?? 1
        var sentences = ["Each statement is judged at the configurations inside its hypotheses at C = \(f(suiteC)), with one-sided bounds at \(Int(TolerancePolicy.confidence * 100)) % (Clopper–Pearson for rates, Student t for slopes and means) and GSL's error estimates for numerical margins: holds means every judged instance satisfies the claim beyond its error; violated means some instance contradicts it beyond its error; indeterminate means an error interval straddles the bound."]
        let violated = judgements.filter { $0.verdict == .violated }
        if let worst = Self.worstRows(violated, count: 1).first {
            sentences.append("\(violated.count) violated (\(violated.map(\.statement.id).joined(separator: ", "))); the largest excess is \(worst.statement) at \(worst.configuration), \(worst.row.instance): \(worst.row.measured) against \(worst.row.bound), relative margin \(f(worst.row.relativeMargin)) (C_max = \(f(worst.regimeConstant))).")
        } else {
            sentences.append("No statement is violated inside its hypotheses.")
        }
        if !ladders.isEmpty {
            let l = ladderCounts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            sentences.append("Ladder of constants (what fails at C = \(f(suiteC)) lifted to larger C): \(l). holds-from: consistent with the theorem for constants from C₀ on; violated-persistent: the excess does not shrink as C grows, evidence against the statement as encoded; violated-shrinking: not yet evidence either way.")
        }
        sentences.append(exitCodeMeaning + ".")
        return .banner(counts: Verdict.allCases.map { ($0.rawValue, c[$0.rawValue] ?? 0) }.filter { $0.1 > 0 }
                       + ladderCounts.filter { $0.value > 0 && Verdict(rawValue: $0.key) == nil }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                       sentences: sentences)
    }

    /// The judged, violated rows with the most negative relative margins over `judgements`, worst first.
    static func worstRows(_ judgements: [StatementJudgement], count: Int)
        -> [(statement: String, configuration: String, regimeConstant: Double, row: EvidenceRow)] {
        let rows = judgements.flatMap { j in
            StatementPage.worstRows(j.configurations, count: count).map { (statement: j.statement.id, configuration: $0.label, regimeConstant: $0.regimeConstant, row: $1) }
        }
        return Array(rows.sorted { $0.row.relativeMargin < $1.row.relativeMargin }.prefix(count))
    }

    /// A lemma's page: the shared statement page with the lemma's context — fitted constants,
    /// regime, ladder, certificate, hypotheses — and its regime and ladder figures.
    func lemmaPage(_ j: StatementJudgement, figures: ReportFigures) -> StatementPage {
        let s = j.statement
        // Relative to the package: the statement's file under proofs/, with its line.
        let file = "\(URL(fileURLWithPath: s.location.file).lastPathComponent):\(s.location.line)"
        var page = StatementPage(
            id: s.id, title: s.title, provenance: s.provenance, verdict: j.verdict, reason: j.reason,
            claim: s.claims.map { $0.printed(.unicode) }.joined(separator: "\n"),
            facts: [
                "provenance: \(s.provenance.rawValue)",
                "source: \(s.source)",
                "hypotheses: " + (s.hypotheses.isEmpty ? "none" : s.hypotheses.map { h in
                    if case .condition = h { return "\(h.description) (\(h.relation().printed(.unicode)))" }
                    return h.relation().printed(.unicode)
                }.joined(separator: "; ")),
                "probe: \(s.probe)" + (j.probe.map { " — \($0.kind.rawValue): \($0.summary)" } ?? " (no such probe)"),
                "defined in: proofs/\(file)",
            ],
            uses: s.uses, evidence: j.configurations, showsRegime: true)
        if !j.fitted.isEmpty {
            page.sections.append(.heading(level: 1, text: "Fitted constants"))
            page.sections.append(.paragraph("Fitted on the calibration split as the tightest value under which every calibration configuration holds; the held-out split is judged with it. Spread = largest/smallest value any configuration needs."))
            page.sections.append(.table(header: ["constant", "value used", "calibration needs", "held-out would need", "spread"], rows: j.fitted.map { c in
                [c.name, f(c.value), c.calibration.sorted { $0.key < $1.key }.map { "\($0.key): \(f($0.value))" }.joined(separator: ", "),
                 c.heldOut.sorted { $0.key < $1.key }.map { "\($0.key): \(f($0.value))" }.joined(separator: ", "),
                 c.spread.map { String(format: "×%.3g", $0) } ?? "—"].map { Document.Cell($0) }
            }))
        }
        page.sections.append(.heading(level: 1, text: "Regime"))
        if j.configurations.allSatisfy({ $0.regimeConstant == .infinity }) {
            page.sections.append(.paragraph("No technical condition of this statement involves C (C_max = ∞ everywhere): it is judged wherever its other hypotheses hold. \(Self.regimeHeadline(j)). \(Self.requiredConstantText(j))."))
        } else {
            page.sections.append(.paragraph("\(Self.regimeHeadline(j)). \(Self.requiredConstantText(j)). C_max per configuration (binding condition): "
                + j.configurations.map { "\($0.label) \(f($0.regimeConstant))\($0.bindingCondition.map { " (\($0))" } ?? "")" }.joined(separator: "; ") + "."))
        }
        if let ladder = ladder(s.id), ladder.chased {
            page.sections.append(.heading(level: 1, text: "Ladder of constants"))
            page.sections.append(.verdict("\(ladder.verdict.rawValue) — \(ladder.reason)"))
            page.sections.append(.paragraph("The statement's worst configurations at the suite's C, lifted to each rung (docs/theory.md §6a, §8b) and run at the suite's seeds; judged there with the constants fitted at the suite's C. C_max is the C the lifted runs really satisfy."))
            page.sections.append(.table(header: ["rung C", "outcome", "configuration", "reached", "C_max (binding)", "verdict", "worst relative margin", "note"],
                                        rows: ladder.rungs.flatMap { rung in
                rung.configurations.enumerated().map { index, c in
                    [Document.Cell(index == 0 ? f(rung.constant) : ""), Document.Cell(index == 0 ? rung.outcome.rawValue : "", verdict: index == 0),
                     Document.Cell(c.label), Document.Cell(c.reached ? "yes" : "no"),
                     Document.Cell((c.constant.map(f) ?? "—") + (c.binding.map { " (\($0))" } ?? "")),
                     Document.Cell(c.verdict?.rawValue ?? "—", verdict: c.verdict != nil), Document.Cell(c.worstRelativeMargin.map(f) ?? "—"),
                     Document.Cell(index == 0 && !rung.note.isEmpty ? rung.note + (c.note.isEmpty ? "" : "; " + c.note) : c.note)]
                }
            }))
        }
        page.sections.append(.heading(level: 1, text: "Certificate"))
        page.sections.append(.paragraph(j.certificate.map { "The log-linear checker derives the claim from the hypotheses: \($0)" }
                                        ?? "No log-linear certificate: the claim speaks of measured quantities (or is not a monomial consequence of the hypotheses), so it is judged on the runs."))
        page.sections.append(.heading(level: 1, text: "Hypotheses"))
        if s.hypotheses.isEmpty {
            page.sections.append(.paragraph("The statement has no hypotheses."))
        } else {
            page.sections.append(.paragraph("Each hypothesis at each configuration (lhs and rhs as evaluated; the smallest relative margin shows how close the closest configuration came)."))
            page.sections.append(.table(header: ["hypothesis", "holds at", "fails at", "indeterminate at", "closest configuration (lhs vs rhs)"],
                                        rows: s.hypotheses.map { h in
                let checks = j.configurations.compactMap { c in c.hypotheses.first { $0.hypothesis == h.description }.map { (c.label, $0) } }
                func at(_ outcome: String) -> String {
                    let labels = checks.filter { $0.1.outcome == outcome }.map(\.0)
                    return labels.count == checks.count && !labels.isEmpty ? "all" : labels.isEmpty ? "—" : labels.joined(separator: ", ")
                }
                let closest = checks.min { abs($0.1.lhs - $0.1.rhs) / max(abs($0.1.lhs), abs($0.1.rhs), 1e-300) < abs($1.1.lhs - $1.1.rhs) / max(abs($1.1.lhs), abs($1.1.rhs), 1e-300) }
                return [h.description, at("holds"), at("fails"), at("indeterminate"),
                        closest.map { "\($0.0): \(f($0.1.lhs)) vs \(f($0.1.rhs))" } ?? "—"].map { Document.Cell($0) }
            }))
        }
        page.figures = figures.relevant(to: s.id).map { name in
            (file: "../figures/\(name)", svg: figures.all[name]!, caption: figures.captions.first { $0.0 == name }?.1 ?? name)
        }
        return page
    }

    static func describe(_ c: FittedConstant) -> String {
        "\(c.name) = \(String(format: "%.4g", c.value))" + (c.spread.map { String(format: " (spread ×%.3g)", $0) } ?? "")
    }

    static func describe(_ m: Measurement?) -> String {
        guard let m else { return "—" }
        return String(format: "%.4f [%.4f, %.4f]", m.point, m.lower, m.upper)
    }
}

private func f(_ x: Double) -> String { Judge.format(x) }
