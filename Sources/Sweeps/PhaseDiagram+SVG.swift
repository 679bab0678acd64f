import Bounds
import Foundation
import Platform
import Reports
import TransferModel
import Validation
import Vocabulary

/// SVG pictures of a phase diagram (``HeatmapChart`` of the Reports module): heatmaps with a
/// colour bar, grid values on the axes, and the predicted and empirical boundaries drawn over
/// the cells.
extension PhaseDiagram {
    typealias Overlay = HeatmapChart.Overlay

    static func format(_ v: Double) -> String { HeatmapChart.format(v) }

    /// One heatmap of this diagram's grid.
    func heatmap(title: String, subtitle: String, values: [[Double]], palette: HeatmapChart.Palette, colorLabel: String,
                 overlays: [Overlay], notes: [String]) -> String {
        HeatmapChart(title: title, subtitle: subtitle, xs: xs, ys: ys, xKey: xKey, yKey: yKey,
                     xLabel: Self.axisName(xKey) + " — log-spaced cells", yLabel: Self.axisName(yKey), values: values,
                     counts: counts, palette: palette, colorLabel: colorLabel, overlays: overlays, notes: notes).svg
    }

    static func axisName(_ key: String) -> String {
        switch key {
        case "u_norm": return "‖u‖ (u_norm)"
        case "v1_norm": return "‖v₁‖ (v1_norm)"
        case "v2_norm": return "‖v₂‖ (v2_norm)"
        case "alpha": return "α (alpha)"
        case "N1": return "N₁ (N1)"
        case "N2": return "N₂ (N2)"
        default: return key
        }
    }

