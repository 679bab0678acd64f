import Bounds
import Foundation
import NumericsCore
import Validation

/// The measured sign of transfer − scratch per cell, the measured Γ̂(α) = Γ̂(0) contour, and what
/// each theory file predicts about them (docs/theory.md §6e).
extension PhaseDiagram {
    /// Confidence of the per-cell intervals of transfer − scratch test error (two-sided Student t
    /// over seeds, per cell, not corrected for the number of cells).
    package static let cellConfidence = TolerancePolicy.confidence

    /// Per cell, the paired transfer − scratch test-error interval over seeds at ``cellConfidence``
    /// (at its schedule's level for a cell with added seeds).
    package func differenceIntervals() throws -> [[PairedDifference]] { try intervals(differences) }

    /// Per cell, the interval of log(Γ̂(α)/Γ̂(0)) over seeds, at the same levels.
    package func gammaHatIntervals() throws -> [[PairedDifference]] { try intervals(gammaHatLogRatios) }

    /// The grid's seed schedule (docs/theory.md §6f): its first look is the grid's seeds.
    package var schedule: SeedSchedule? { try? SeedSchedule(initial: seeds.count, alpha: 1 - Self.cellConfidence) }

    /// The interval over seeds of each cell's values: at ``cellConfidence`` for a cell with the
    /// grid's seeds only; at the level of its last look (1 − α_k) for one with added seeds,
    /// since seeds were added because earlier looks were open (optional stopping).
    func intervals(_ perCell: [[[Double]]]) throws -> [[PairedDifference]] {
        let schedule = self.schedule
        return try perCell.enumerated().map { i, row in
            try row.enumerated().map { j, values in
                if looks[i][j] > 1, let schedule { return try schedule.interval(values, look: looks[i][j]) }
                return try PairedDifference(values, confidence: Self.cellConfidence)
            }
        }
    }

    /// A theory to predict with, named as the report shows it (its file).
    public struct NamedTheory: Sendable {
        public let name: String
        public let theory: Theory
        public init(name: String, theory: Theory) {
            self.name = name
            self.theory = theory
        }
    }

    /// What one theory predicts on this diagram.
    package struct TheoryPrediction: Sendable {
        public let name: String
        /// The curve Γ(α) = Γ(0) through the plane (the diagram's fixed keys, x and y set).
        public let boundary: [(Double, Double)]
        /// Its log–log slope over the diagram's x range (nil with fewer than 2 points).
        package let boundarySlope: Double?
        /// Per cell, at the cell's own config: +1 where Γ(α) < Γ(0) (negative transfer predicted),
        /// −1 where Γ(α) > Γ(0), 0 where equal, nil where the theory gives no value or the cell has no run.
        public let signs: [[Int?]]
        /// Cells with a predicted sign whose measured interval excludes 0, and of those the ones
        /// where the two signs agree.
        public let decisive: Int
        package let agreeing: Int
        /// Cells with runs where the theory predicts a sign (decisive or not).
        package let predicted: Int

        /// agreeing / decisive (nil without a decisive cell).
        public var agreement: Double? { decisive > 0 ? Double(agreeing) / Double(decisive) : nil }

        /// "k of n decisive cells (p %) of m predicted", or "no decisive cell of m predicted".
        package var tally: String {
            (agreement.map { String(format: "%d of %d decisive cells (%.0f %%)", agreeing, decisive, 100 * $0) } ?? "no decisive cell")
                + " of \(predicted) predicted"
        }

        package var agreementText: String {
            guard let agreement else { return "\(name): no cell where both the prediction and the measurement have a sign" }
            return String(format: "%@: predicted sign of transfer − scratch matches the measured one in %d of %d cells (%.0f %%); only decisive cells count (the measured 99 %% interval excludes 0), out of %d cells with runs and a predicted sign",
                          name, agreeing, decisive, 100 * agreement, predicted)
        }
    }

