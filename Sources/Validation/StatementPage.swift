import Bounds
import Foundation
import Reports
import Vocabulary

/// A statement as every report shows it (docs/theory.md §8): one row of the index's verdict
/// table and one page of its own, the same on the synthetic and the deep side. The two sides
/// differ only in what their probe measured — the evidence rows, the figures, and the context
/// sections a side adds between the statement and its figures (fitted constants, regime and
/// ladder for the lemmas).
package struct StatementPage {
    package var id: String
    package var title: String
    package var provenance: Provenance
    package var verdict: Verdict
    package var reason: String
    /// The claim, one relation per line.
    package var claim: String
    /// Facts about the statement (provenance, source, hypotheses, probe, file).
    package var facts: [String]
    /// The statements it uses, by id (their pages are siblings of this one).
    package var uses: [String]
    package var evidence: [ConfigurationEvidence]
    /// Whether the evidence summary shows C_max and its binding condition (statements with
    /// technical conditions in C).
    package var showsRegime: Bool
    /// Side-specific context, between the statement and its figures.
    package var sections: [Document.Block] = []
    /// Figures: file relative to the page, SVG text, caption.
    package var figures: [(file: String, svg: String, caption: String)] = []

    package init(id: String, title: String, provenance: Provenance, verdict: Verdict, reason: String, claim: String,
                 facts: [String], uses: [String], evidence: [ConfigurationEvidence], showsRegime: Bool) {
        self.id = id
        self.title = title
        self.provenance = provenance
        self.verdict = verdict
        self.reason = reason
        self.claim = claim
        self.facts = facts
        self.uses = uses
        self.evidence = evidence
        self.showsRegime = showsRegime
    }

    /// The first cells of the statement's row in an index whose pages lie in `folder`:
    /// the id linking to the page, the provenance, the verdict.
    package static func indexCells(id: String, provenance: Provenance, verdict: Verdict, folder: String) -> [Document.Cell] {
        [Document.Cell(id, link: "\(folder)/\(id).html"), Document.Cell(provenance.rawValue), Document.Cell(verdict.rawValue, verdict: true)]
    }

    /// The page: the verdict first, where it fails most, the statement, the side's context, the
    /// figures, then the evidence by configuration with every row folded away.
    package var document: Document {
        var doc = Document(title: "\(id) — \(title)")
        doc.add(.links(label: "", targets: [("← all statements (index)", "../index.html")]))
        doc.add(.verdict("\(verdict.rawValue) — \(reason)"))
        let worst = Self.worstRows(evidence, count: 3)
        if !worst.isEmpty {
            doc.add(.heading(level: 1, text: "Where it fails most"))
            doc.add(.table(header: ["configuration", "instance", "measured", "bound", "relative margin"] + (showsRegime ? ["C_max"] : []),
                           rows: worst.map { c, row in
                [c.label, row.instance, row.measured, row.bound, f(row.relativeMargin)].map { Document.Cell($0) }
                    + (showsRegime ? [Document.Cell(f(c.regimeConstant))] : [])
            }))
        }
        doc.add(.heading(level: 1, text: "Statement"))
        doc.add(.display(claim))
        doc.add(.bullets(facts))
        doc.add(.links(label: "uses", targets: uses.isEmpty ? [("nothing", "../index.html")] : uses.map { ($0, "\($0).html") }))
        for block in sections { doc.add(block) }
        for figure in figures { doc.add(.figure(svg: figure.svg, file: figure.file, caption: figure.caption)) }
        doc.add(.heading(level: 1, text: "Evidence"))
        doc.add(.table(header: ["configuration", "split", "verdict"] + (showsRegime ? ["C_max", "binding condition"] : [])
                        + ["rows", "smallest relative margin"],
                       rows: evidence.map { c in
            let margins = c.rows.map(\.relativeMargin).filter(\.isFinite)
            return [Document.Cell(c.label), Document.Cell(c.split + (c.judged ? "" : " (calibration only)")), Document.Cell(c.verdict.rawValue, verdict: true)]
                + (showsRegime ? [Document.Cell(f(c.regimeConstant)), Document.Cell(c.bindingCondition ?? "—")] : [])
                + [Document.Cell("\(c.rows.count)"), Document.Cell(margins.min().map(f) ?? "—")]
        }))
        var full: [Document.Block] = []
        for c in evidence {
            full.append(.heading(level: 2, text: "\(c.label) (\(c.split)\(c.judged ? ", judged" : ", calibration only"))"))
            full.append(.verdict(c.verdict.rawValue))
            if showsRegime, c.regimeConstant.isFinite || c.regimeConstant.isNaN {
                let outside = c.claimVerdict != c.verdict ? "; the claim on every instance whose other hypotheses hold, inside the regime or not: \(c.claimVerdict.rawValue)" : ""
                full.append(.paragraph("C_max = \(f(c.regimeConstant))\(c.bindingCondition.map { ", binding \($0)" } ?? "")\(outside)."))
            }
            if c.verdict == .notApplicable {
                full.append(.paragraph("Not applicable: " + (c.hypothesisNotes.isEmpty ? "the probe found nothing to measure here." : c.hypothesisNotes.prefix(6).joined(separator: "; "))))
            } else {
                full.append(Self.evidenceTable(c.rows))
            }
            if !c.outsideRows.isEmpty {
                full.append(.paragraph("Outside the regime (shown, never judged):"))
                full.append(Self.evidenceTable(c.outsideRows))
            }
        }
        let rowCount = evidence.reduce(0) { $0 + $1.rows.count + $1.outsideRows.count }
        doc.add(.details(summary: "Every evidence row (\(rowCount)), configuration by configuration", blocks: full))
        return doc
    }

    /// The judged, violated rows with the most negative relative margins, worst first.
    package static func worstRows(_ evidence: [ConfigurationEvidence], count: Int) -> [(ConfigurationEvidence, EvidenceRow)] {
        let rows = evidence.filter(\.judged).flatMap { c in
            c.rows.filter { $0.outcome == .violated && $0.relativeMargin.isFinite }.map { (c, $0) }
        }
        return Array(rows.sorted { $0.1.relativeMargin < $1.1.relativeMargin }.prefix(count))
    }

    static func evidenceTable(_ rows: [EvidenceRow]) -> Document.Block {
        .table(header: ["instance", "relation", "measured", "bound", "margin", "abs. error", "rel. margin", "outcome", "note"],
               rows: rows.map { r in
            [r.instance, r.relation, r.measured, r.bound, f(r.margin), f(r.absoluteError), f(r.relativeMargin)].map { Document.Cell($0) }
                + [Document.Cell(r.outcome.rawValue, verdict: true), Document.Cell(r.note)]
        })
    }
}

private func f(_ x: Double) -> String { Judge.format(x) }