    /// Every picture of the diagram, by file name, plus `summary.json` text and an index page.
    /// `benign` and `fit` may pass the already computed ``benignBoundary()`` and ``slopeFit(benign:)``.
    /// `theories` are the files whose Γ(α) = Γ(0) boundaries and predicted signs are drawn on the
    /// negative-transfer map (none: `Theory.current` only, named "theory"); `transfer` may pass the
    /// already computed ``transferSummary(theories:)``.
    package func render(benign givenBenign: [(Double, Double)]? = nil, fit givenFit: SlopeFit? = nil,
                       theories: [NamedTheory] = [], transfer givenTransfer: TransferSummary? = nil) throws -> [String: String] {
        let benign = givenBenign ?? benignBoundary(), negative = negativeTransferBoundary(), empirical = meanBoundary
        let fit = givenFit ?? slopeFit(benign: benign)
        let transfer = try givenTransfer ?? transferSummary(theories: theories)
        var fitted: [(Double, Double)] = []
        if let pooled = fit.pooled, let x0 = xs.first, let x1 = xs.last {
            fitted = (0...20).map { k in
                let x = exp(log(x0) + (log(x1) - log(x0)) * Double(k) / 20)
                return (x, exp(pooled.intercept + pooled.slope * log(x)))
            }
        }
        let level = p + threshold
        let measured = Overlay(label: String(format: "empirical boundary: mean transfer error = p + τ = %.2f", level), points: empirical,
                               stroke: "#1565c0", dash: nil, markers: true)
        let predicted = Overlay(label: "predicted Γ(α) = C1 (C1 = \(Self.format(c1)); reconstruction)", points: benign, stroke: "#111111",
                                dash: nil, markers: false)
        let predictedNegative = Overlay(label: "predicted Γ(α) = Γ(0): negative transfer on the weak-‖u‖ side (reconstruction)",
                                        points: negative, stroke: "#c2185b", dash: "7 5", markers: false)
        let fitLine = Overlay(label: "log–log fit to the empirical boundary", points: fitted, stroke: "#1565c0", dash: "2 4", markers: false)
        // Drawn in this order: where the measured boundary agrees with the prediction the two solid
        // lines coincide, so the prediction goes over the measured line (whose rings stay in view)
        // and the dashed fit over both.
        let overlays = [measured, predicted, predictedNegative, fitLine]
        let scratchOverlay = Overlay(label: "predicted Γ(0) = Λ₂ = C1 (C1 = \(Self.format(c1)); predecessor)", points: scratchBoundary(),
                                     stroke: "#111111", dash: nil, markers: false)
        let slopeText = Self.slopeText(fit)
        let seedsText = "\(seeds.count) seed\(seeds.count == 1 ? "" : "s"), \(counts.flatMap { $0 }.reduce(0, +)) runs"
        // The fixed settings; an axis key is not fixed, so it is left out.
        let fixed = [("alpha", "α"), ("N1", "N₁"), ("N2", "N₂"), ("p", "p")].filter { $0.0 != xKey && $0.0 != yKey }
            .map { "\($0.1) = \(Self.format(base[$0.0] ?? .nan))" }.joined(separator: ", ")
        let subtitle = "\(xKey) × \(yKey), \(seedsText)" + (fixed.isEmpty ? "" : "; \(fixed)")
        let errorMax = max(0.5, (transferError + scratchError).flatMap { $0 }.filter(\.isFinite).max() ?? 0.5)
        let diffLimit = max(0.05, difference.flatMap { $0 }.filter(\.isFinite).map(abs).max() ?? 0.05)
        let benignT = transferError.map { $0.map { $0.isFinite ? ($0 <= level ? 1.0 : 0.0) : .nan } }
        let benignS = scratchError.map { $0.map { $0.isFinite ? ($0 <= level ? 1.0 : 0.0) : .nan } }
        var files: [String: String] = [:]
        files["transfer_error.svg"] = heatmap(title: "Transfer test error (Algorithm 1)", subtitle: subtitle, values: transferError,
                                              palette: .sequential(max: errorMax), colorLabel: "test error (mean over seeds)",
                                              overlays: overlays, notes: [slopeText])
        files["scratch_error.svg"] = heatmap(title: "Scratch test error (α = 0 baseline)", subtitle: subtitle, values: scratchError,
                                             palette: .sequential(max: errorMax), colorLabel: "test error (mean over seeds)",
                                             overlays: [scratchOverlay, predictedNegative], notes: [])
        files["difference.svg"] = heatmap(title: "Transfer − scratch test error", subtitle: subtitle, values: difference,
                                          palette: .diverging(limit: diffLimit), colorLabel: "red: negative transfer · blue: transfer helps",
                                          overlays: [predicted, predictedNegative], notes: [])
        files["benign_transfer.svg"] = heatmap(title: String(format: "Transfer: benign cells (error ≤ p + τ = %.2f)", level), subtitle: subtitle,
                                               values: benignT, palette: .binary(on: "benign", off: "harmful"), colorLabel: "",
                                               overlays: [measured, predicted, predictedNegative], notes: [slopeText])
        files["benign_scratch.svg"] = heatmap(title: String(format: "Scratch: benign cells (error ≤ p + τ = %.2f)", level), subtitle: subtitle,
                                              values: benignS, palette: .binary(on: "benign", off: "harmful"), colorLabel: "",
                                              overlays: [scratchOverlay], notes: [])
        files["negative_transfer.svg"] = transfer.regionChart(self, subtitle: subtitle)
        files["gamma_hat_ratio.svg"] = transfer.gammaHatChart(self, subtitle: subtitle)
        files["summary.json"] = try summaryJSON(fit, benign: benign, negative: negative, empirical: empirical, transfer: transfer)
        let order = ["negative_transfer.svg", "gamma_hat_ratio.svg", "transfer_error.svg", "scratch_error.svg", "difference.svg",
                     "benign_transfer.svg", "benign_scratch.svg"]
        var page = Document(title: "Phase diagram: \(xKey) × \(yKey)")
        page.add(.paragraph(slopeText))
        page.add(.bullets(transfer.measured(self)))
        let scoreboard = transfer.scoreboard
        page.add(.heading(level: 1, text: "Scoreboard"))
        page.add(.paragraph("A cell is disputed when two theory files predict opposite signs of transfer − scratch there, and decisive when its \(Int((Self.cellConfidence * 100).rounded())) % interval excludes 0. Agreement on decisive disputed cells is the number that tells the files apart; on the other decisive cells every file says the same. \(scoreboard.cells.count) disputed cells, \(scoreboard.cells.filter(\.isDecisive).count) of them decisive (marked * on the negative-transfer map)."))
        page.add(.table(header: ["theory file", "agreement on decisive cells", "agreement on decisive disputed cells", "slope of its Γ(α) = Γ(0) curve"],
                        rows: zip(transfer.predictions, scoreboard.entries).map { prediction, entry in
                            [Document.Cell(prediction.name), Document.Cell(entry.decisiveText + " of \(prediction.predicted) predicted"),
                             Document.Cell(entry.disputedText),
                             Document.Cell(prediction.boundarySlope.map(Self.slope) ?? "no curve in range")]
                        }))
        if !scoreboard.pairs.isEmpty {
            page.add(.table(header: ["files", "disputed cells", "decisive", "wins of the first", "wins of the second"],
                            rows: scoreboard.pairs.map { pair in
                [Document.Cell("\(pair.first) vs \(pair.second)"), Document.Cell("\(pair.disputed)"), Document.Cell("\(pair.decisive)"),
                 Document.Cell("\(pair.firstWins)"), Document.Cell("\(pair.secondWins)")]
            }))
        }
        if !scoreboard.cells.isEmpty {
            func sign(_ s: Int?) -> String { s.map { $0 > 0 ? "hurts" : "helps" } ?? "—" }
            page.add(.details(summary: "The disputed cells (\(scoreboard.cells.count)): each file's predicted sign and the measured interval", blocks: [
                .table(header: [xKey, yKey] + transfer.predictions.map(\.name) + ["transfer − scratch error, points", "status"],
                       rows: scoreboard.cells.map { c in
                    [Document.Cell(Self.format(xs[c.column])), Document.Cell(Self.format(ys[c.row]))] + c.signs.map { Document.Cell(sign($0)) }
                        + [Document.Cell(String(format: "%+.2f [%+.2f, %+.2f]", 100 * c.measured.mean, 100 * c.measured.lower, 100 * c.measured.upper)),
                           Document.Cell(c.isDecisive ? (c.measured.sign > 0 ? "decisive: hurts" : "decisive: helps") : "open")]
                }),
            ]))
        }
        for name in order { page.add(.figure(svg: files[name]!, file: name, caption: name)) }
        files["index.html"] = page.html
        return files
    }

