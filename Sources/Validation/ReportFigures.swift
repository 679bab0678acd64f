import Bounds
import Foundation
import NumericsCore
import Reports
import TransferModel
import Vocabulary

/// The report's figures, drawn from the recorded runs and the Bounds module's predictions.
struct ReportFigures {
    /// File name → SVG.
    var all: [String: String] = [:]
    /// File names with captions, in display order.
    var captions: [(String, String)] = []

    init(report: ValidationReport) {
        // A representative run: the first with inherited and fresh filters in the transfer phase.
        let representative = report.runs.first { run in run.phase(.transfer)?.groups.count == 3 } ?? report.runs.first
        // The ρ̄ figure shows the run where lemma-rho-bar's claim is tightest, with its bound.
        let tightest = Self.tightest("lemma-rho-bar", in: report)
        if let run = representative {
            let where_ = "configuration \(run.label), seed \(run.seed)"
            for (file, column, title, yLabel) in [("trajectory-gamma.svg", \TrajectoryPoint.gammaMax, "γ: largest signal coefficient", "max γ"),
                                                  ("trajectory-rho-bar.svg", \TrajectoryPoint.rhoBarMax, "ρ̄: largest noise memorisation (own class)", "max ρ̄"),
                                                  ("trajectory-rho-under.svg", \TrajectoryPoint.rhoUnderMin, "ρ̲: most negative noise coefficient (other class)", "min ρ̲")] {
                let shown = file == "trajectory-rho-bar.svg" ? tightest?.run ?? run : run
                let at = "configuration \(shown.label), seed \(shown.seed)"
                var chart = SVGChart(title: "\(title) — \(at)", xLabel: "gradient-descent step t", yLabel: yLabel)
                for (i, (name, phase, group)) in Self.series(shown).enumerated() {
                    guard let g = phase?.groups.first(where: { $0.group == group }) else { continue }
                    chart.series.append(.init(name: name, points: g.trajectory.map { ($0.step, $0[keyPath: column]) },
                                              color: SVGChart.palette[i], dashed: name == "upstream"))
                }
                var caption = "\(title) over training steps, inherited versus fresh filters of the transfer run, with the scratch and upstream runs (\(at))."
                if file == "trajectory-rho-bar.svg", let tightest, let steps = chart.series.flatMap({ $0.points.map(\.0) }).max() {
                    chart.series.append(.init(name: "bound 4 log T* = \(Judge.format(tightest.bound)) (\(tightest.instance))", points: [(0, tightest.bound), (steps, tightest.bound)],
                                              color: BadgePalette.color("violated"), dashed: true))
                    caption += " The run is the one where lemma-rho-bar comes closest to failing, or fails most (\(tightest.instance)); the dashed line is its bound."
                }
                add(file, chart.svg, caption)
            }
            // Signal and noise inner products differ by orders of magnitude: one figure each.
            for (file, title, yLabel, value, caption) in [
                ("inner-products.svg", "Feature learning: largest class-signed ⟨w, u⟩", "max j⟨w, u⟩", \TrajectoryPoint.universalInnerMax,
                 "Feature learning: the largest class-signed inner product of a filter with the universal signal u, as recorded (\(where_)). Noise memorisation is in the next figure, on its own scale."),
                ("noise-inner-products.svg", "Noise memorisation: largest |⟨w, ξᵢ⟩|", "max |⟨w, ξᵢ⟩|", \TrajectoryPoint.noiseInnerMax,
                 "Noise memorisation: the largest inner product of a filter with a training sample's noise, as recorded (\(where_))."),
            ] {
                var chart = SVGChart(title: "\(title) — \(where_)", xLabel: "gradient-descent step t", yLabel: yLabel)
                for (i, (name, phase, group)) in Self.series(run).prefix(3).enumerated() {
                    guard let g = phase?.groups.first(where: { $0.group == group }) else { continue }
                    chart.series.append(.init(name: name, points: g.trajectory.map { ($0.step, $0[keyPath: value]) }, color: SVGChart.palette[i]))
                }
                add(file, chart.svg, caption)
            }
        }
        errorVersusGamma(report)
        gammaHatVersusGamma(report)
        inheritedShares(report)
        transferMinusScratch(report)
        for judgement in report.judgements { regime(judgement) }
        for ladder in report.ladders where ladder.chased { self.ladder(ladder) }
    }

