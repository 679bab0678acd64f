import Bounds
import Foundation
import NumericsCore
import Platform
import RunStore
import TransferModel
import Vocabulary

/// A phase diagram of a sweep over two config keys: mean test errors per cell, the binarised
/// maps, the predicted boundaries of docs/theory.md §6–§7 and the fitted empirical boundary.
///
/// Cells are the (x, y) values found in the store; every other config key must be constant
/// across the runs used (the seed aside), so that the picture is a slice, not a mixture.
public struct PhaseDiagram: Sendable {
    public let xKey: String
    public let yKey: String
    /// Sorted distinct values of x and y.
    public let xs: [Double]
    public let ys: [Double]
    /// Mean over seeds, [y index][x index]; NaN where a cell has no run.
    public let transferError: [[Double]]
    public let scratchError: [[Double]]
    /// Mean of `differences` per cell (transfer − scratch test error): > 0 is negative transfer.
    public let difference: [[Double]]
    /// Runs per cell.
    public let counts: [[Int]]
    /// Per cell, the paired differences transfer − scratch test error, one per seed.
    public let differences: [[[Double]]]
    /// Per cell, log(Γ̂(α)/Γ̂(0)) per seed, the measured phase variables of the transfer and scratch
    /// phases (docs/theory.md §6b), for the seeds where both are positive and finite.
    package let gammaHatLogRatios: [[[Double]]]
    /// Per cell, the mean of `gammaHatLogRatios` (NaN where it is empty).
    package var gammaHatLogRatio: [[Double]] { Self.cellMeans(gammaHatLogRatios) }
    /// Per cell, the mean of its values in their order (NaN for a cell without any).
    static func cellMeans(_ perCell: [[[Double]]]) -> [[Double]] {
        perCell.map { $0.map { $0.isEmpty ? .nan : $0.reduce(0, +) / Double($0.count) } }
    }
    /// Per cell, the numeric config of its first run (with a grid's regime placement, the cell's
    /// own σ₀, η, η₂, T); empty where a cell has no run.
    let cellConfigs: [[[String: Double]]]
    /// The grid's seeds (seeds added to single cells by `ptv sweep --adaptive` left out), and per
    /// seed the transfer error grid (for the per-seed boundaries).
    public let seeds: [UInt64]
    /// Per cell, the last look of its seed schedule that its added seeds complete (1: only the
    /// grid's seeds; docs/theory.md §6f).
    package let looks: [[Int]]
    let perSeedTransfer: [UInt64: [[Double]]]
    /// The config shared by every run (x and y set per evaluation).
    public let base: [String: Double]
    public let constants: [String: Double]
    /// Label-flip probability p (the Bayes error the errors are measured above).
    public let p: Double
    /// Benign threshold τ: a cell is benign when its test error ≤ p + τ.
    public let threshold: Double

    /// A problem with the store or the chosen keys (exit code 2 at the command line).
    package static func error(_ field: String, _ problem: String) -> ConfigError { ConfigError(field: field, problem) }

