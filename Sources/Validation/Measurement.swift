import Foundation
import NumericsCore

/// A measured value: a point estimate and an interval that holds it with
/// `TolerancePolicy.confidence` (degenerate for exact measurements).
public struct Measurement: Sendable, Codable, Equatable {
    public var point: Double
    public var lower: Double
    public var upper: Double

    public init(point: Double, lower: Double, upper: Double) {
        self.point = point
        self.lower = lower
        self.upper = upper
    }

    /// An exact (deterministic) measurement.
    public static func exact(_ x: Double) -> Measurement { Measurement(point: x, lower: x, upper: x) }

    /// A proportion k/n with one-sided Clopper–Pearson bounds at `TolerancePolicy.confidence`.
    static func proportion(_ k: Int, of n: Int) throws -> Measurement {
        Measurement(point: Double(k) / Double(n),
                    lower: try BinomialBound.lower(k, n, confidence: TolerancePolicy.confidence),
                    upper: try BinomialBound.upper(k, n, confidence: TolerancePolicy.confidence))
    }

    var isExact: Bool { lower == upper }
}

/// The exact law of one random element of a concentration lemma (docs/theory.md §7), used to
/// compute the probability that it violates a threshold.
package enum ElementLaw: Sendable, Codable, Equatable {
    /// X = scale · χ²(k).
    case scaledChiSquared(scale: Double, degreesOfFreedom: Double)
    /// X = |Z| with Z ~ N(0, sd²).
    case absoluteNormal(standardDeviation: Double)

    /// P(X > t).
    func upperTail(_ t: Double) throws -> Double {
        switch self {
        case let .scaledChiSquared(scale, k):
            return try GSL.chiSquaredUpperTail(max(t / scale, 0), degreesOfFreedom: k)
        case let .absoluteNormal(sd):
            return t <= 0 ? 1 : 2 * (try GSL.normalTail(t / sd).value)
        }
    }

    /// P(X < t).
    func lowerTail(_ t: Double) throws -> Double {
        switch self {
        case let .scaledChiSquared(scale, k):
            return try GSL.chiSquaredCDF(max(t / scale, 0), degreesOfFreedom: k)
        case let .absoluteNormal(sd):
            return t <= 0 ? 0 : 1 - 2 * (try GSL.normalTail(t / sd).value)
        }
    }
}