    /// The trajectories a run's figures draw: inherited and fresh filters of the transfer phase,
    /// then the scratch and upstream phases.
    static func series(_ run: RunMeasurements) -> [(String, PhaseMeasurements?, String)] {
        [("transfer · inherited", run.phase(.transfer), FilterGroup.inherited.rawValue),
         ("transfer · fresh", run.phase(.transfer), FilterGroup.fresh.rawValue),
         ("scratch", run.phase(.scratch), FilterGroup.all.rawValue), ("upstream", run.phase(.upstream), FilterGroup.all.rawValue)]
    }

    /// The run and instance of a statement's smallest relative margin among its judged rows
    /// ("seed 3 · transfer"), with the row's bound, when the bound is a number.
    static func tightest(_ id: String, in report: ValidationReport) -> (run: RunMeasurements, instance: String, bound: Double)? {
        guard let j = report.judgements.first(where: { $0.statement.id == id }) else { return nil }
        let rows = j.configurations.filter(\.judged).flatMap { c in c.rows.filter { $0.relativeMargin.isFinite && Double($0.bound) != nil }.map { (c.label, $0) } }
        guard let (label, row) = rows.min(by: { $0.1.relativeMargin < $1.1.relativeMargin }),
              let seedText = row.instance.split(separator: "·").first?.split(separator: " ").last, let seed = UInt64(seedText),
              let run = report.runs.first(where: { $0.label == label && $0.seed == seed }), let bound = Double(row.bound) else { return nil }
        return (run, "\(label), \(row.instance)", bound)
    }

    /// The file of a statement's ladder figure.
    static func ladderFile(_ id: String) -> String { "ladder-\(id).svg" }