    /// `theory`'s predictions, judged against the measured intervals.
    package func prediction(_ named: NamedTheory, measured: [[PairedDifference]]) -> TheoryPrediction {
        Theory.$current.withValue(named.theory) {
            let boundary = negativeTransferBoundary()
            var signs = [[Int?]](repeating: [Int?](repeating: nil, count: xs.count), count: ys.count)
            var decisive = 0, agreeing = 0, predicted = 0
            for i in ys.indices {
                for j in xs.indices where !cellConfigs[i][j].isEmpty {
                    var values = cellConfigs[i][j]
                    values[xKey] = xs[j]
                    values[yKey] = ys[i]
                    guard let g = gamma(values: values) else { continue }
                    let sign = g.transfer < g.scratch ? 1 : g.transfer > g.scratch ? -1 : 0
                    signs[i][j] = sign
                    if sign != 0 { predicted += 1 }
                    let observed = measured[i][j].sign
                    guard observed != 0 && sign != 0 else { continue }
                    decisive += 1
                    if observed == sign { agreeing += 1 }
                }
            }
            return TheoryPrediction(name: named.name, boundary: boundary, boundarySlope: Self.logLogFit(boundary)?.slope,
                                    signs: signs, decisive: decisive, agreeing: agreeing, predicted: predicted)
        }
    }

    // MARK: Measured boundaries

    /// Where a column's values first change sign along y, interpolated linearly in (log y, value)
    /// between the two grid points that bracket it; nil when they keep one sign.
    static func signChange(ys: [Double], values: [Double]) -> Double? {
        var last: (Double, Double)?
        for (y, v) in zip(ys, values) where v.isFinite && y > 0 {
            if let (py, pv) = last, (pv > 0 && v <= 0) || (pv < 0 && v >= 0) {
                let t = pv / (pv - v)
                return exp(log(py) + t * (log(y) - log(py)))
            }
            last = (y, v)
        }
        return nil
    }

    /// Where a column passes from a cell whose interval excludes 0 to the next such cell of the
    /// opposite sign (only open cells between them): the mean's first sign change between the two.
    /// Near-zero means of open cells change sign by chance, so they alone never make a boundary.
    static func decisiveChange(ys: [Double], intervals: [PairedDifference]) -> Double? {
        var last: Int?
        for k in ys.indices where intervals[k].count > 1 && intervals[k].sign != 0 {
            if let a = last, intervals[a].sign == -intervals[k].sign {
                return signChange(ys: Array(ys[a...k]), values: intervals[a...k].map(\.mean))
            }
            last = k
        }
        return nil
    }

    /// Points (x, y*) of ``decisiveChange(ys:intervals:)``, one per column that has one.
    func measuredBoundary(_ intervals: [[PairedDifference]]) -> [(Double, Double)] {
        xs.indices.compactMap { j in Self.decisiveChange(ys: ys, intervals: intervals.map { $0[j] }).map { (xs[j], $0) } }
    }

    /// A log–log least-squares slope with its two-sided 95 % interval from the regression's
    /// standard error, slope ± t_{0.975, n−2}·√(RSS/(n−2)/Sxx) (no interval with fewer than 3 points).
    package struct ExponentFit: Sendable {
        public let slope: Double
        package let halfWidth: Double?
        public let points: Int

        public var text: String {
            PhaseDiagram.slope(slope) + (halfWidth.map { String(format: " ± %.3f", $0) } ?? " (no interval)") + " over \(points) columns"
        }
    }

    /// A slope to three decimals, without a "−0.000" for a tiny negative one.
    static func slope(_ x: Double) -> String { String(format: "%.3f", abs(x) < 5e-4 ? 0 : x) }

