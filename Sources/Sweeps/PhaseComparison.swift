import Bounds
import Foundation
import Reports
import Vocabulary

/// Two phase diagrams over the same axes on one page, next to each other (docs/theory.md §6e):
/// typically a finite-size sweep with σ₀, η and T fixed, and the same plane placed cell by cell
/// inside the hypotheses, so a reader sees how the finite-size picture differs from the one the
/// theorems speak of.
public struct PhaseComparison: Sendable {
    /// One diagram with what its page computed, and the folder (relative to the comparison page)
    /// that holds its full page.
    public struct Side: Sendable {
        public let diagram: PhaseDiagram
        package let fit: PhaseDiagram.SlopeFit
        package let transfer: TransferSummary
        /// Its rendered files (`render(benign:fit:theories:transfer:)`).
        public let files: [String: String]
        public let folder: String

        package init(diagram: PhaseDiagram, fit: PhaseDiagram.SlopeFit, transfer: TransferSummary, files: [String: String], folder: String) {
            self.diagram = diagram
            self.fit = fit
            self.transfer = transfer
            self.files = files
            self.folder = folder
        }

        /// "placed per cell inside the hypotheses at C = 1" or "fixed across cells: …", from the runs.
        var setting: String {
            let placed = diagram.placedRanges
            if placed.isEmpty {
                let fixed = RegimePlacement.placedKeys.compactMap { key in diagram.base[key].map { "\(key) = \(PhaseDiagram.format($0))" } }
                return "σ₀, η and T fixed across cells (" + fixed.joined(separator: ", ") + ")"
            }
            let c = diagram.constants["C"].map { " at C = \(PhaseDiagram.format($0))" } ?? ""
            return "placed per cell inside the hypotheses\(c): " + placed.map { "\($0.key) \(PhaseDiagram.format($0.range.lowerBound))–\(PhaseDiagram.format($0.range.upperBound))" }
                .joined(separator: ", ")
        }

        var title: String { diagram.placedRanges.isEmpty ? "Finite size (not placed)" : "Inside the hypotheses (placed per cell)" }
    }

    public let left: Side
    public let right: Side

    public init(left: Side, right: Side) throws {
        guard left.diagram.xKey == right.diagram.xKey && left.diagram.yKey == right.diagram.yKey else {
            throw PhaseDiagram.error("--beside", "the two stores must be drawn over the same --x and --y")
        }
        self.left = left
        self.right = right
    }

    /// The comparison page: a table of what each diagram measured, then their main figures in two columns.
    package var document: Document {
        let x = left.diagram.xKey, y = left.diagram.yKey
        var page = Document(title: "Where transfer helps and where it hurts, over \(x) × \(y)")
        // The reading first: per side where transfer helps or hurts, and the measured exponents.
        page.add(.banner(counts: [], sentences: [left, right].map { side in
            "\(side.title): " + side.transfer.findings(side.diagram).prefix(3).joined(separator: "; ") + "."
        } + ["A theory's agreement counts only decisive cells (the measured \(Int((PhaseDiagram.cellConfidence * 100).rounded())) % interval of transfer − scratch excludes 0) among the cells where it predicts a sign; open cells say nothing either way."]))
        page.add(.paragraph("Left: \(left.setting). Right: \(right.setting). Each column's full page, with every figure, is linked in the table. Cells are coloured on the negative-transfer maps only where the \(Int((PhaseDiagram.cellConfidence * 100).rounded())) % t-interval of transfer − scratch test error over seeds excludes 0 (docs/theory.md §6e)."))
        func exponent(_ fit: PhaseDiagram.ExponentFit?) -> String { fit?.text ?? "not measurable" }
        func benign(_ fit: PhaseDiagram.SlopeFit) -> String {
            guard let mean = fit.mean else { return "not measurable" }
            return PhaseDiagram.slope(mean) + (fit.halfWidth.map { String(format: " ± %.3f", $0) } ?? "")
                + (fit.agreementText.map { " — " + $0 } ?? "")
        }
        func cells(_ side: Side) -> String {
            "\(side.diagram.xs.count) × \(side.diagram.ys.count) cells, \(side.diagram.seeds.count) seeds, \(side.diagram.counts.flatMap { $0 }.reduce(0, +)) runs"
        }
        var rows: [[Document.Cell]] = [
            ["full page", Document.Cell(left.folder + "/index.html", link: left.folder + "/index.html"),
             Document.Cell(right.folder + "/index.html", link: right.folder + "/index.html")],
            ["runs", Document.Cell(cells(left)), Document.Cell(cells(right))],
            ["σ₀, η, T", Document.Cell(left.setting), Document.Cell(right.setting)],
            ["benign-boundary exponent (95 % t over seeds)", Document.Cell(benign(left.fit)), Document.Cell(benign(right.fit))],
            ["negative-transfer boundary exponent (95 %, regression)", Document.Cell(exponent(left.transfer.crossingFit)),
             Document.Cell(exponent(right.transfer.crossingFit))],
            ["Γ̂(α) = Γ̂(0) contour exponent (95 %, regression)", Document.Cell(exponent(left.transfer.contourFit)),
             Document.Cell(exponent(right.transfer.contourFit))],
            ["predicted exponent", Document.Cell(left.fit.theoryExponent.map { String(format: "%+.2f", $0) } ?? "none for these axes"),
             Document.Cell(right.fit.theoryExponent.map { String(format: "%+.2f", $0) } ?? "none for these axes")],
        ]
        rows.append(["measured region", Document.Cell(left.transfer.region(left.diagram).joined(separator: "; ")),
                     Document.Cell(right.transfer.region(right.diagram).joined(separator: "; "))])
        for (a, b) in zip(left.transfer.predictions, right.transfer.predictions) {
            rows.append([Document.Cell("sign agreement: \(a.name)"), Document.Cell(a.tally), Document.Cell(b.tally)])
        }
        for (a, b) in zip(left.transfer.scoreboard.entries, right.transfer.scoreboard.entries) {
            rows.append([Document.Cell("agreement on decisive disputed cells: \(a.name)"), Document.Cell(a.disputedText), Document.Cell(b.disputedText)])
        }
        page.add(.table(header: ["", left.title, right.title], rows: rows))
        func column(_ side: Side) -> Document {
            var doc = Document(title: side.title)
            doc.add(.paragraph(side.setting))
            for name in ["negative_transfer.svg", "transfer_error.svg", "gamma_hat_ratio.svg"] {
                if let svg = side.files[name] { doc.add(.figure(svg: svg, file: side.folder + "/" + name, caption: name)) }
            }
            return doc
        }
        page.add(.columns([column(left), column(right)]))
        return page
    }
}

extension PhaseDiagram {
    /// The placed keys whose values differ across cells, with their ranges (empty when nothing was placed).
    var placedRanges: [(key: String, range: ClosedRange<Double>)] {
        RegimePlacement.placedKeys.compactMap { key in
            let values = cellConfigs.flatMap { $0 }.compactMap { $0[key] }
            guard let low = values.min(), let high = values.max(), low < high else { return nil }
            return (key, low...high)
        }
    }
}