    package init(runs: [StoredRun], x: String, y: String, threshold: Double = 0.1) throws {
        guard x != y else { throw Self.error("--y", "must differ from --x") }
        for key in [x, y] {
            guard ExperimentConfig.keys.contains(key) || key.hasPrefix("constants.") else {
                throw Self.error(key == x ? "--x" : "--y", "'\(InputText.excerpt(key))' is not a config key (allowed: \(ExperimentConfig.keys.joined(separator: ", ")))")
            }
        }
        guard threshold > 0 && threshold < 1 else { throw Self.error("--threshold", "\(threshold) is outside the allowed range: (0, 1)") }
        let usable = runs.filter { $0.number(x) != nil && $0.number(y) != nil && $0.metrics[Phase.transfer.rawValue] != nil && $0.metrics[Phase.scratch.rawValue] != nil }
        guard !usable.isEmpty else {
            throw Self.error("--store", "no finished runs with numeric '\(x)' and '\(y)' and both downstream phases")
        }
        // Every other key must be constant, except what a grid's regime placement sets per cell
        // (σ₀, η, η₂, T₁, T₂, record_every: functions of the cell), which must agree within each cell.
        let first = usable[0]
        let placed = Set(RegimePlacement.placedKeys + ["record_every"])
        for key in Set(usable.flatMap { $0.config.keys }) where key != x && key != y && key != "seed" && key != "engine" {
            if placed.contains(key) {
                let byCell = Dictionary(grouping: usable) { [$0.number(x)!, $0.number(y)!] }
                if let cell = byCell.values.first(where: { runs in runs.contains { $0.config[key] != runs[0].config[key] } }) {
                    throw Self.error("--store", "the runs of the cell \(x) = \(cell[0].number(x)!), \(y) = \(cell[0].number(y)!) differ in '\(key)' (export a slice or use one grid per store)")
                }
            } else if usable.contains(where: { $0.config[key] != first.config[key] }) {
                throw Self.error("--store", "the runs also differ in '\(key)': a phase diagram needs every key but --x, --y and the seed fixed (export a slice or use one grid per store)")
            }
        }
        xKey = x
        yKey = y
        xs = Array(Set(usable.map { $0.number(x)! })).sorted()
        ys = Array(Set(usable.map { $0.number(y)! })).sorted()
        seeds = Array(Set(usable.filter { $0.addedAtLook == nil }.map(\.seed))).sorted()
        let blank = [[Double]](repeating: [Double](repeating: .nan, count: xs.count), count: ys.count)
        var sumT = [[Double]](repeating: [Double](repeating: 0, count: xs.count), count: ys.count)
        var sumS = sumT
        var counts = [[Int]](repeating: [Int](repeating: 0, count: xs.count), count: ys.count)
        var perSeed: [UInt64: [[Double]]] = [:]
        var differences = [[[Double]]](repeating: [[Double]](repeating: [], count: xs.count), count: ys.count)
        var logRatios = differences
        var cellConfigs = [[[String: Double]]](repeating: [[String: Double]](repeating: [:], count: xs.count), count: ys.count)
        var looks = [[Int]](repeating: [Int](repeating: 1, count: xs.count), count: ys.count)
        for run in usable {
            let i = ys.firstIndex(of: run.number(y)!)!, j = xs.firstIndex(of: run.number(x)!)!
            let t = run.metric(.transfer, "test_error") ?? .nan, s = run.metric(.scratch, "test_error") ?? .nan
            sumT[i][j] += t; sumS[i][j] += s; counts[i][j] += 1
            if let look = run.addedAtLook { looks[i][j] = max(looks[i][j], look) } else { perSeed[run.seed, default: blank][i][j] = t }
            differences[i][j].append(t - s)
            if let gt = run.metric(.transfer, "Gamma_hat"), let gs = run.metric(.scratch, "Gamma_hat"), gt > 0, gs > 0, gt.isFinite, gs.isFinite {
                logRatios[i][j].append(log(gt / gs))
            }
            if cellConfigs[i][j].isEmpty {
                cellConfigs[i][j] = run.config.compactMapValues(\.number).filter { !$0.key.hasPrefix("constants.") }
            }
        }
        self.differences = differences
        self.looks = looks
        gammaHatLogRatios = logRatios
        self.cellConfigs = cellConfigs
        let rows = ys.count, cols = xs.count
        func mean(_ sums: [[Double]]) -> [[Double]] {
            var out = [[Double]](repeating: [Double](repeating: .nan, count: cols), count: rows)
            for i in 0..<rows {
                for j in 0..<cols where counts[i][j] > 0 { out[i][j] = sums[i][j] / Double(counts[i][j]) }
            }
            return out
        }
        transferError = mean(sumT)
        scratchError = mean(sumS)
        difference = Self.cellMeans(differences)
        self.counts = counts
        perSeedTransfer = perSeed
        var base: [String: Double] = [:], constants: [String: Double] = [:]
        for (key, value) in first.config {
            guard let number = value.number else { continue }
            if key.hasPrefix("constants.") { constants[String(key.dropFirst("constants.".count))] = number } else { base[key] = number }
        }
        self.base = base
        self.constants = constants
        p = base["p"] ?? 0
        self.threshold = threshold
    }

    // MARK: Predicted boundaries (docs/theory.md §6, `reconstruction`)

    /// Γ(α) and Γ(0) at a point of the (x, y) plane, from the Bounds module's definitions.
    public func gamma(x: Double, y: Double) -> (transfer: Double, scratch: Double)? {
        var values = base
        values[xKey] = x
        values[yKey] = y
        return gamma(values: values)
    }