    static func exponentFit(_ points: [(Double, Double)]) -> ExponentFit? {
        let pts = points.filter { $0.0 > 0 && $0.1 > 0 }
        guard let fit = logLogFit(pts) else { return nil }
        guard pts.count >= 3 else { return ExponentFit(slope: fit.slope, halfWidth: nil, points: pts.count) }
        let lx = pts.map { log($0.0) }, ly = pts.map { log($0.1) }
        let mx = lx.reduce(0, +) / Double(pts.count)
        let sxx = lx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let rss = zip(lx, ly).reduce(0) { total, p in
            let r = p.1 - (fit.intercept + fit.slope * p.0)
            return total + r * r
        }
        let dof = Double(pts.count - 2)
        let half = (try? GSL.studentTQuantile(0.975, degreesOfFreedom: dof)).map { $0 * (rss / dof / sxx).squareRoot() }
        return ExponentFit(slope: fit.slope, halfWidth: half, points: pts.count)
    }
}

/// The measured negative-transfer region, the Γ̂ contour and each theory's prediction, computed
/// once for the pictures, the page and `summary.json`.
package struct TransferSummary: Sendable {
    let intervals: [[PairedDifference]]
    let predictions: [PhaseDiagram.TheoryPrediction]
    let crossings: [(Double, Double)]
    let contour: [(Double, Double)]
    let crossingFit: PhaseDiagram.ExponentFit?
    let contourFit: PhaseDiagram.ExponentFit?

    /// Where the theory files disagree and who is right there.
    var scoreboard: PhaseScoreboard { PhaseScoreboard(predictions: predictions, measured: intervals) }

    /// One line each: where negative transfer appears and how large, the measured exponents, and
    /// each theory's sign agreement.
    public func findings(_ diagram: PhaseDiagram) -> [String] { measured(diagram) + predictions.map(\.agreementText) }

    /// The findings without the theories: the region and the measured exponents.
    func measured(_ diagram: PhaseDiagram) -> [String] {
        let suffix = diagram.theoryExponent.map { String(format: " (the theory's benign-boundary exponent: %+.2f)", $0) } ?? ""
        return region(diagram)
            + ["exponent of the measured negative-transfer boundary: " + (crossingFit?.text ?? "not measurable") + suffix,
               "exponent of the measured Γ̂(α) = Γ̂(0) contour: " + (contourFit?.text ?? "not measurable")]
    }

    /// The counts of negative-transfer, helping and open cells, and the largest negative transfer.
    func region(_ diagram: PhaseDiagram) -> [String] {
        let percent = Int((PhaseDiagram.cellConfidence * 100).rounded())
        var negative = 0, helps = 0, open = 0
        var worst: (i: Int, j: Int, d: PairedDifference)?
        for (i, row) in intervals.enumerated() {
            for (j, d) in row.enumerated() where d.count > 1 {
                switch d.sign {
                case 1:
                    negative += 1
                    if worst == nil || d.mean > worst!.d.mean { worst = (i, j, d) }
                case -1: helps += 1
                default: open += 1
                }
            }
        }
        var lines = ["cells with \(percent) % t-intervals of transfer − scratch test error: \(negative) negative transfer, \(helps) transfer helps, \(open) cover 0"]
        if let worst {
            lines.append(String(format: "largest negative transfer: %+.2f points [%+.2f, %+.2f] at %@ = %@, %@ = %@",
                                100 * worst.d.mean, 100 * worst.d.lower, 100 * worst.d.upper, diagram.xKey, PhaseDiagram.format(diagram.xs[worst.j]),
                                diagram.yKey, PhaseDiagram.format(diagram.ys[worst.i])))
        }
        return lines
    }
}

extension PhaseDiagram {
    /// The measured region and each theory's prediction (none: `Theory.current`, named "theory").
    package func transferSummary(theories: [NamedTheory]) throws -> TransferSummary {
        let theories = theories.isEmpty ? [NamedTheory(name: "theory", theory: Theory.current)] : theories
        let intervals = try differenceIntervals()
        let crossings = measuredBoundary(intervals), contour = measuredBoundary(try gammaHatIntervals())
        return TransferSummary(intervals: intervals, predictions: theories.map { prediction($0, measured: intervals) },
                               crossings: crossings, contour: contour,
                               crossingFit: Self.exponentFit(crossings), contourFit: Self.exponentFit(contour))
    }
}