    /// "fitted slope 0.27 ± 0.04 (95 % CI, 5 seeds) vs predicted ¼ …".
    package static func slopeText(_ fit: SlopeFit) -> String {
        var text = "empirical boundary slope d log y*/d log x: "
        if let mean = fit.mean {
            text += slope(mean)
            if let half = fit.halfWidth { text += String(format: " ± %.3f (95%% t-interval over %d seeds)", half, fit.perSeed.count) }
            else { text += " (\(fit.perSeed.count) seed; no interval)" }
        } else {
            text += "not measurable (the boundary crosses fewer than 2 columns)"
        }
        if let agreement = fit.agreementText { return text + " — " + agreement }
        if let exponent = fit.theoryExponent { text += String(format: "; predicted exponent %+.2f", exponent) }
        if let curve = fit.predictedCurveSlope { text += String(format: "; slope of the Γ(α) = C1 curve over this range %.3f", curve) }
        return text
    }

    func summaryJSON(_ fit: SlopeFit, benign: [(Double, Double)], negative: [(Double, Double)], empirical: [(Double, Double)],
                     transfer: TransferSummary) throws -> String {
        func pairs(_ points: [(Double, Double)]) -> [[Double]] { points.map { [$0.0, $0.1] } }
        var object: [String: JSONValue] = [
            "x": xKey.json, "y": yKey.json, "xs": xs.json, "ys": ys.json, "seeds": seeds.map { String($0) }.json,
            "threshold": threshold.json, "p": p.json, "C1": c1.json,
            "transfer_error": transferError.json, "scratch_error": scratchError.json, "difference": difference.json, "counts": counts.json,
            "predicted_benign_boundary": pairs(benign).json, "predicted_negative_transfer_boundary": pairs(negative).json,
            "empirical_boundary": pairs(empirical).json,
            "slope_per_seed": Dictionary(uniqueKeysWithValues: fit.perSeed.map { (String($0.key), $0.value) }).json,
            "slope_text": Self.slopeText(fit).json,
            "provenance": "Γ(α), Γ(0): docs/theory.md §6 (reconstruction); boundary shape: Theorem 4.2 (paper shape)",
        ]
        // Absent (not null) when there is no value.
        object["slope_mean"] = fit.mean.map(\.json)
        object["slope_ci95_half_width"] = fit.halfWidth.map(\.json)
        object["slope_pooled"] = fit.pooled.map { $0.slope.json }
        object["predicted_exponent"] = fit.theoryExponent.map(\.json)
        object["predicted_curve_slope"] = fit.predictedCurveSlope.map(\.json)
        object["implied_C1"] = fit.impliedC1.map(\.json)
        object["cell_confidence"] = Self.cellConfidence.json
        object["measured_sign"] = transfer.intervals.map { $0.map { $0.count > 1 ? $0.sign : nil } }.json
        object["difference_lower"] = transfer.intervals.map { $0.map(\.lower) }.json
        object["difference_upper"] = transfer.intervals.map { $0.map(\.upper) }.json
        object["gamma_hat_log_ratio"] = gammaHatLogRatio.json
        object["measured_negative_transfer_boundary"] = pairs(transfer.crossings).json
        object["gamma_hat_contour"] = pairs(transfer.contour).json
        object["exponents"] = [
            "benign_boundary": fit.mean.json, "benign_boundary_ci95_half_width": fit.halfWidth.json,
            "negative_transfer_boundary": transfer.crossingFit?.slope.json ?? nil,
            "negative_transfer_boundary_ci95_half_width": transfer.crossingFit?.halfWidth.json ?? nil,
            "gamma_hat_contour": transfer.contourFit?.slope.json ?? nil,
            "gamma_hat_contour_ci95_half_width": transfer.contourFit?.halfWidth.json ?? nil,
            "predicted": fit.theoryExponent.json,
        ]
        object["theories"] = transfer.predictions.map { prediction -> JSONValue in
            ["name": prediction.name.json, "agreeing": prediction.agreeing.json, "decisive": prediction.decisive.json,
             "agreement": prediction.agreement.json, "boundary": pairs(prediction.boundary).json,
             "boundary_slope": prediction.boundarySlope.json, "predicted_sign": prediction.signs.json]
        }.json
        let scoreboard = transfer.scoreboard
        object["scoreboard"] = [
            "theories": scoreboard.entries.map { e -> JSONValue in
                ["name": e.name.json, "decisive": e.decisive.json, "agreeing": e.agreeing.json,
                 "decisive_disputed": e.decisiveDisputed.json, "agreeing_disputed": e.agreeingDisputed.json]
            }.json,
            "pairs": scoreboard.pairs.map { p -> JSONValue in
                ["first": p.first.json, "second": p.second.json, "disputed": p.disputed.json, "decisive": p.decisive.json,
                 "first_wins": p.firstWins.json, "second_wins": p.secondWins.json]
            }.json,
            "disputed_cells": scoreboard.cells.map { c -> JSONValue in
                [xKey: xs[c.column].json, yKey: ys[c.row].json, "predicted_sign": c.signs.json,
                 "difference": ["mean": c.measured.mean.json, "lower": c.measured.lower.json, "upper": c.measured.upper.json, "seeds": c.measured.count.json],
                 "decisive": c.isDecisive.json]
            }.json,
        ]
        return JSONOutput.text(.object(object))  // non-finite values become null
    }
}