    /// Γ(α) and Γ(0) for numeric config `values` (x and y among them), under `Theory.current`.
    func gamma(values: [String: Double]) -> (transfer: Double, scratch: Double)? {
        var consts = constants
        for key in [xKey, yKey] where key.hasPrefix("constants.") { consts[String(key.dropFirst(10))] = values[key] }
        let environment = Environment.theory(configuration: values, constants: consts)
        guard let g = try? Formula.variable("Gamma").evaluate(in: environment).value,
              let g0 = try? Formula.variable("Gamma_scratch").evaluate(in: environment).value,
              g.isFinite, g0.isFinite else { return nil }
        return (g, g0)
    }

    /// C1 used for the Γ(α) = C1 curve (the store's `constants.C1`, default 1).
    public var c1: Double { constants["C1"] ?? 1 }

    /// Points (x, y) on the curve F(x, y) = 0 for x spread log-uniformly over the x range,
    /// solving in y over [y_min/4, 4·y_max] (log-spaced scan, then bisection). Where F has no
    /// sign change in that range the curve has no point at that x.
    public func curve(samples: Int = 60, _ f: (Double, Double) -> Double?) -> [(Double, Double)] {
        guard let x0 = xs.first, let x1 = xs.last, let y0 = ys.first, let y1 = ys.last, x0 > 0, y0 > 0 else { return [] }
        let lo = log(y0 / 4), hi = log(y1 * 4)
        var points: [(Double, Double)] = []
        for a in 0..<samples {
            let x = samples == 1 || x0 == x1 ? x0 : exp(log(x0) + (log(x1) - log(x0)) * Double(a) / Double(samples - 1))
            let scan = 200
            var previous: (Double, Double)?
            for b in 0...scan {
                let ly = lo + (hi - lo) * Double(b) / Double(scan)
                guard let v = f(x, exp(ly)) else { previous = nil; continue }
                if let (pl, pv) = previous, (pv < 0) != (v < 0) {
                    var (a0, a1, f0) = (pl, ly, pv)
                    for _ in 0..<60 {
                        let mid = (a0 + a1) / 2
                        guard let fm = f(x, exp(mid)) else { break }
                        if (fm < 0) == (f0 < 0) { a0 = mid; f0 = fm } else { a1 = mid }
                    }
                    points.append((x, exp((a0 + a1) / 2)))
                    break
                }
                previous = (ly, v)
            }
        }
        return points
    }

    /// The predicted benign boundary Γ(α) = C1 (Theorem 4.2, `paper` shape, `reconstruction` Γ).
    public func benignBoundary() -> [(Double, Double)] {
        curve { x, y in gamma(x: x, y: y).map { log($0.transfer) - log(c1) } }
    }

    /// The scratch baseline's predicted boundary Γ(0) = Λ₂ = C1 (Kou et al.'s phase variable, `predecessor`).
    func scratchBoundary() -> [(Double, Double)] {
        curve { x, y in gamma(x: x, y: y).map { log($0.scratch) - log(c1) } }
    }

    /// The predicted negative-transfer boundary Γ(α) = Γ(0) (`reconstruction`).
    func negativeTransferBoundary() -> [(Double, Double)] {
        curve { x, y in gamma(x: x, y: y).map { log($0.transfer) - log($0.scratch) } }
    }

    // MARK: Empirical boundary and its slope

    /// Where the error along y (at fixed x) first falls to the level p + τ, interpolated
    /// linearly in (log y, error) between the two grid points that bracket it; nil when the
    /// column never crosses.
    static func crossing(ys: [Double], errors: [Double], level: Double) -> Double? {
        var last: (Double, Double)?
        for (y, e) in zip(ys, errors) where e.isFinite && y > 0 {
            if let (py, pe) = last, pe > level, e <= level {
                let t = (pe - level) / (pe - e)
                return exp(log(py) + t * (log(y) - log(py)))
            }
            last = (y, e)
        }
        return nil
    }

    /// Empirical boundary points (x, y*) from a [y][x] error grid.
    func boundary(_ grid: [[Double]]) -> [(Double, Double)] {
        let level = p + threshold
        return xs.indices.compactMap { j in
            Self.crossing(ys: ys, errors: grid.map { $0[j] }, level: level).map { (xs[j], $0) }
        }
    }

    /// The boundary of the seed-averaged transfer error.
    var meanBoundary: [(Double, Double)] { boundary(transferError) }