    /// The worst relative margin of each chased configuration against the C its runs really
    /// satisfy (log axis), one line per configuration, each rung marked by the configuration's
    /// outcome there, with the suite's C dashed (docs/theory.md §8b).
    mutating func ladder(_ ladder: StatementLadder) {
        let labels = ladder.rungs.flatMap { $0.configurations.map(\.label) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var chart = SVGChart(title: "\(ladder.id): the ladder of constants", xLabel: "C the runs satisfy (log scale)",
                             yLabel: "worst relative margin (> 0: claim holds)")
        chart.logX = true
        var outcomes: [Verdict: [(Double, Double)]] = [:]
        var margins: [Double] = [0]
        for (i, label) in labels.enumerated() {
            let points = ladder.rungs.compactMap { rung -> (Double, Double, Verdict)? in
                guard let c = rung.configurations.first(where: { $0.label == label && $0.reached }), let m = c.worstRelativeMargin,
                      m.isFinite, let verdict = c.verdict else { return nil }
                let x = (c.constant ?? .infinity).isFinite ? c.constant! : rung.constant
                return (x, m, verdict)
            }
            chart.series.append(.init(name: label, points: points.map { ($0.0, $0.1) }, color: SVGChart.palette[(i + 4) % SVGChart.palette.count]))
            for p in points { outcomes[p.2, default: []].append((p.0, p.1)); margins.append(p.1) }
        }
        for (outcome, color, shape) in Self.outcomeMarkers {
            guard let p = outcomes[outcome] else { continue }
            chart.series.append(.init(name: outcome.rawValue, points: p, color: color, markers: true, lines: false, shape: shape))
        }
        let base = ladder.rungs[0].constant, top = ladder.rungs.map(\.reachedConstant).max() ?? base
        chart.series.append(.init(name: "suite's C = \(Judge.format(base))", points: [(base, margins.min()!), (base, margins.max()!)],
                                  color: "#1f4e9c", dashed: true))
        chart.series.append(.init(name: "zero margin", points: [(base / 1.2, 0), (top * 1.2, 0)], color: "#888", dashed: true))
        let unreached = ladder.rungs.flatMap { rung in rung.configurations.filter { !$0.reached }.map { "\($0.label) at C = \(Judge.format(rung.constant))" } }
        add(Self.ladderFile(ladder.id), chart.svg,
            "Each line is one of the statement's worst configurations, lifted to every rung and run at the suite's seeds; a marker is its worst relative margin there, at the C its runs really satisfy, coloured by its verdict. Below zero the claim fails. A failure that rises to zero as C grows is consistent with a theorem that holds for some larger C; one that stays below is not. Ladder verdict: \(ladder.verdict.rawValue) (\(ladder.reason))."
            + (unreached.isEmpty ? "" : " Not reached: " + unreached.joined(separator: "; ") + "."))
    }

    /// How the figures mark an outcome: the report's colour for it and a shape that survives
    /// printing in grey.
    static let outcomeMarkers: [(Verdict, String, SVGChart.MarkerShape)] =
        [(.holds, BadgePalette.color("holds"), .circle), (.violated, BadgePalette.color("violated"), .cross),
         (.indeterminate, BadgePalette.color("indeterminate"), .triangle)]

    /// The file of a statement's regime figure.
    static func regimeFile(_ id: String) -> String { "regime-\(id).svg" }

    /// C_max (log axis) against the relative margin of every evidence row, inside the regime and
    /// outside it, marked by outcome, with the suite's C as a vertical line (docs/theory.md §6a).
    /// Configurations where no condition restricts C (C_max = ∞) are drawn at the right edge.
    mutating func regime(_ j: StatementJudgement) {
        let finite = j.configurations.map(\.regimeConstant).filter { $0.isFinite && $0 > 0 }
        guard let largest = finite.max(), let smallest = finite.min() else { return }
        let hasInfinite = j.configurations.contains { $0.regimeConstant == .infinity }
        let edge = max(largest, j.regime.constant) * (hasInfinite ? 10 : 1.5)
        var points: [Verdict: [(Double, Double)]] = [:]
        for c in j.configurations where c.regimeConstant > 0 {
            let x = c.regimeConstant.isFinite ? c.regimeConstant : edge
            for row in c.rows + c.outsideRows where row.relativeMargin.isFinite {
                points[row.outcome, default: []].append((x, row.relativeMargin))
            }
        }
        var chart = SVGChart(title: "\(j.statement.id): regime constant against margin", xLabel: "C_max (log scale)",
                             yLabel: "relative margin (> 0: claim holds)")
        chart.logX = true
        for (outcome, color, shape) in Self.outcomeMarkers {
            guard let p = points[outcome] else { continue }
            chart.series.append(.init(name: outcome.rawValue, points: p, color: color, markers: true, lines: false, shape: shape))
        }
        let margins = points.values.flatMap { $0.map(\.1) }
        let (lo, hi) = (min(margins.min() ?? 0, 0), max(margins.max() ?? 0, 0))
        chart.series.append(.init(name: String(format: "suite's C = %g", j.regime.constant),
                                  points: [(j.regime.constant, lo), (j.regime.constant, hi)], color: "#1f4e9c", dashed: true))
        chart.series.append(.init(name: "zero margin", points: [(min(smallest, j.regime.constant) / 2, 0), (edge, 0)], color: "#888", dashed: true))
        let req = j.regime.requiredConstant.map { String(format: "C_req = %.3g", $0) } ?? "The claim fails nowhere (no C_req)"
        add(Self.regimeFile(j.statement.id), chart.svg,
            "Each marker is one evidence row (configuration × instance) at its configuration's C_max, the largest C at which every technical condition of the statement holds; right of the dashed line the configuration is judged at the suite's C, left of it it is outside the hypotheses and only shown. Below zero the claim fails. Failures far left say nothing about the theorem; failures right of the line are evidence against it. \(req).")
    }

    mutating func add(_ name: String, _ svg: String, _ caption: String) {
        all[name] = svg
        captions.append((name, caption))
    }

    /// Figures shown on a statement's page.
    func relevant(to id: String) -> [String] {
        let own = [Self.ladderFile(id), Self.regimeFile(id)].filter { all[$0] != nil }
        return own + relevantData(to: id)
    }

    private func relevantData(to id: String) -> [String] {
        switch id {
        case "lemma-gamma-growth", "lemma-signal-noise-ratio": ["trajectory-gamma.svg", "inner-products.svg", "noise-inner-products.svg"]
        case "lemma-rho-bar": ["trajectory-rho-bar.svg"]
        case "lemma-rho-under": ["trajectory-rho-under.svg"]
        case "theorem-4.2-benign", "theorem-4.2-harmful", "theorem-scratch-benign", "theorem-scratch-harmful", "corollary-monotone":
            ["error-vs-gamma.svg", "gamma-hat-vs-gamma.svg"]
        case "proposition-negative-transfer": ["transfer-minus-scratch.svg"]
        case "lambda-agreement", "gamma-agreement": ["gamma-hat-vs-gamma.svg"]
        case "inherited-signal-share", "inherited-noise-share": ["inherited-shares.svg"]
        default: []
        }
    }

    /// Clean test error (against ŷ) against Γ, with exp(−Γ/C2) from the fitted C2 and the
    /// Gaussian-margin curve Q(κ√Γ) with κ fitted by least squares over the transfer points.
    mutating func errorVersusGamma(_ report: ValidationReport) {
        var transfer: [(Double, Double)] = [], scratch: [(Double, Double)] = []
        for s in report.configurations {
            if let e = s.transferCleanError?.point, s.gamma > 0 { transfer.append((s.gamma, e)) }
            if let e = s.scratchCleanError?.point, s.gammaScratch > 0 { scratch.append((s.gammaScratch, e)) }
        }
        guard !transfer.isEmpty else { return }
        let gammas = (transfer + scratch).map(\.0)
        let lo = gammas.min()!, hi = gammas.max()!
        let grid = (0...80).map { lo * pow(hi / lo, Double($0) / 80) }
        let q: (Double) -> Double = { (try? GSL.normalTail($0).value) ?? .nan }
        let kappa = (0...400).map { pow(10, -3 + 6 * Double($0) / 400) }.min { a, b in
            transfer.reduce(0) { $0 + pow($1.1 - q(a * $1.0.squareRoot()), 2) } < transfer.reduce(0) { $0 + pow($1.1 - q(b * $1.0.squareRoot()), 2) }
        }!
        var chart = SVGChart(title: "Test error against Γ", xLabel: "Γ (transfer: Γ(α); scratch: Γ(0) = Λ₂), log scale", yLabel: "clean test error")
        chart.logX = true
        chart.series.append(.init(name: "transfer (pooled seeds)", points: transfer, color: SVGChart.palette[0], markers: true, lines: false))
        chart.series.append(.init(name: "scratch (pooled seeds)", points: scratch, color: SVGChart.palette[1], markers: true, lines: false))
        chart.series.append(.init(name: String(format: "Q(κ√Γ), fitted κ = %.3g", kappa), points: grid.map { ($0, q(kappa * $0.squareRoot())) }, color: SVGChart.palette[2]))
        if let c2 = report.judgements.first(where: { $0.statement.id == "theorem-4.2-benign" })?.fitted.first(where: { $0.name == "C2" })?.value {
            chart.series.append(.init(name: String(format: "bound exp(−Γ/C2), C2 = %.3g", c2), points: grid.map { ($0, min(exp(-$0 / c2), 0.5)) },
                                      color: SVGChart.palette[3], dashed: true))
        }
        add("error-vs-gamma.svg", chart.svg, "Clean test error of each configuration (pooled over seeds) against the reconstruction's Γ, with the Theorem 4.2 bound at the fitted C2 and the Gaussian-margin prediction Q(κ√Γ) of docs/theory.md §6 (κ fitted by least squares).")
    }

    /// The measured phase variable Γ̂ (docs/theory.md §6b) against the reconstruction's Γ, log–log:
    /// per configuration the median over seeds with the range of the seeds as a bar, transfer at
    /// Γ(α) and scratch at Γ(0), with the line Γ̂ = Γ for reference.
    mutating func gammaHatVersusGamma(_ report: ValidationReport) {
        func series(_ phase: Phase, _ gamma: (ConfigurationSummary) -> Double) -> (points: [(Double, Double)], bars: [(Double, Double, Double)]) {
            var points: [(Double, Double)] = [], bars: [(Double, Double, Double)] = []
            for s in report.configurations where gamma(s) > 0 && gamma(s).isFinite {
                let values = report.runs.filter { $0.label == s.label }
                    .compactMap { $0.phase(phase)?.margins?[MeasuredQuantity.gammaHat.id] }.filter { $0.isFinite && $0 > 0 }.sorted()
                guard let low = values.first, let high = values.last else { continue }
                points.append((gamma(s), GammaOrderingProbe.median(values)))
                bars.append((gamma(s), low, high))
            }
            return (points, bars)
        }
        let transfer = series(.transfer, \.gamma), scratch = series(.scratch, \.gammaScratch)
        let all = (transfer.points + scratch.points).flatMap { [$0.0, $0.1] }
        guard let lo = all.min(), let hi = all.max() else { return }
        var chart = SVGChart(title: "Measured Γ̂ against the theory's Γ", xLabel: "Γ (transfer: Γ(α); scratch: Γ(0)), log scale",
                             yLabel: "Γ̂ = mean² / var of the test margin, log scale")
        chart.logX = true
        chart.logY = true
        chart.series.append(.init(name: "transfer (median and range over seeds)", points: transfer.points, color: SVGChart.palette[0],
                                  markers: true, lines: false, intervals: transfer.bars))
        chart.series.append(.init(name: "scratch (median and range over seeds)", points: scratch.points, color: SVGChart.palette[1],
                                  markers: true, lines: false, shape: .triangle, intervals: scratch.bars))
        chart.series.append(.init(name: "Γ̂ = Γ", points: [(lo, lo), (hi, hi)], color: "#888", dashed: true))
        var caption = "The measured phase variable Γ̂ of each configuration's test margins (docs/theory.md §6b; median over seeds, bars the range) against the theory's Γ. A theory that captured the phase variable would put the points on a line of slope 1 (at Γ̂ = κ²Γ)."
        if let band = fitted("gamma-agreement", "Cband", in: report) {
            chart.series.append(.init(name: String(format: "fitted band Γ/Cband … Cband·Γ (gamma-agreement, Cband = %.3g)", band),
                                      points: [(lo, lo * band), (hi, hi * band)], color: SVGChart.palette[2]))
            chart.series.append(.init(name: "", points: [(lo, lo / band), (hi, hi / band)], color: SVGChart.palette[2]))
            caption += " The solid lines are the band gamma-agreement fitted on the calibration configurations."
        }
        add("gamma-hat-vs-gamma.svg", chart.svg, caption)
    }

    /// The components of Γ(α) against the margin parts (docs/theory.md §6b): per configuration,
    /// the inherited filters' measured share of the signal margin mean and of the noise margin
    /// variance (median and range over seeds) against the shares the theory in force predicts
    /// (`Gamma_signal_share`, `Gamma_noise_share`; as shipped αA_u/(αA_u + (1−α)A₂) and
    /// α²B₁/(α²B₁ + (1−α)²B₂)), with the diagonal for reference.
    mutating func inheritedShares(_ report: ValidationReport) {
        var chart = SVGChart(title: "Inherited filters' share of the margin: measured against the theory's split of Γ(α)",
                             xLabel: "share predicted by the reconstruction", yLabel: "measured share (transfer test margins)")
        let parts = [("signal-patch mean", "signal", "mean", "Gamma_signal_share"), ("noise-patch variance", "noise", "var", "Gamma_noise_share")]
        for (i, (name, kind, statistic, quantity)) in parts.enumerated() {
            let predicted = Formula.variable(quantity)
            var points: [(Double, Double)] = [], bars: [(Double, Double, Double)] = []
            for configuration in report.suite.configurations {
                let env = Environment.theory(configuration: configuration.config.numericValues,
                                             constants: configuration.config.effectiveConstants.merging(report.suite.constants) { _, s in s }, task: 2)
                guard let x = try? predicted.evaluate(in: env).value, x.isFinite else { continue }
                let shares = report.runs.filter { $0.label == configuration.label }.compactMap { run -> Double? in
                    guard let m = run.phase(.transfer)?.margins, let a = m["margin_inherited_\(kind)_\(statistic)"],
                          let b = m["margin_fresh_\(kind)_\(statistic)"] else { return nil }
                    return (a / (a + b)).isFinite ? a / (a + b) : nil
                }.sorted()
                guard let low = shares.first, let high = shares.last else { continue }
                points.append((x, GammaOrderingProbe.median(shares)))
                bars.append((x, low, high))
            }
            chart.series.append(.init(name: "\(name) (median and range over seeds)", points: points, color: SVGChart.palette[i],
                                      markers: true, lines: false, shape: i == 0 ? .circle : .triangle, intervals: bars))
        }
        guard chart.series.contains(where: { !$0.points.isEmpty }) else { return }
        chart.series.append(.init(name: "measured = predicted", points: [(0, 0), (1, 1)], color: "#888", dashed: true))
        for (i, id) in ["inherited-signal-share", "inherited-noise-share"].enumerated() {
            guard let band = fitted(id, "Cband", in: report) else { continue }
            chart.series.append(.init(name: String(format: "fitted band of %@ (×%.3g)", id, band),
                                      points: [(0, 0), (1, band)], color: SVGChart.palette[i], dashed: true))
            chart.series.append(.init(name: "", points: [(0, 0), (1, 1 / band)], color: SVGChart.palette[i], dashed: true))
        }
        add("inherited-shares.svg", chart.svg, "The inherited filters' share of the transfer phase's signal-patch margin mean and noise-patch margin variance (docs/theory.md §6b; median over seeds, bars the range) against the shares the terms of the reconstructed Γ(α) assign them (§6). Points on the diagonal would mean the reconstruction splits signal and noise between inherited and fresh filters as the trained network does.")
    }

    /// The value a statement's judgement fitted for `constant`, if it fitted one.
    func fitted(_ statement: String, _ constant: String, in report: ValidationReport) -> Double? {
        report.judgements.first { $0.statement.id == statement }?.fitted.first { $0.name == constant }?.value
    }

    /// Transfer minus scratch test error per configuration (positive: negative transfer): the
    /// mean of the per-seed paired differences with its 99 % Student-t interval.
    mutating func transferMinusScratch(_ report: ValidationReport) {
        let rows = report.configurations.compactMap { s -> (String, PairedDifference)? in
            let differences = report.runs.filter { $0.label == s.label }.compactMap { run -> Double? in
                guard let t = run.phase(.transfer)?.testError, let c = run.phase(.scratch)?.testError else { return nil }
                return t - c
            }
            guard let d = try? PairedDifference(differences), d.count > 0 else { return nil }
            return (s.label, d)
        }
        guard !rows.isEmpty else { return }
        let percent = Int(TolerancePolicy.confidence * 100)
        var chart = SVGChart(title: "Transfer − scratch test error", xLabel: "configuration", yLabel: "error difference")
        chart.xCategories = rows.map(\.0)
        let finite = { (x: Double) in x.isFinite ? x : 0 }
        chart.series.append(.init(name: "transfer − scratch (mean over seeds, \(percent) % paired interval)",
                                  points: rows.enumerated().map { (Double($0.offset), $0.element.1.mean) },
                                  color: SVGChart.palette[0], markers: true, lines: false,
                                  intervals: rows.enumerated().compactMap { k, row in
                                      row.1.count > 1 ? (Double(k), finite(row.1.lower), finite(row.1.upper)) : nil
                                  }))
        chart.series.append(.init(name: "no difference", points: [(-0.5, 0), (Double(rows.count) - 0.5, 0)], color: "#888", dashed: true))
        add("transfer-minus-scratch.svg", chart.svg, "Difference of test errors between the transferred model and the scratch baseline, per configuration: the mean over seeds of the paired differences (same seed, same test set) with its \(percent) % Student-t interval; above zero is negative transfer.")
    }
}
