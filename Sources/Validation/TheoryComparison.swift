import Bounds
import Foundation
import NumericsCore
import Platform
import Reports
import TransferModel
import Vocabulary

/// Two or more theories judged on the same recorded runs (`ptv compare`; docs/theory.md §6c):
/// per statement the verdicts and fitted constants side by side, and per theory how well its Γ
/// orders the measured phase variable Γ̂ across the suite's configurations.
public struct TheoryComparison {
    /// One theory's judgements.
    public struct Side {
        public let name: String
        public let theory: Theory
        public let judgements: [StatementJudgement]
        /// Spearman rank correlation of Γ (this theory, at each configuration's α) with the median
        /// Γ̂ of the transfer phase over seeds, across configurations; nil with fewer than 3.
        public let rankAgreement: Double?
        /// The same for the phases trained from scratch: Λ₂ = Γ(0) against scratch Γ̂.
        package let scratchRankAgreement: Double?
    }

    public let suite: ValidationSuite
    public let sides: [Side]

    /// Judge `libraries` (name, statements read under their theory) on `runs` of `suite`.
    public init(suite: ValidationSuite, runs: [RunMeasurements], libraries: [(name: String, library: ProofLibrary)]) throws {
        self.suite = suite
        sides = try libraries.map { name, library in
            try Theory.$current.withValue(library.theory) {
                let judgements = try Judge(suite: suite, runs: runs).judge(suite.selected(library.statements))
                return Side(name: name, theory: library.theory, judgements: judgements,
                            rankAgreement: try Self.rankAgreement(suite, runs, phase: .transfer, quantity: "Gamma"),
                            scratchRankAgreement: try Self.rankAgreement(suite, runs, phase: .scratch, quantity: "Gamma_scratch"))
            }
        }
    }

    /// Spearman's ρ between the theory's `quantity` and the median measured Γ̂ of `phase`.
    static func rankAgreement(_ suite: ValidationSuite, _ runs: [RunMeasurements], phase: Phase, quantity: String) throws -> Double? {
        var pairs: [(Double, Double)] = []
        for configuration in suite.configurations {
            let env = Environment.theory(configuration: configuration.config.numericValues,
                                         constants: configuration.config.effectiveConstants.merging(suite.constants) { _, s in s }, task: 2)
            guard let predicted = try? Formula.variable(quantity).evaluate(in: env).value, predicted.isFinite else { continue }
            let measured = runs.filter { $0.label == configuration.label }
                .compactMap { $0.phase(phase)?.margins?[MeasuredQuantity.gammaHat.id] }.filter(\.isFinite).sorted()
            guard !measured.isEmpty else { continue }
            pairs.append((predicted, GammaOrderingProbe.median(measured)))
        }
        guard pairs.count >= 3 else { return nil }
        return RankCorrelation.spearman(pairs.map(\.0), pairs.map(\.1))
    }

    /// The comparison page (Markdown and HTML from one document) and its JSON.
    package var document: Document {
        var doc = Document(title: "Theories compared on the same runs — suite \(suite.name)")
        doc.add(.paragraph("Each theory judged the same recorded runs (\(suite.configurations.count) configurations × \(suite.seeds.count) seeds); nothing was trained again. Γ is each theory's own (docs/theory.md §6c)."))
        doc.add(.heading(level: 2, text: "How well Γ orders the measured phase variable"))
        let rho = { (x: Double?) in x.map { String(format: "%.3f", $0) } ?? "—" }
        doc.add(.table(header: ["theory", "Spearman ρ(Γ(α), Γ̂ transfer)", "Spearman ρ(Γ(0), Γ̂ scratch)"],
                       rows: sides.map { [Document.Cell($0.name), Document.Cell(rho($0.rankAgreement)), Document.Cell(rho($0.scratchRankAgreement))] }))
        doc.add(.heading(level: 2, text: "Verdicts and fitted constants"))
        var ids: [String] = []
        for side in sides { for j in side.judgements where !ids.contains(j.statement.id) { ids.append(j.statement.id) } }
        var rows: [[Document.Cell]] = []
        for id in ids {
            var row: [Document.Cell] = [Document.Cell(id)]
            for side in sides {
                guard let j = side.judgements.first(where: { $0.statement.id == id }) else { row += ["—", "—"]; continue }
                row.append(Document.Cell(j.verdict.rawValue, verdict: true))
                row.append(Document.Cell(j.fitted.map { f in
                    String(format: "%@ = %.3g", f.name, f.value) + (f.spread.map { String(format: " (spread ×%.3g)", $0) } ?? "")
                }.joined(separator: "; ")))
            }
            rows.append(row)
        }
        doc.add(.table(header: ["statement"] + sides.flatMap { ["\($0.name): verdict", "\($0.name): fitted constants (spread = largest/smallest needed)"] }, rows: rows))
        doc.add(.paragraph("A fitted Cband is the band width the theory needs: the factor by which the measurement may stray from the theory's form. A smaller Cband and a spread near 1 mean the form follows the runs more closely; a Spearman ρ near 1 means its Γ orders the configurations as the trained networks do."))
        return doc
    }

    package var jsonObject: JSONValue {
        ["suite": suite.name.json,
         "theories": sides.map { side -> JSONValue in
             ["name": side.name.json,
              "rank_agreement_transfer": side.rankAgreement.json,
              "rank_agreement_scratch": side.scratchRankAgreement.json,
              "statements": side.judgements.map { j -> JSONValue in
                  ["id": j.statement.id.json, "verdict": j.verdict.rawValue.json,
                   "fitted": j.fitted.map { ["name": $0.name.json, "value": $0.value.json, "spread": $0.spread.json] as JSONValue }.json]
              }.json]
         }.json]
    }

    /// Write `index.html`, `comparison.md` and `comparison.json` into `folder`.
    public func write(to folder: URL, replacing: Bool) throws {
        try OutputFolder.prepare(folder, results: ["index.html", "comparison.md", "comparison.json"], replacing: replacing)
        let doc = document
        try ResultFile.write(doc.html, to: folder.appendingPathComponent("index.html"))
        try ResultFile.write(doc.markdown, to: folder.appendingPathComponent("comparison.md"))
        try JSONOutput.write(jsonObject, to: folder.appendingPathComponent("comparison.json"))
    }
}
