import Bounds
import Foundation
import NumericsCore
import Platform
import Reports
import Validation
import Vocabulary

/// The report of a deep suite (docs/theory.md §9): index.html with every deep statement's
/// verdict and evidence, the paper's figures as the anchor, accuracy-against-N₁/N₂ and
/// accuracy-against-noise figures with intervals, the input layer's signal and noise energies
/// per epoch, and the linear probes; figures/*.svg and summary.json beside it.
extension DeepValidationResult {
    public static let resultNames = ["index.html", "index.md", "summary.json", "manifest.json", "figures", "statements"]

    public func write(to folder: URL) throws {
        let figures = self.figures
        for sub in ["figures", "statements"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for (file, chart, _) in figures { try ResultFile.write(chart.svg, to: folder.appendingPathComponent(file)) }
        for j in judgements {
            let page = self.page(j, figures: figures).document
            try ResultFile.write(page.html, to: folder.appendingPathComponent("statements/\(j.statement.id).html"))
            try ResultFile.write(page.markdown, to: folder.appendingPathComponent("statements/\(j.statement.id).md"))
        }
        let doc = document(figures: figures)
        try ResultFile.write(doc.html, to: folder.appendingPathComponent("index.html"))
        try ResultFile.write(doc.markdown, to: folder.appendingPathComponent("index.md"))
        try JSONOutput.write(summary, to: folder.appendingPathComponent("summary.json"))
    }

    /// A one-sample interval of `values` at the suite's confidence (mean ± t·s/√n).
    static func interval(_ values: [Double]) -> PairedDifference {
        (try? PairedDifference(values)) ?? PairedDifference.unmeasured
    }

    static func json(_ d: PairedDifference) -> JSONValue {
        ["mean": .spelledOut(d.mean), "lower": .spelledOut(d.lower), "upper": .spelledOut(d.upper), "seeds": d.count.json]
    }

    /// `summary.json`: per statement the verdict, reason and intervals (as fractions of accuracy),
    /// per configuration the mean accuracies and the gain's interval.
    package var summary: JSONValue {
        let suite = validation.suite
        return [
            "suite": suite.name.json, "kind": "deep", "seeds": suite.seeds.json, "confidence": TolerancePolicy.confidence.json,
            "statements": judgements.map { j -> JSONValue in
                ["id": j.statement.id.json, "provenance": j.statement.provenance.rawValue.json, "verdict": j.verdict.rawValue.json,
                 "reason": j.reason.json, "interval_confidence": j.confidence.json,
                 "gains": j.gains.map { ["configuration": $0.label.json, "gain": Self.json($0.difference), "minimum_detectable_effect": JSONValue.spelledOut($0.detectable),
                                         "paper_points": j.statement.paper[$0.label].json] as JSONValue }.json,
                 "trends": j.trends.map { ["from": $0.from.json, "to": $0.to.json, "change": Self.json($0.difference)] as JSONValue }.json]
            }.json,
            "configurations": suite.configurations.indices.map { k -> JSONValue in
                let runs = outcomes(of: k), c = suite.configurations[k]
                return ["label": c.label.json, "sample_ratio": c.sampleRatio.json, "downstream_label_noise": c.downstream.labelNoise.json,
                        "upstream_accuracy": Self.json(Self.interval(runs.map(\.upstream.testAccuracy))),
                        "transfer_accuracy": Self.json(Self.interval(runs.map(\.transfer.testAccuracy))),
                        "scratch_accuracy": Self.json(Self.interval(runs.map(\.scratch.testAccuracy))),
                        "gain": Self.json(Self.interval(runs.map(\.gain))),
                        "minimum_detectable_effect": .spelledOut((try? PairedDifference.minimumDetectableEffect(runs.map(\.gain))) ?? .nan)]
            }.json,
            "curves": suite.curves.map { curve -> JSONValue in
                ["axis": curve.axis.rawValue.json, "points": curveRows(curve).map { r -> JSONValue in
                    ["x": r.x.json, "configuration": r.label.json, "control": r.control.json,
                     "gain": Self.json(r.gain), "minimum_detectable_effect": .spelledOut(r.detectable),
                     "control_gain": Self.json(r.controlGain), "control_minimum_detectable_effect": .spelledOut(r.controlDetectable),
                     "upstream_learning": Self.json(r.learning)]
                }.json]
            }.json,
            "starting_points": controlPairs.map { pair -> JSONValue in
                var entry: [String: JSONValue] = ["configuration": pair.label.json, "control": pair.control.json]
                for (key, recording) in zip(["probe_inherited", "contrast_share_inherited"], Self.startRecordings) {
                    if let c = startComparison(pair, recording.pick) {
                        entry[key] = ["trained": Self.json(c.trained), "control": Self.json(c.control), "difference": Self.json(c.difference)]
                    }
                }
                return .object(entry)
            }.json,
            "counts": counts.json,
        ]
    }

    /// One point of a gain curve, measured: the gain with its interval and detectable effect, the
    /// control's, and their paired difference (transfer from a trained upstream − transfer from
    /// a shuffled one; the scratch run is shared, so it cancels).
    struct CurveRow {
        var x: Double, label: String, control: String
        var gain: PairedDifference, detectable: Double
        var controlGain: PairedDifference, controlDetectable: Double
        var learning: PairedDifference
    }

    func curveRows(_ curve: DeepSuite.GainCurve) -> [CurveRow] {
        let suite = validation.suite
        func runs(_ label: String) -> [DeepOutcome] {
            suite.configurations.firstIndex { $0.label == label }.map { outcomes(of: $0) } ?? []
        }
        func detectable(_ gains: [Double]) -> Double { (try? PairedDifference.minimumDetectableEffect(gains)) ?? .nan }
        return curve.points.map { p in
            let real = runs(p.label).map(\.gain), control = runs(p.control).map(\.gain)
            return CurveRow(x: p.x, label: p.label, control: p.control, gain: Self.interval(real), detectable: detectable(real),
                            controlGain: Self.interval(control), controlDetectable: detectable(control),
                            learning: Self.interval(zip(real, control).map { $0 - $1 }))
        }
    }

    /// A configuration and its shuffled-upstream control: the same configuration but for the
    /// upstream labels. Configurations equal in content are listed once.
    var controlPairs: [(label: String, control: String)] {
        let suite = validation.suite
        var pairs: [(label: String, control: String)] = [], seen: [DeepSuite.Configuration] = []
        for c in suite.configurations where c.upstream.shuffleLabels {
            var twin = c
            twin.upstream.shuffleLabels = false
            guard let real = suite.configurations.first(where: { $0.runsLike(twin) }), !seen.contains(where: { $0.runsLike(real) }) else { continue }
            seen.append(real)
            pairs.append((real.label, c.label))
        }
        return pairs
    }

    /// One starting-point recording of a pair, per seed: trained, control, and the paired
    /// difference trained − control. Nil when a run lacks it (a store trained before it existed).
    struct StartComparison {
        var trained: PairedDifference, control: PairedDifference, difference: PairedDifference
    }

    func startComparison(_ pair: (label: String, control: String), _ pick: (StartingPoint) -> Double?) -> StartComparison? {
        let suite = validation.suite
        func values(_ label: String) -> [Double]? {
            guard let k = suite.configurations.firstIndex(where: { $0.label == label }) else { return nil }
            let picked = outcomes(of: k).map { $0.start.flatMap(pick) }
            return picked.allSatisfy { $0 != nil } ? picked.compactMap { $0 } : nil
        }
        guard let a = values(pair.label), let b = values(pair.control), !a.isEmpty else { return nil }
        return StartComparison(trained: Self.interval(a), control: Self.interval(b), difference: Self.interval(zip(a, b).map { $0 - $1 }))
    }

    /// The two recordings compared: the inherited units' probe, and the inherited input filters'
    /// share of energy in the class-contrast span.
    static let startRecordings: [(name: String, pick: @Sendable (StartingPoint) -> Double?)] = [
        ("probe of the inherited units (%)", { $0.probeAccuracy[.inherited] }),
        ("inherited input filters' class-contrast energy share (%)", { $0.contrast[.inherited]?.signalFraction }),
    ]

    /// The paper's gains placed on `axis`: from the statements along the same axis, at their
    /// configurations' values ("N₁/N₂ = 2: +2.6 points").
    func paperGains(along axis: DeepStatement.Axis) -> [String] {
        let suite = validation.suite
        var seen = Set<Double>()
        return judgements.filter { $0.statement.axis == axis }.flatMap { j in
            j.statement.paper.compactMap { label, points -> (Double, Double)? in
                suite.configurations.first { $0.label == label }.flatMap(axis.value).map { ($0, points) }
            }
        }.sorted { $0.0 < $1.0 }.filter { seen.insert($0.0).inserted }.map { String(format: "%g: %+.1f points", $0.0, $0.1) }
    }

    /// (file, chart, caption) of every figure.
    var figures: [(String, SVGChart, String)] {
        var out: [(String, SVGChart, String)] = []
        let suite = validation.suite
        let percent = Int(TolerancePolicy.confidence * 100)
        for j in judgements where j.verdict != .notApplicable {
            let indices = j.statement.configurations.compactMap { label in suite.configurations.firstIndex { $0.label == label } }
            let axis = j.statement.axis
            let xs = indices.enumerated().map { n, k in axis.value(suite.configurations[k]) ?? Double(n) }
            var accuracy = SVGChart(title: "\(j.statement.id): test accuracy", xLabel: axis.title, yLabel: "test accuracy (%)")
            var gain = SVGChart(title: "\(j.statement.id): transfer − scratch", xLabel: axis.title, yLabel: "gain (points)")
            if axis == .none { accuracy.xCategories = j.statement.configurations; gain.xCategories = j.statement.configurations }
            for (name, color, value) in [("transfer", SVGChart.palette[0], { (o: DeepOutcome) in o.transfer.testAccuracy }),
                                         ("scratch", SVGChart.palette[1], { (o: DeepOutcome) in o.scratch.testAccuracy })] {
                let intervals = indices.map { Self.interval(outcomes(of: $0).map(value)) }
                // An accuracy lies in [0, 100] %: the interval is cut there (few seeds make t-intervals wide).
                accuracy.series.append(SVGChart.Series(name: "\(name) (mean, \(percent) % interval over seeds)", points: zip(xs, intervals).map { ($0, 100 * $1.mean) },
                                                       color: color, markers: true, lines: axis != .none,
                                                       intervals: zip(xs, intervals).map { ($0, 100 * max(0, $1.lower), 100 * min(1, $1.upper)) }))
            }
            gain.series.append(SVGChart.Series(name: "measured gain (\(String(format: "%.2f", 100 * j.confidence)) % paired interval)",
                                               points: zip(xs, j.gains).map { ($0, 100 * $1.difference.mean) }, color: SVGChart.palette[2],
                                               markers: true, lines: axis != .none,
                                               intervals: zip(xs, j.gains).map { ($0, 100 * $1.difference.lower, 100 * $1.difference.upper) }))
            // The paper's gains are a note in the caption, not points on the axis: they were measured
            // at a scale orders of magnitude larger, and would set the axis for runs they do not describe.
            let paper = j.statement.configurations.compactMap { label in j.statement.paper[label].map { "\(label) \(String(format: "%+.1f", $0))" } }
            gain.series.append(SVGChart.Series(name: "", points: [(xs.min() ?? 0, 0), (xs.max() ?? 1, 0)], color: "#888888", dashed: true))
            out.append(("figures/\(j.statement.id)-accuracy.svg", accuracy, "Test accuracy of the transfer and matched scratch runs, mean over \(suite.seeds.count) seeds with \(percent) % Student-t intervals."))
            out.append(("figures/\(j.statement.id)-gain.svg", gain, "Transfer − scratch accuracy, paired by seed, with the statement's intervals.\(paper.isEmpty ? "" : " For reference only, the paper's CIFAR-100 gains (ResNet-101 → ResNet-34, a far larger scale): \(paper.joined(separator: ", ")) points.")"))
        }
        for curve in suite.curves {
            let rows = curveRows(curve)
            var chart = SVGChart(title: "transfer − scratch against \(curve.axis.title)", xLabel: curve.axis.title, yLabel: "gain (points)")
            chart.logX = curve.axis.isLogarithmic
            // The control is drawn a little to the right, so that the two intervals at a point stay apart.
            let span = (rows.map(\.x).max() ?? 1) - (rows.map(\.x).min() ?? 0)
            let beside: (Double) -> Double = curve.axis.isLogarithmic ? { $0 * 1.04 } : { $0 + 0.015 * span }
            for (name, color, pick, place) in [("upstream trained on its labels", SVGChart.palette[2], { (r: CurveRow) in r.gain }, { (x: Double) in x }),
                                               ("control: upstream trained on shuffled labels (drawn just right of its point)", SVGChart.palette[1], { (r: CurveRow) in r.controlGain }, beside)] {
                chart.series.append(SVGChart.Series(name: "\(name) (mean, \(percent) % paired interval)", points: rows.map { (place($0.x), 100 * pick($0).mean) },
                                                    color: color, markers: true, lines: true,
                                                    intervals: rows.map { (place($0.x), 100 * pick($0).lower, 100 * pick($0).upper) }))
            }
            chart.series.append(SVGChart.Series(name: "", points: [(rows.first?.x ?? 0, 0), (rows.last?.x ?? 1, 0)], color: "#888888", dashed: true))
            let paper = paperGains(along: curve.axis)
            out.append(("figures/curve-\(curve.axis.rawValue).svg", chart,
                        "Transfer − scratch test accuracy against \(curve.axis.title), everything else as the suite's own configuration, paired by seed over \(suite.seeds.count) seeds; \(percent) % Student-t interval at each point, not corrected across points. The control inherits from an upstream network trained on shuffled labels."
                        + (paper.isEmpty ? "" : " For reference only, the paper's CIFAR-100 gains (ResNet-101 → ResNet-34, a far larger scale) at \(curve.axis == .sampleRatio ? "N₁/N₂" : curve.axis.rawValue) = " + paper.joined(separator: ", ") + ".")))
        }
        for (k, c) in suite.configurations.enumerated() {
            let runs = outcomes(of: k)
            guard let first = runs.first, first.transfer.patchDimension > 0 else { continue }
            var chart = SVGChart(title: "\(c.label): input-layer filters in the signal subspace", xLabel: "epoch", yLabel: "‖P_S w‖² / ‖w‖² (mean over filters)")
            let epochs = first.transfer.epochs.map { Double($0.epoch) }
            func series(_ name: String, _ color: String, _ pick: (DeepOutcome) -> [DeepEpoch], _ group: ChannelGroup) -> SVGChart.Series? {
                let perEpoch = epochs.indices.map { e in runs.compactMap { o in pick(o)[safe: e]?.inputLayer[group]?.signalFraction } }
                guard perEpoch.allSatisfy({ !$0.isEmpty }) else { return nil }
                let intervals = perEpoch.map(Self.interval)
                return SVGChart.Series(name: name, points: zip(epochs, intervals).map { ($0, $1.mean) }, color: color, markers: true,
                                       intervals: zip(epochs, intervals).map { ($0, $1.lower, $1.upper) })
            }
            chart.series += [series("transfer, inherited filters", SVGChart.palette[0], { $0.transfer.epochs }, .inherited),
                             series("transfer, fresh filters", SVGChart.palette[2], { $0.transfer.epochs }, .fresh),
                             series("scratch", SVGChart.palette[1], { $0.scratch.epochs }, .fresh)].compactMap { $0 }
            let isotropic = Double(first.transfer.signalDimension) / Double(first.transfer.patchDimension)
            chart.series.append(SVGChart.Series(name: "isotropic filter: dim S / D = \(first.transfer.signalDimension)/\(first.transfer.patchDimension)",
                                                points: [(epochs.first ?? 0, isotropic), (epochs.last ?? 1, isotropic)], color: "#888888", dashed: true))
            out.append(("figures/energy-\(c.label).svg", chart,
                        "\(c.label): share of each input-layer filter's energy in the span of the downstream task's class-mean patches (signal) against the rest (noise), per epoch (0: before training), mean over seeds with \(percent) % intervals."))
        }
        return out
    }

    /// A deep statement's page: the shared statement page, with one evidence row per gain (and
    /// per change between consecutive configurations, for a trend claim) and its two figures.
    func page(_ j: DeepJudgement, figures: [(String, SVGChart, String)]) -> StatementPage {
        let s = j.statement
        let level = String(format: "%.4g %% interval", 100 * j.confidence)
        // `d` is the measured interval; `reference` (in points) what the claim compares it with.
        func row(_ instance: String, _ relation: RelationOperator, _ d: PairedDifference, _ what: String,
                 reference: Double = 0, note: String = "") -> EvidenceRow {
            let m = relation.margins(100 * d.mean, reference)
            return EvidenceRow(instance: instance, relation: "\(what) \(relation.rawValue) \(reference == 0 ? "0" : String(format: "%+.1f", reference))",
                               measured: "\(d.pointsText) points (\(level))", bound: reference == 0 ? "0" : String(format: "%+.1f", reference),
                               margin: m.absolute, absoluteError: 100 * (d.upper - d.lower) / 2, relativeMargin: m.relative,
                               outcome: relation.judge(d.shifted(by: -reference / 100)), note: "\(d.count) seeds, paired" + note)
        }
        let evidence = j.gains.map { g in
            let gainRow = s.gain.map { gain in
                row("gain", gain, g.difference, "transfer − scratch", reference: s.gainReference == .paper ? s.paper[g.label] ?? .nan : 0,
                    note: String(format: "; minimum detectable effect %.2f points (80 %% power)", 100 * g.detectable))
            }
            return ConfigurationEvidence(label: g.label, rows: (gainRow.map { [$0] } ?? [])
                + j.trends.filter { $0.to == g.label }.map { t in row("change from \(t.from)", s.trend!, t.difference, "gain(\(t.to)) − gain(\(t.from))") })
        }.filter { !$0.rows.isEmpty }   // a trend alone has nothing to show at its first configuration
        var page = StatementPage(
            id: s.id, title: s.title, provenance: s.provenance, verdict: j.verdict, reason: j.reason, claim: s.claimText,
            facts: ["provenance: \(s.provenance.rawValue)", "source: \(s.source)", "configurations along \(s.axis.title): \(s.configurations.joined(separator: ", "))",
                    "probe: transfer − scratch test accuracy, paired by seed, at the \(level) (Bonferroni over the statement's intervals)",
                    "the paper's gains: " + (s.paper.isEmpty ? "none given" : s.paper.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%+.1f", $0.value)) points" }.joined(separator: ", ")),
                    "defined in: proofs/deep/\(s.id).yaml"],
            uses: [], evidence: evidence, showsRegime: false)
        page.figures = figures.filter { $0.0.hasPrefix("figures/\(s.id)-") }.map { (file: "../\($0.0)", svg: $0.1.svg, caption: $0.2) }
        return page
    }

    func document(figures: [(String, SVGChart, String)]) -> Document {
        let suite = validation.suite
        let percent = Int(TolerancePolicy.confidence * 100)
        var doc = Document(title: "Deep validation: \(suite.name)")
        doc.add(.links(label: "", targets: [("← the validation report (lemmas and theorems)", "../index.html")]))
        let decided = judgements.filter { $0.verdict == .holds || $0.verdict == .violated }
        doc.add(.banner(counts: Verdict.allCases.map { ($0.rawValue, counts[$0.rawValue] ?? 0) }.filter { $0.1 > 0 }, sentences: [
            "Each deep statement compares transfer − scratch test accuracy, paired by seed over \(suite.seeds.count) seeds, with 0 — or, for a paper (claim) statement, with the paper's gain: holds when its whole interval lies on the claimed side, violated when it lies entirely on the other, indeterminate when it straddles the reference.",
            decided.isEmpty ? "No statement is decided at this size: every interval straddles its reference." : "Decided: " + decided.map { "\($0.statement.id) \($0.verdict.rawValue)\($0.statement.provenance == .paperClaim ? " (a claim about size, judged at this far smaller scale)" : "")" }.joined(separator: ", ") + ".",
            exitCodeMeaning.prefix(1).uppercased() + exitCodeMeaning.dropFirst() + ".",
            "Intervals: a statement with k intervals uses 1 − 0.01/k for each, so that all of them hold together at \(percent) % (Bonferroni); the gains table uses \(percent) % per configuration, which is why its intervals are narrower.",
        ]))
        if !suite.description.isEmpty { doc.add(.paragraph(suite.description)) }
        doc.add(.paragraph("Each configuration trains an upstream network on the upstream task, then a downstream network twice from the same fresh draw, on the same images, batches and test set: once with the transfer plan's rows inherited from the upstream network (Algorithm 1 per layer) and once from scratch. The gain is transfer − scratch test accuracy, paired by seed (\(suite.seeds.count) seeds). A statement's intervals are Student-t intervals over seeds, Bonferroni-corrected within the statement so that together they hold at \(percent) % (docs/theory.md §9c)."))
        doc.add(.paragraph("Scale: the paper's figures come from CIFAR-100 with ResNet-101 → ResNet-34 and DeiT-Base, networks of tens of millions of parameters trained on tens of thousands of images. These runs use Fashion-MNIST subsets of hundreds to a few thousand images and networks of about 10⁵ parameters. The paper's numbers are shown as the anchor, not as a target: the scale differs by orders of magnitude, and nothing here was tuned toward them."))
        doc.add(.heading(level: 2, text: "Statements"))
        doc.add(.table(header: ["statement", "provenance", "verdict", "claim", "evidence"], rows: judgements.map { j in
            StatementPage.indexCells(id: j.statement.id, provenance: j.statement.provenance, verdict: j.verdict, folder: "statements")
                + [Document.Cell(j.statement.claimText), Document.Cell(j.reason)]
        }))
        doc.add(.heading(level: 2, text: "Gains next to the paper's"))
        doc.add(.paragraph("The detectable effect is the gain that the \(percent) % interval would exclude 0 for with 80 % probability, at these seeds and the spread of their gains: (t_{0.995, n−1} + t_{0.8, n−1})·s/√n (docs/theory.md §9d). An open interval with a detectable effect below the paper's gain says the paper's effect is absent at this scale; one above it says the suite is too small to tell."))
        func mde(_ x: Double) -> String { x.isFinite ? String(format: "%.2f", 100 * x) : "–" }
        func mde(_ gains: [Double]) -> String { mde((try? PairedDifference.minimumDetectableEffect(gains)) ?? .nan) }
        func pct(_ d: PairedDifference) -> String { d.mean.isFinite ? String(format: "%.1f", 100 * d.mean) : "–" }
        doc.add(.table(header: ["configuration", "N₁/N₂", "downstream label noise", "upstream accuracy (%)", "transfer (%)", "scratch (%)",
                                "gain, points [\(percent) % interval]", "detectable effect (points)", "paper (points)"],
                       rows: suite.configurations.indices.map { k in
                           let c = suite.configurations[k], runs = outcomes(of: k)
                           let g = Self.interval(runs.map(\.gain))
                           let paper = judgements.compactMap { $0.statement.paper[c.label] }.first
                           return [Document.Cell(c.label), Document.Cell(String(format: "%g", c.sampleRatio)), Document.Cell(String(format: "%g", c.downstream.labelNoise)),
                                   Document.Cell(pct(Self.interval(runs.map(\.upstream.testAccuracy)))),
                                   Document.Cell(pct(Self.interval(runs.map(\.transfer.testAccuracy)))), Document.Cell(pct(Self.interval(runs.map(\.scratch.testAccuracy)))),
                                   Document.Cell(g.pointsText), Document.Cell(mde(runs.map(\.gain))), Document.Cell(paper.map { String(format: "%+.1f", $0) } ?? "–")]
                       }))
        if !suite.curves.isEmpty {
            doc.add(.heading(level: 2, text: "Gain curves"))
            doc.add(.paragraph("Each curve moves one setting of the suite's own configuration and keeps the rest. At every point the control transfers from an upstream network trained on shuffled labels: a gain the control shares comes from the inherited weights' scale or statistics, not from what the upstream learned. The last column is that difference, transfer from the trained upstream − transfer from the shuffled one, paired by seed (the scratch run is the same, so it cancels). Intervals are \(percent) % per point; the detectable effect is as in the table above."))
            for (curve, (file, chart, caption)) in zip(suite.curves, figures.filter { $0.0.hasPrefix("figures/curve-") }) {
                doc.add(.figure(svg: chart.svg, file: file, caption: caption))
                doc.add(.table(header: [curve.axis.title, "gain, points [\(percent) % interval]", "detectable effect", "control gain [\(percent) % interval]", "control's detectable effect", "trained − shuffled upstream [\(percent) % interval]"],
                               rows: curveRows(curve).map { r in
                                   [Document.Cell(String(format: "%g", r.x)), Document.Cell(r.gain.pointsText), Document.Cell(mde(r.detectable)),
                                    Document.Cell(r.controlGain.pointsText), Document.Cell(mde(r.controlDetectable)), Document.Cell(r.learning.pointsText)]
                               }))
            }
        }
        doc.add(.heading(level: 2, text: "Figures"))
        doc.add(.paragraph("Each statement's page shows its test-accuracy figure beside its gain figure."))
        // One gain figure per set of configurations: statements over the same ones draw the same gains.
        var drawn = Set<[String]>()
        for (file, chart, caption) in figures where !file.hasSuffix("-accuracy.svg") && !file.hasPrefix("figures/curve-") {
            if let j = judgements.first(where: { file == "figures/\($0.statement.id)-gain.svg" }), !drawn.insert(j.statement.configurations).inserted { continue }
            doc.add(.figure(svg: chart.svg, file: file, caption: caption))
        }
        let pairs = controlPairs
        if !pairs.isEmpty {
            doc.add(.heading(level: 2, text: "Before the first downstream step: does a recording tell a trained upstream from a shuffled one?"))
            let isotropic = outcomes.lazy.compactMap(\.start).first.map { String(format: "%.1f %%", 100 * Double($0.contrastDimension) / Double(max(1, $0.patchDimension))) } ?? "–"
            doc.add(.paragraph("Each transfer run's network is rebuilt as Algorithm 1 leaves it, before any downstream step, once with the upstream trained on its labels and once with its shuffled-label control (same seeds, same fresh draw). Two recordings: a ridge probe of the last hidden layer's inherited units on the downstream task, and the share of the inherited input filters' energy in the span of the downstream class-mean differences (class mean − task mean, which leaves out the average patch any trained stem learns; an isotropic filter has \(isotropic)). A recording separates the two upstreams where the \(percent) % interval of trained − control excludes 0."))
            var separated = [Int](repeating: 0, count: Self.startRecordings.count), measured = separated
            let rows = pairs.map { pair -> [Document.Cell] in
                var cells = [Document.Cell("\(pair.label) vs \(pair.control)")]
                for (r, recording) in Self.startRecordings.enumerated() {
                    guard let c = startComparison(pair, recording.pick) else { cells += [Document.Cell("–"), Document.Cell("–")]; continue }
                    measured[r] += 1
                    if c.difference.lower > 0 || c.difference.upper < 0 { separated[r] += 1 }
                    cells += [Document.Cell(String(format: "%.1f / %.1f", 100 * c.trained.mean, 100 * c.control.mean)), Document.Cell(c.difference.pointsText)]
                }
                return cells
            }
            doc.add(.table(header: ["trained vs control"] + Self.startRecordings.flatMap { ["\($0.name): trained / control", "difference, points [\(percent) % interval]"] }, rows: rows))
            doc.add(.paragraph(zip(Self.startRecordings, zip(separated, measured)).map { "\($0.name.prefix(1).uppercased() + $0.name.dropFirst()): separates in \($1.0) of \($1.1) \($1.1 == 1 ? "pair" : "pairs")." }.joined(separator: " ")))
        }
        doc.add(.heading(level: 2, text: "Last hidden layer: linear probes"))
        doc.add(.paragraph("Test accuracy of a ridge-regression probe (λ = 10⁻²·n on standardised features) trained on the downstream training images' true labels, on the units of the last hidden layer that the transfer plan inherited and on the fresh ones; the scratch column uses all units. Means over seeds."))
        doc.add(.table(header: ["configuration", "inherited units", "probe: inherited (%)", "probe: fresh (%)", "probe: scratch, all units (%)"],
                       rows: suite.configurations.indices.map { k in
                           let runs = outcomes(of: k)
                           func mean(_ pick: (DeepOutcome) -> Double?) -> String {
                               let values = runs.compactMap(pick)
                               return values.isEmpty ? "–" : String(format: "%.1f", 100 * values.reduce(0, +) / Double(values.count))
                           }
                           return [Document.Cell(suite.configurations[k].label), Document.Cell("\(runs.first?.transfer.probeUnits[.inherited] ?? 0)"),
                                   Document.Cell(mean { $0.transfer.probeAccuracy[.inherited] }), Document.Cell(mean { $0.transfer.probeAccuracy[.fresh] }),
                                   Document.Cell(mean { $0.scratch.probeAccuracy[.fresh] })]
                       }))
        doc.add(.heading(level: 2, text: "Configurations"))
        doc.add(.bullets(suite.configurations.map { c in
            "\(c.label): upstream \(c.upstream.trainSamples) images of classes \(c.upstream.classes.map { "\($0)" } ?? "all")\(c.upstream.shuffleLabels ? " with shuffled labels" : "")\(c.upstream.labelNoise > 0 ? ", label noise \(c.upstream.labelNoise)" : ""), \(c.upstream.plan.epochs) epochs; downstream \(c.downstream.trainSamples) images of classes \(c.downstream.classes.map { "\($0)" } ?? "all"), label noise \(c.downstream.labelNoise), \(c.downstream.plan.epochs) epochs; transfer \(c.transfer.layers.isShared ? "every shared layer" : c.transfer.layers.patterns.joined(separator: " ")) at α = \(c.transfer.alpha)\(c.transfer.freeze ? ", frozen" : "")"
        }))
        return doc
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