/// The pictures of the measured region (``TransferSummary``).
extension TransferSummary {
    static let theoryStrokes = [("#c2185b", "7 5"), ("#6a1b9a", "3 3"), ("#ef6c00", "10 3 2 3"), ("#00838f", "1 4")]

    var overlays: [HeatmapChart.Overlay] {
        var lines = predictions.enumerated().map { k, prediction in
            let style = Self.theoryStrokes[k % Self.theoryStrokes.count]
            // A theory whose curve is another's (a candidate equal to the shipped form) says so.
            let twin = predictions[..<k].first { earlier in
                earlier.boundary.count == prediction.boundary.count
                    && zip(earlier.boundary, prediction.boundary).allSatisfy { $0.0 == $1.0 && abs($0.1 - $1.1) <= 1e-9 * abs($0.1) }
            }
            return HeatmapChart.Overlay(label: "\(prediction.name): Γ(α) = Γ(0)" + (twin.map { ", the same curve as \($0.name)" } ?? ""),
                                        points: prediction.boundary, stroke: style.0, dash: style.1, markers: false)
        }
        lines.append(.init(label: "measured Γ̂(α) = Γ̂(0): between cells whose log-ratio intervals have opposite signs", points: contour,
                           stroke: "#2e7d32", dash: nil, markers: true))
        lines.append(.init(label: "measured negative-transfer boundary: between cells whose intervals have opposite signs", points: crossings,
                           stroke: "#1565c0", dash: nil, markers: true))
        return lines
    }