    /// Least-squares slope and intercept of log y on log x.
    static func logLogFit(_ points: [(Double, Double)]) -> (slope: Double, intercept: Double)? {
        let pts = points.filter { $0.0 > 0 && $0.1 > 0 }
        guard pts.count >= 2 else { return nil }
        let lx = pts.map { log($0.0) }, ly = pts.map { log($0.1) }
        let mx = lx.reduce(0, +) / Double(pts.count), my = ly.reduce(0, +) / Double(pts.count)
        var sxx = 0.0, sxy = 0.0
        for (a, b) in zip(lx, ly) { sxx += (a - mx) * (a - mx); sxy += (a - mx) * (b - my) }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        return (slope, my - slope * mx)
    }

    /// The fitted log–log slope of the empirical boundary.
    package struct SlopeFit: Sendable {
        /// Slope per seed (seeds whose boundary has ≥ 2 points).
        let perSeed: [UInt64: Double]
        /// Mean of the per-seed slopes and its two-sided 95 % Student-t interval half-width
        /// (nil with fewer than 2 seeds).
        public let mean: Double?
        let halfWidth: Double?
        /// Slope and intercept of the seed-averaged boundary.
        public let pooled: (slope: Double, intercept: Double)?
        /// Slope of the predicted Γ(α) = C1 curve over the same x range.
        let predictedCurveSlope: Double?
        /// The asymptotic exponent of docs/theory.md §7 for these axes (¼ for u_norm against d,
        /// −¼ against N1), nil for other pairs.
        let theoryExponent: Double?
        /// C1 implied by the empirical boundary: the geometric mean of Γ(α) along it.
        public let impliedC1: Double?

        /// Whether the predictions lie inside the fitted 95 % interval, in words: the asymptotic
        /// exponent, then the predicted curve's own slope over the same range (which differs from
        /// the exponent by the curve's finite-size bend). Nil without an interval or a prediction.
        var agreementText: String? {
            guard let mean, let halfWidth, let exponent = theoryExponent else { return nil }
            func place(_ value: Double) -> String {
                value < mean - halfWidth ? "below" : value > mean + halfWidth ? "above" : "inside"
            }
            let verdict = place(exponent) == "inside" ? "agreement" : "disagreement at 95 %"
            var text = String(format: "the predicted exponent %+.2f lies ", exponent) + place(exponent) + " this interval (" + verdict + ")"
            if let curve = predictedCurveSlope {
                text += String(format: "; the Γ(α) = C1 curve's own slope over this range, %.3f, lies ", curve) + place(curve) + " it"
            }
            return text
        }
    }

    /// The asymptotic exponent of the benign boundary (docs/theory.md §7) for these axes: ¼ for
    /// u_norm against d, −¼ against N1, nil for other pairs.
    package var theoryExponent: Double? { yKey == "u_norm" ? (xKey == "d" ? 0.25 : xKey == "N1" ? -0.25 : nil) : nil }

    /// `benign` may pass the already computed ``benignBoundary()``.
    package func slopeFit(benign: [(Double, Double)]? = nil) -> SlopeFit {
        var perSeed: [UInt64: Double] = [:]
        for (seed, grid) in perSeedTransfer {
            if let fit = Self.logLogFit(boundary(grid)) { perSeed[seed] = fit.slope }
        }
        let slopes = perSeed.values.sorted()
        var mean: Double?, half: Double?
        if !slopes.isEmpty { mean = slopes.reduce(0, +) / Double(slopes.count) }
        if slopes.count >= 2, let m = mean {
            let sd = (slopes.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(slopes.count - 1)).squareRoot()
            half = (try? GSL.studentTQuantile(0.975, degreesOfFreedom: Double(slopes.count - 1)))
                .map { $0 * sd / Double(slopes.count).squareRoot() }
        }
        let gammas = meanBoundary.compactMap { gamma(x: $0.0, y: $0.1)?.transfer }.filter { $0 > 0 }
        let implied = gammas.isEmpty ? nil : exp(gammas.map { log($0) }.reduce(0, +) / Double(gammas.count))
        return SlopeFit(perSeed: perSeed, mean: mean, halfWidth: half, pooled: Self.logLogFit(meanBoundary),
                        predictedCurveSlope: Self.logLogFit(benign ?? benignBoundary())?.slope, theoryExponent: theoryExponent,
                        impliedC1: implied)
    }
}
