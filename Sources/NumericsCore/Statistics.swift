import Foundation
import Platform

/// Confidence bounds for a binomial proportion (Clopper–Pearson, exact), from GSL's Beta quantiles.
package enum BinomialBound {
    /// One-sided upper bound U with P(p ≤ U) ≥ `confidence` after k successes in n trials:
    /// U = Beta⁻¹(confidence; k + 1, n − k), and 1 when k = n.
    public static func upper(_ k: Int, _ n: Int, confidence: Double) throws -> Double {
        precondition(n > 0 && k >= 0 && k <= n)
        return k == n ? 1 : try GSL.betaQuantile(confidence, a: Double(k + 1), b: Double(n - k))
    }

    /// One-sided lower bound L with P(p ≥ L) ≥ `confidence`: L = Beta⁻¹(1 − confidence; k, n − k + 1), and 0 when k = 0.
    public static func lower(_ k: Int, _ n: Int, confidence: Double) throws -> Double {
        precondition(n > 0 && k >= 0 && k <= n)
        return k == 0 ? 0 : try GSL.betaQuantile(1 - confidence, a: Double(k), b: Double(n - k + 1))
    }
}

/// The two-sample Kolmogorov–Smirnov test: are two samples drawn from one law?
///
/// D = sup_x |F_a(x) − F_b(x)| over the two empirical distribution functions (ties handled by
/// stepping over every copy of a value at once). The p-value is the asymptotic Kolmogorov tail
/// Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} at λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, nₑ = n_a n_b/(n_a + n_b)
/// (Stephens' small-sample correction; within a few per cent of the exact p-value for nₑ ≳ 20).
/// For laws with atoms (test errors on a finite test set) the test is conservative: its
/// p-values are too large, never too small.
package struct KolmogorovSmirnov: Sendable {
    public let statistic: Double
    package let pValue: Double

    public init(_ a: [Double], _ b: [Double]) {
        precondition(!a.isEmpty && !b.isEmpty)
        let x = a.sorted(), y = b.sorted()
        let na = Double(x.count), nb = Double(y.count)
        var i = 0, j = 0, d = 0.0
        while i < x.count && j < y.count {
            let value = min(x[i], y[j])
            while i < x.count && x[i] <= value { i += 1 }
            while j < y.count && y[j] <= value { j += 1 }
            d = max(d, abs(Double(i) / na - Double(j) / nb))
        }
        statistic = d
        let ne = na * nb / (na + nb)
        pValue = KolmogorovSmirnov.tail((ne.squareRoot() + 0.12 + 0.11 / ne.squareRoot()) * d)
    }

    /// Q(λ) = P(K > λ) for the Kolmogorov law (1 for λ ≤ 0.2, where the series is 1 to 1e-10).
    public static func tail(_ lambda: Double) -> Double {
        guard lambda > 0.2 else { return 1 }
        var sum = 0.0, sign = 1.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += sign * term
            if term < 1e-17 { break }
            sign = -sign
        }
        return min(max(2 * sum, 0), 1)
    }

    /// Holm's step-down correction at family-wise level `level`: the p-values sorted ascending
    /// are compared with level/(m − i) (i = 0 …); rejection stops at the first that exceeds it.
    /// Returns, in input order, whether each hypothesis is rejected.
    package static func holmRejections(_ pValues: [Double], level: Double) -> [Bool] {
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var rejected = [Bool](repeating: false, count: pValues.count)
        for (rank, index) in order.enumerated() {
            guard pValues[index] <= level / Double(pValues.count - rank) else { break }
            rejected[index] = true
        }
        return rejected
    }
}

/// Rank statistics.
package enum RankCorrelation {
    /// Ranks 1…n of `values`, ties given their average rank.
    package static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = average }
            start = end + 1
        }
        return ranks
    }

    /// Spearman's ρ: Pearson's correlation of the ranks (nil when either side is constant).
    package static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        let rx = ranks(x), ry = ranks(y), n = Double(x.count)
        let mx = rx.reduce(0, +) / n, my = ry.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(rx, ry) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : nil
    }
}

