@testable import Bounds
import Foundation
@testable import NumericsCore

/// Tolerance policy of these tests (written down so a failure can be judged):
/// - pure arithmetic against a hand computation: relative 1e-12 (a few dozen roundings of
///   ε ≈ 2.2e-16 each, with a wide safety factor);
/// - special functions (GSL vs an independent libm formula): relative 1e-12 where both are
///   accurate to a few ulps in the range used;
/// - closed form vs root finding: relative 1e-10 (the requirement; Brent stops at
///   relative interval width 1e-14);
/// - finite differences: see DifferentiationTests.
enum Tolerance {
    static let arithmetic = 1e-12
    static let rootFinding = 1e-10
}

/// |a − b| / max(|a|, |b|), 0 when both are 0. Logged on pass and fail by `expectClose`.
func relativeError(_ a: Double, _ b: Double) -> Double {
    let scale = max(abs(a), abs(b))
    return scale == 0 ? 0 : abs(a - b) / scale
}

/// The package root (…/Tests/BoundsTests/TestSupport.swift → …).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Random expressions for property tests; seeded, so failures reproduce.
struct ExpressionGenerator {
    var rng: SeededGenerator
    let variables = ["x", "y", "z"]

    init(seed: UInt64) { rng = SeededGenerator(seed: seed, stream: "bounds-tests") }

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }

    mutating func literal() -> Double {
        pick([0, 1, 2, 3, 10, 0.5, 0.25, 1.5, 2.5e-3, 1e-05, 123456.75, 3e20])
    }

    /// Any expression of the language (for print/parse round trips).
    mutating func any(depth: Int) -> Formula {
        if depth == 0 || rng.uniform() < 0.25 {
            return rng.uniform() < 0.5 ? .number(literal()) : .variable(pick(variables))
        }
        switch rng.next() % 4 {
        case 0: return .negate(any(depth: depth - 1))
        case 1, 2: return .binary(pick(BinaryOperator.allCases), any(depth: depth - 1), any(depth: depth - 1))
        default:
            let f = pick(BoundsFunction.allCases)
            let n = f.arity.upperBound > 1 ? 2 + Int(rng.next() % 2) : 1
            return .call(f, (0..<n).map { _ in any(depth: depth - 1) })
        }
    }

    /// A smooth expression that is positive and finite for x, y, z in [0.5, 2].
    mutating func positive(depth: Int) -> Formula {
        if depth == 0 || rng.uniform() < 0.2 {
            return rng.uniform() < 0.6 ? .variable(pick(variables)) : .number(pick([0.5, 1, 2, 3, 1.5]))
        }
        let a = positive(depth: depth - 1)
        switch rng.next() % 9 {
        case 0: return a + positive(depth: depth - 1)
        case 1: return a * positive(depth: depth - 1)
        case 2: return a / positive(depth: depth - 1)
        case 3: return a.power(.number(pick([-2, -1, 0.5, 2, 3])))
        case 4: return .call(.sqrt, [a])
        case 5: return .call(.log, [.number(1) + a])
        case 6: return .call(.exp, [a / (.number(1) + a)])
        case 7: return .call(pick([.Q, .Phi, .erfc]), [a / (.number(1) + a)])
        default: return .call(.lambertW0, [a])
        }
    }

    /// Values for x, y, z in [0.5, 2].
    mutating func point() -> [String: Double] {
        Dictionary(uniqueKeysWithValues: variables.map { ($0, 0.5 + 1.5 * rng.uniform()) })
    }
}
