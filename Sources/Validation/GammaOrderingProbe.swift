import Bounds
import Foundation
import NumericsCore
import TransferModel
import Vocabulary

/// The ordering probe (docs/theory.md §7, `gamma-ordering`): does the theory's Γ(α) order the
/// configurations as the measured phase variable Γ̂ does? Spearman's ρ between Γ(α) and the median
/// transfer Γ̂ over seeds, across the configurations inside the statement's hypotheses (the Judge
/// hands only those over as peers), reported once at the first of them. Its interval is a
/// bootstrap over seeds: 1 000 resamples, each drawing every configuration's seeds with
/// replacement (seeded stream "gamma-ordering", so the interval is reproducible); the bounds are
/// the resamples' quantiles at 1 − confidence and confidence (one-sided, as for error rates).
enum GammaOrderingProbe {
    static let resamples = 1_000

    static func extract(_ configuration: ValidationSuite.Configuration, _ runs: [RunMeasurements],
                        _ peers: [(ValidationSuite.Configuration, [RunMeasurements])]) throws -> [ProbeInstance] {
        guard configuration.label == peers.first?.0.label else { return [] }
        // Per configuration: Γ(α) of the theory in force and the transfer Γ̂ of each seed.
        var columns: [(gamma: Double, measured: [Double])] = []
        for (peer, peerRuns) in peers {
            let env = Environment.theory(configuration: peer.config.numericValues, constants: peer.config.effectiveConstants, task: 2)
            guard let gamma = try? Formula.variable("Gamma").evaluate(in: env).value, gamma.isFinite else { continue }
            let measured = peerRuns.compactMap { $0.phase(.transfer)?.margins?[MeasuredQuantity.gammaHat.id] }.filter(\.isFinite)
            if !measured.isEmpty { columns.append((gamma, measured)) }
        }
        guard columns.count >= 3, let point = rho(columns.map { ($0.gamma, median($0.measured)) }) else { return [] }
        var rng = SeededGenerator(seed: 0, stream: "gamma-ordering")
        var draws: [Double] = []
        for _ in 0..<resamples {
            let resampled = columns.map { column in
                (column.gamma, median((0..<column.measured.count).map { _ in column.measured[Int(rng.next() % UInt64(column.measured.count))] }))
            }
            if let value = rho(resampled) { draws.append(value) }
        }
        draws.sort()
        let lower = quantile(draws, 1 - TolerancePolicy.confidence), upper = quantile(draws, TolerancePolicy.confidence)
        return [ProbeInstance(label: "\(columns.count) configurations inside the hypotheses, seeds resampled \(resamples)×", task: 2,
                              values: [MeasuredQuantity.gammaRankCorrelation.id: Measurement(point: point, lower: lower, upper: upper)],
                              elements: nil)]
    }

    static func rho(_ pairs: [(Double, Double)]) -> Double? {
        RankCorrelation.spearman(pairs.map(\.0), pairs.map(\.1))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted(), n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// The q-quantile of sorted values (nearest rank; −∞/+∞ for an empty list).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return q < 0.5 ? -.infinity : .infinity }
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