/// Paired differences over seeds (docs/theory.md §8a): their mean and the two-sided Student-t
/// interval at `confidence`, mean ± t_{(1+c)/2, n−1}·s/√n. Exact (zero width) when every
/// difference is the same; unbounded with a single pair. Non-finite differences are left out.
public struct PairedDifference: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    public let lower: Double
    public let upper: Double

    public init(_ differences: [Double], confidence: Double = TolerancePolicy.confidence) throws {
        let finite = differences.filter(\.isFinite)
        count = finite.count
        guard count > 0 else { mean = .nan; lower = -.infinity; upper = .infinity; return }
        let n = Double(count)
        let mean = finite.reduce(0, +) / n
        self.mean = mean
        guard count > 1 else { lower = -.infinity; upper = .infinity; return }
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let half = variance > 0 ? try GSL.studentTQuantile(0.5 + confidence / 2, degreesOfFreedom: n - 1) * (variance / n).squareRoot() : 0
        lower = mean - half
        upper = mean + half
    }

    private init(count: Int, mean: Double, lower: Double, upper: Double) {
        self.count = count
        self.mean = mean
        self.lower = lower
        self.upper = upper
    }

    /// The minimum detectable effect of paired differences like `differences` (docs/theory.md
    /// §9d): the true mean that a two-sided interval at `confidence` excludes 0 with probability
    /// `power`, from their spread, (t_{(1+c)/2, n−1} + t_{power, n−1})·s/√n (the normal-theory
    /// approximation to the non-central t). Infinite with fewer than two finite differences; 0
    /// when they are all equal.
    package static func minimumDetectableEffect(_ differences: [Double], confidence: Double = TolerancePolicy.confidence,
                                               power: Double = 0.8) throws -> Double {
        let finite = differences.filter(\.isFinite)
        guard finite.count > 1 else { return .infinity }
        let n = Double(finite.count), mean = finite.reduce(0, +) / n
        let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let quantiles = try GSL.studentTQuantile(0.5 + confidence / 2, degreesOfFreedom: n - 1) + GSL.studentTQuantile(power, degreesOfFreedom: n - 1)
        return quantiles * (variance / n).squareRoot()
    }

    /// The same interval moved by `offset` (the differences minus a reference value).
    package func shifted(by offset: Double) -> PairedDifference {
        PairedDifference(count: count, mean: mean + offset, lower: lower + offset, upper: upper + offset)
    }

    /// Nothing measured: no seeds, mean NaN, the whole line as interval.
    public static let unmeasured = PairedDifference(count: 0, mean: .nan, lower: -.infinity, upper: .infinity)

    /// −1 when the interval lies below 0, +1 above it, 0 when it covers 0 (or nothing was measured).
    public var sign: Int { upper < 0 ? -1 : lower > 0 ? 1 : 0 }
}

/// The looks at which seeds added to a cell are judged, declared before any is run
/// (docs/theory.md §6f): look k = 1, 2, … is taken at n₀·2^(k−1) seeds and judges the cell by the
/// two-sided Student-t interval of its paired differences at level 1 − α_k, with
///
///     α_k = α · 6 / (π² k²),   Σ_k α_k = α.
///
/// Each look's interval misses the true mean with probability α_k at its fixed number of seeds,
/// so by the union bound the chance that *any* look's interval misses it is at most α, whatever
/// rule decides after each look whether to add seeds or stop (an α-spending schedule with
/// Bonferroni's split). Unlike a confidence sequence built from the range of a difference alone,
/// its width follows the measured spread of the differences.
package struct SeedSchedule: Sendable, Equatable {
    /// Seeds at the first look (the grid's seeds).
    package let initial: Int
    /// The error rate spent over all looks.
    package let alpha: Double

    package init(initial: Int, alpha: Double = 1 - TolerancePolicy.confidence) throws {
        guard initial >= 2 else { throw StatisticsError("an adaptive schedule needs at least 2 seeds at its first look (got \(initial))") }
        guard alpha > 0 && alpha < 1 else { throw StatisticsError("alpha must lie in (0, 1)") }
        self.initial = initial
        self.alpha = alpha
    }

    /// Seeds at look `k` (k ≥ 1): n₀·2^(k−1).
    package func seeds(look k: Int) -> Int { initial << (k - 1) }

    /// The look that `count` seeds complete (nil when `count` is not n₀·2^(k−1) for any k).
    package func look(seeds count: Int) -> Int? {
        var k = 1
        while seeds(look: k) < count && k < 40 { k += 1 }
        return seeds(look: k) == count ? k : nil
    }

    /// The error rate α_k spent at look `k`.
    package func alpha(look k: Int) -> Double { alpha * 6 / (Double.pi * Double.pi * Double(k * k)) }

    /// The interval of `differences` at look `k`: level 1 − α_k.
    package func interval(_ differences: [Double], look k: Int) throws -> PairedDifference {
        try PairedDifference(differences, confidence: 1 - alpha(look: k))
    }
}

/// A statistics input outside its domain (bad input: exit code 2).
public struct StatisticsError: UserFacingError, CustomStringConvertible {
    public let description: String
    package var message: String { description }
    init(_ description: String) { self.description = description }
}