    func regionChart(_ diagram: PhaseDiagram, subtitle: String) -> String {
        let percent = Int((PhaseDiagram.cellConfidence * 100).rounded())
        var chart = HeatmapChart(
            title: "Negative transfer, measured with intervals: transfer − scratch test error", subtitle: subtitle,
            xs: diagram.xs, ys: diagram.ys, xKey: diagram.xKey, yKey: diagram.yKey,
            xLabel: PhaseDiagram.axisName(diagram.xKey) + " — log-spaced cells", yLabel: PhaseDiagram.axisName(diagram.yKey),
            values: intervals.map { $0.map { $0.count > 1 ? Double($0.sign) : .nan } }, counts: diagram.counts,
            palette: .ternary(below: "transfer helps", between: "interval covers 0", above: "negative transfer"),
            colorLabel: "", overlays: overlays,
            notes: ["cell text: mean difference in points (* where the theory files predict opposite signs); a cell is coloured when its \(percent) % t-interval over seeds excludes 0"]
                + predictions.map(\.agreementText))
        let disputed = Set(scoreboard.cells.map { [$0.row, $0.column] })
        chart.cellTexts = intervals.enumerated().map { i, row in
            row.enumerated().map { j, d in d.count > 0 ? String(format: "%+.1f", 100 * d.mean) + (disputed.contains([i, j]) ? "*" : "") : "" }
        }
        return chart.svg
    }

    func gammaHatChart(_ diagram: PhaseDiagram, subtitle: String) -> String {
        let limit = max(0.1, diagram.gammaHatLogRatio.flatMap { $0 }.filter(\.isFinite).map(abs).max() ?? 0.1)
        return diagram.heatmap(title: "Measured phase variables: log(Γ̂(0)/Γ̂(α)), scratch over transfer", subtitle: subtitle,
                               values: diagram.gammaHatLogRatio.map { $0.map { -$0 } }, palette: .diverging(limit: limit),
                               colorLabel: "log(Γ̂(0)/Γ̂(α)), mean over seeds: red where Γ̂(α) < Γ̂(0)",
                               overlays: overlays, notes: [contourFit.map { "Γ̂ contour exponent " + $0.text } ?? "the Γ̂ contour crosses fewer than 2 columns"])
    }
}
