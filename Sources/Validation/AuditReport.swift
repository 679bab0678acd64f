import Foundation
import NumericsCore
import Platform
import Reports
import TransferModel
import Vocabulary

/// The files of `ptv audit` (README, "ptv audit"): `index.html`, `summary.json`,
/// `manifest.json` (written by the caller) and, for a suite from a grid of two or more axes,
/// `figures/audit-heatmap.svg`.
extension AuditResult {
    /// Every name `ptv audit` writes into its output folder.
    public static let resultNames = ["index.html", "summary.json", "manifest.json", "figures"]

    /// Write the report files under `folder`, each atomically.
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("figures"), withIntermediateDirectories: true)
        let heatmap = self.heatmap
        if let heatmap { try ResultFile.write(heatmap.svg, to: folder.appendingPathComponent("figures/audit-heatmap.svg")) }
        try ResultFile.write(document(heatmap: heatmap).html, to: folder.appendingPathComponent("index.html"))
        try JSONOutput.write(summary, to: folder.appendingPathComponent("summary.json"))
    }

    static func interval(_ d: PairedDifference) -> JSONValue {
        ["mean": .spelledOut(d.mean), "lower": .spelledOut(d.lower), "upper": .spelledOut(d.upper), "seeds": d.count.json, "sign": d.sign.json]
    }

    /// `summary.json`: the rules, per configuration the paired differences with their intervals,
    /// each statement's verdict under both rules (changed first), the rank correlations and the
    /// statements that regressed.
    package var summary: JSONValue {
        ["suite": audit.suite.name.json,
         "variant": ["name": audit.variant.name.json, "source": audit.variant.source.json],
         "baseline": ["name": audit.baseline.name.json, "source": audit.baseline.source.json],
         "confidence": TolerancePolicy.confidence.json,
         "configurations": comparisons.map { c -> JSONValue in
             ["label": c.label.json, "Gamma_variant": .spelledOut(c.gammaVariant), "Gamma_baseline": .spelledOut(c.gammaBaseline),
              "test_error": ["variant": .spelledOut(c.variantError), "baseline": .spelledOut(c.baselineError), "scratch": .spelledOut(c.scratchError)],
              "variant_minus_baseline": Self.interval(c.versusBaseline), "variant_minus_scratch": Self.interval(c.versusScratch),
              "Gamma_hat_variant_minus_baseline": Self.interval(c.gammaHat), "outcome": c.outcome.json]
         }.json,
         "statements": verdicts.map { row -> JSONValue in
             var entry: [String: JSONValue] = ["id": row.id.json, "variant": row.variant.verdict.rawValue.json, "baseline": row.baseline.verdict.rawValue.json,
                                               "changed": (row.variant.verdict != row.baseline.verdict).json]
             if let ladders = ladderVerdicts(row.id) {
                 entry["ladder"] = ["variant": ValidationReport.summary(ladders.variant), "baseline": ValidationReport.summary(ladders.baseline)]
             }
             return .object(entry)
         }.json,
         "rank_correlation_Gamma_vs_test_error": ["variant": rankCorrelationVariant.map(JSONValue.spelledOut) ?? .null,
                                                  "baseline": rankCorrelationBaseline.map(JSONValue.spelledOut) ?? .null],
         "regressions": regressions.json]
    }

    /// The heatmap of where the variant is better, worse or indistinguishable, over the first
    /// two axes of a grid suite whose values are numbers (nil otherwise; further axes are
    /// pooled by taking the first cell found for each (x, y)).
    var heatmap: HeatmapChart? {
        guard let first = comparisons.first, first.cell.count >= 2 else { return nil }
        let xKey = first.cell[0].key, yKey = first.cell[1].key
        func values(_ axis: Int) -> [Double]? {
            let texts = comparisons.map { $0.cell[axis].value }
            let numbers = texts.compactMap(Double.init)
            return numbers.count == texts.count ? Array(Set(numbers)).sorted() : nil
        }
        guard let xs = values(0), let ys = values(1) else { return nil }
        var classes = [[Double]](repeating: [Double](repeating: .nan, count: xs.count), count: ys.count)
        var texts = [[String]](repeating: [String](repeating: "", count: xs.count), count: ys.count)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: xs.count), count: ys.count)
        for c in comparisons {
            guard let x = Double(c.cell[0].value), let y = Double(c.cell[1].value),
                  let j = xs.firstIndex(of: x), let i = ys.firstIndex(of: y), classes[i][j].isNaN else { continue }
            classes[i][j] = Double(c.versusBaseline.sign)
            texts[i][j] = String(format: "%+.1f", 100 * c.versusBaseline.mean)
            counts[i][j] = c.versusBaseline.count
        }
        var chart = HeatmapChart(
            title: "Where '\(audit.variant.name)' beats '\(audit.baseline.name)'",
            subtitle: "paired test-error difference, variant − baseline, over \(audit.suite.seeds.count) seeds; \(Int(TolerancePolicy.confidence * 100)) % Student-t interval",
            xs: xs, ys: ys, xKey: xKey, yKey: yKey, xLabel: xKey, yLabel: yKey, values: classes, counts: counts,
            palette: .ternary(below: "variant better", between: "indistinguishable", above: "variant worse"),
            colorLabel: "", overlays: [],
            notes: ["cell text: mean difference in test error, percentage points (negative: the variant errs less)",
                    "a cell is coloured when its interval excludes 0"])
        chart.cellTexts = texts
        return chart
    }

    func document(heatmap: HeatmapChart?) -> Document {
        let v = audit.variant.name, b = audit.baseline.name
        let percent = Int(TolerancePolicy.confidence * 100)
        var doc = Document(title: "Audit of '\(v)' against '\(b)' on \(audit.suite.name)")
        doc.add(.paragraph("Each of the \(comparisons.count) configurations runs at \(audit.suite.seeds.count) seeds under both rules. The two runs of a seed share the upstream task, the fresh draw, the downstream data and the test set (checked: their upstream and scratch phases agree, exactly in the reduced space and to 1e-9 relative in ℝᵈ), so a difference comes from the rule alone. Intervals are \(percent) % Student-t intervals of the paired differences over seeds (docs/theory.md §8a)."))
        doc.add(.bullets(["variant: \(v) (\(audit.variant.source))", "baseline: \(b) (\(audit.baseline.source))",
                          regressions.isEmpty ? "no statement that holds for the baseline is \(variantLadders.isEmpty ? "violated" : "violated-persistent") for the variant"
                              : "\(variantLadders.isEmpty ? "violated" : "violated-persistent") for the variant but holding for the baseline: " + regressions.joined(separator: ", ")]))
        doc.add(.heading(level: 2, text: "Test error, paired by seed"))
        func pp(_ x: Double) -> String { x.isFinite ? String(format: "%+.2f", 100 * x) : "–" }
        func range(_ d: PairedDifference) -> String {
            d.count == 0 ? "–" : "\(pp(d.mean)) [\(pp(d.lower)), \(pp(d.upper))]"
        }
        func raw(_ d: PairedDifference) -> String {
            func f(_ x: Double) -> String { x.isFinite ? String(format: "%+.3g", x) : "–" }
            return d.count == 0 ? "–" : "\(f(d.mean)) [\(f(d.lower)), \(f(d.upper))]"
        }
        doc.add(.table(header: ["configuration", "Γ", "error \(v) (%)", "error \(b) (%)", "error scratch (%)",
                                "\(v) − \(b) (points)", "\(v) − scratch (points)", "Γ̂ \(v) − \(b)", "outcome"],
                       rows: comparisons.map { c in
                           [Document.Cell(c.label), Document.Cell(String(format: "%.3g", c.gammaVariant)),
                            Document.Cell(String(format: "%.2f", 100 * c.variantError)), Document.Cell(String(format: "%.2f", 100 * c.baselineError)),
                            Document.Cell(String(format: "%.2f", 100 * c.scratchError)),
                            Document.Cell(range(c.versusBaseline)), Document.Cell(range(c.versusScratch)), Document.Cell(raw(c.gammaHat)),
                            Document.Cell(c.outcome, verdict: true)]
                       }))
        if let heatmap {
            doc.add(.figure(svg: heatmap.svg, file: "figures/audit-heatmap.svg",
                            caption: "Blue: the variant errs significantly less than the baseline; red: significantly more; grey: the interval covers 0."))
        }
        doc.add(.heading(level: 2, text: "Verdicts"))
        doc.add(.paragraph("Every statement judged on each rule's runs; those whose verdict changed come first."))
        let ladderHeader = variantLadders.isEmpty ? [] : ["\(v): ladder", "\(b): ladder"]
        doc.add(.table(header: ["statement", "\(v)", "\(b)", "changed"] + ladderHeader, rows: verdicts.map { row in
            let ladders = ladderVerdicts(row.id).map { l in
                [l.variant, l.baseline].map { Document.Cell($0.verdict.rawValue + ($0.holdsFrom.map { " C₀ = \(String(format: "%.3g", $0))" } ?? ""), verdict: true) }
            } ?? []
            return [Document.Cell(row.id), Document.Cell(row.variant.verdict.rawValue, verdict: true),
                    Document.Cell(row.baseline.verdict.rawValue, verdict: true), Document.Cell(row.variant.verdict != row.baseline.verdict ? "yes" : "")] + ladders
        }))
        doc.add(.heading(level: 2, text: "Does Γ rank the outcomes?"))
        func rho(_ x: Double?) -> String { x.map { String(format: "%+.2f", $0) } ?? "undefined (a constant side)" }
        doc.add(.paragraph("Spearman's rank correlation between the theory's Γ and the mean transfer test error over the \(comparisons.count) configurations. The theory predicts a negative value: larger Γ, smaller error."))
        doc.add(.table(header: ["rule", "Spearman ρ(Γ, test error)"],
                       rows: [[Document.Cell(v), Document.Cell(rho(rankCorrelationVariant))],
                              [Document.Cell(b), Document.Cell(rho(rankCorrelationBaseline))]]))
        return doc
    }
}
