import Bounds
import Foundation
import NumericsCore

extension Judge {
    /// Fit the unknown constant `name` of a statement's claim (docs/theory.md §8).
    ///
    /// For every applicable instance, the value c at which the claim's smallest relative
    /// margin (point estimates) crosses zero is found: bracketed on a log-spaced grid over
    /// `TolerancePolicy.constantSearchRange`, refined by Brent's method on log₁₀ c. A
    /// configuration needs the most demanding value over its instances; the fitted constant is
    /// the most demanding value over the calibration configurations, so it is the tightest
    /// constant under which the whole calibration split holds. Instances the claim satisfies
    /// for every c do not constrain it; the held-out configurations' needed values are kept for
    /// the spread.
    func fitConstant(_ name: String, statement: ProofStatement, probe: Probe,
                     prepared: [PreparedConfiguration],
                     others: [String: Double]) throws -> FittedConstant {
        var calibration: [String: Double] = [:], heldOut: [String: Double] = [:]
        var directions: [Bool] = []
        var needed: [String: [Double]] = [:]
        for item in prepared {
            let configuration = item.configuration
            for instance in item.applicable {
                let solution = try solveNeeded { c in
                    var constants = others
                    constants[name] = c
                    return score(statement, probe: probe, configuration: configuration, instance: instance, constants: constants)
                }
                if let (value, largerIsWeaker) = solution {
                    needed[configuration.label, default: []].append(value)
                    directions.append(largerIsWeaker)
                }
            }
        }
        let largerIsWeaker = directions.filter { $0 }.count * 2 >= directions.count
        for configuration in prepared.map(\.configuration) {
            guard let values = needed[configuration.label], !values.isEmpty else { continue }
            let demand = largerIsWeaker ? values.max()! : values.min()!
            if configuration.split == .calibration { calibration[configuration.label] = demand } else { heldOut[configuration.label] = demand }
        }
        let fallback = Environment.theory(configuration: [:], constants: suite.constants).values[name]?.value ?? 1
        let value = calibration.isEmpty ? fallback : (largerIsWeaker ? calibration.values.max()! : calibration.values.min()!)
        return FittedConstant(name: name, value: value, calibration: calibration, heldOut: heldOut, largerIsWeaker: largerIsWeaker)
    }

    /// The claim's smallest relative margin at an instance, from point estimates (nil when it
    /// cannot be evaluated).
    func score(_ statement: ProofStatement, probe: Probe, configuration: ValidationSuite.Configuration,
               instance: ProbeInstance, constants: [String: Double]) -> Double? {
        var worst = Double.infinity
        if let sample = instance.elements {
            let env = environment(configuration.config, task: instance.task, constants: constants, values: [:])
            for claim in statement.claims {
                guard let (bound, left) = try? Self.split(claim, measured: sample.identifier, statement: statement.id),
                      let t = try? bound.evaluate(in: env).value else { return nil }
                let op = left ? claim.op : claim.op.flipped
                for x in sample.values {
                    worst = min(worst, op.margins(x, t).relative)
                }
            }
        } else {
            let env = environment(configuration.config, task: instance.task, constants: constants,
                                  values: instance.values.mapValues(\.point))
            for claim in statement.claims where Self.measures(instance, claim) {
                guard let comparison = try? claim.compare(in: env) else { return nil }
                worst = min(worst, comparison.relativeMargin)
            }
        }
        return worst.isFinite ? worst : nil
    }

    /// The constant at which `score` crosses zero, and whether larger constants satisfy the
    /// claim; nil when the claim holds (or fails) for every constant in the search range.
    func solveNeeded(_ score: (Double) -> Double?) throws -> (Double, Bool)? {
        let (lo, hi) = (log10(TolerancePolicy.constantSearchRange.lower), log10(TolerancePolicy.constantSearchRange.upper))
        let grid = stride(from: lo, through: hi, by: 0.5).map { $0 }
        let values = grid.map { score(pow(10, $0)) }
        guard values.allSatisfy({ $0 != nil }) else { return nil }
        let s = values.map { $0! }
        if s.allSatisfy({ $0 >= 0 }) || s.allSatisfy({ $0 < 0 }) { return nil }
        let largerIsWeaker = s.last! >= 0
        let j: Int
        if largerIsWeaker {
            j = s.lastIndex { $0 < 0 }!            // s[j] < 0 ≤ s[j + 1]
        } else {
            j = s.firstIndex { $0 < 0 }! - 1       // s[j] ≥ 0 > s[j + 1]
            guard j >= 0 else { return nil }
        }
        let root = try GSL.brentRoot(lower: grid[j], upper: grid[j + 1], absoluteTolerance: 1e-10, relativeTolerance: 1e-10) { x in
            score(pow(10, x)) ?? .nan
        }
        return (pow(10, root), largerIsWeaker)
    }
}
