import Foundation
import NumericsCore
import Platform
import TransferModel
import Vocabulary

/// The monotonicity corollary's probe (docs/theory.md §7, `corollary-monotone`): within a family
/// of suite configurations that differ only in one key K ∈ {α, N₁, ‖u‖, σ_{p,1}}, the slope of
/// the transfer test error against K, fitted by least squares per seed; the measurement is the
/// mean slope with a two-sided Student-t interval at `TolerancePolicy.confidence` over seeds.
/// Each family is reported at the configuration with the smallest K value.
enum MonotonicityProbe {
    /// (key, measured identifier).
    static let keys = [(ConfigKey.alpha.rawValue, MeasuredQuantity.errorSlopeAlpha.id), (ConfigKey.N1.rawValue, MeasuredQuantity.errorSlopeN1.id),
                       (ConfigKey.u_norm.rawValue, MeasuredQuantity.errorSlopeUNorm.id), (ConfigKey.sigma_p1.rawValue, MeasuredQuantity.errorSlopeSigmaP1.id)]

    static func value(_ config: ExperimentConfig, _ key: String) -> Double {
        config.numericValues[key]!
    }

    /// Everything about a config except `key` and the seed, as a comparable string.
    static func signature(_ config: ExperimentConfig, excluding key: String) -> String {
        var object = config.jsonObject
        object[key] = nil
        object["seed"] = nil
        return JSONValue.object(object).canonicalText
    }

    static func extract(_ configuration: ValidationSuite.Configuration, _ runs: [RunMeasurements],
                        _ all: [(ValidationSuite.Configuration, [RunMeasurements])]) throws -> [ProbeInstance] {
        var instances: [ProbeInstance] = []
        for (key, identifier) in keys {
            let mine = signature(configuration.config, excluding: key)
            let family = all.filter { signature($0.0.config, excluding: key) == mine }
            let xs = Set(family.map { value($0.0.config, key) })
            guard xs.count >= 2, value(configuration.config, key) == xs.min()! else { continue }
            // Per seed: least-squares slope of the transfer test error against the key.
            let seeds = Set(family.flatMap { $0.1.map(\.seed) }).sorted()
            var slopes: [Double] = []
            for seed in seeds {
                let points = family.compactMap { member -> (Double, Double)? in
                    guard let phase = member.1.first(where: { $0.seed == seed })?.phase(.transfer) else { return nil }
                    return (value(member.0.config, key), phase.testError)
                }
                if Set(points.map(\.0)).count >= 2 { slopes.append(leastSquaresSlope(points)) }
            }
            guard !slopes.isEmpty else { continue }
            let mean = slopes.reduce(0, +) / Double(slopes.count)
            var measurement = Measurement(point: mean, lower: -.infinity, upper: .infinity)
            if slopes.count >= 2 {
                let variance = slopes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(slopes.count - 1)
                let t = try GSL.studentTQuantile(0.5 + TolerancePolicy.confidence / 2, degreesOfFreedom: Double(slopes.count - 1))
                let half = t * (variance / Double(slopes.count)).squareRoot()
                measurement = Measurement(point: mean, lower: mean - half, upper: mean + half)
            }
            let members = family.map(\.0.label).joined(separator: ", ")
            let values = xs.sorted().map { String(format: "%g", $0) }.joined(separator: ", ")
            instances.append(ProbeInstance(label: "\(key) ∈ {\(values)} over [\(members)], \(slopes.count) seeds",
                                           task: 2, values: [identifier: measurement], elements: nil))
        }
        return instances
    }

    /// The configurations whose runs the instances at `configuration` compare: every family it
    /// heads (it has the smallest value of the family's key), itself included.
    static func family(_ configuration: ValidationSuite.Configuration, _ all: [ValidationSuite.Configuration]) -> [String] {
        var labels = [configuration.label]
        for (key, _) in keys {
            let mine = signature(configuration.config, excluding: key)
            let members = all.filter { signature($0.config, excluding: key) == mine }
            let xs = Set(members.map { value($0.config, key) })
            guard xs.count >= 2, value(configuration.config, key) == xs.min()! else { continue }
            labels += members.map(\.label).filter { !labels.contains($0) }
        }
        return labels
    }

    static func leastSquaresSlope(_ points: [(Double, Double)]) -> Double {
        let n = Double(points.count)
        let mx = points.reduce(0) { $0 + $1.0 } / n, my = points.reduce(0) { $0 + $1.1 } / n
        let sxy = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        return sxy / sxx
    }
}
