import Foundation
import Testing
@testable import NumericsCore

/// The α-spending schedule keeps its error rate under optional stopping; the 99 % t-interval
/// judged at the same looks does not (which shows the simulation can fail).
@Suite struct SeedScheduleTests {
    /// How often a cell whose true difference is 0 is declared decisive: each repetition starts
    /// with 8 seeds, looks at 8, 16, 32, 64 and 128, and stops at the first look whose interval
    /// excludes 0 — every such stop is a false decision. `draw` gives one paired difference.
    static func falseDecisiveRate(repetitions: Int, stream: String, draw: (inout SeededGenerator) -> Double,
                                  interval: ([Double], Int) throws -> PairedDifference) rethrows -> Double {
        var rng = SeededGenerator(seed: 2026, stream: stream)
        var stops = 0
        for _ in 0..<repetitions {
            var differences: [Double] = []
            for look in 1...5 {
                while differences.count < 8 << (look - 1) { differences.append(draw(&rng)) }
                if try interval(differences, look).sign != 0 { stops += 1; break }
            }
        }
        return Double(stops) / Double(repetitions)
    }

    /// 20 000 repetitions for each of two laws with mean exactly 0: normal differences (sd 0.01,
    /// the spread of test-error differences in the phase grids) and the difference of two
    /// independent Bernoulli(0.3) errors (values −1, 0, 1: far from normal at 8 seeds). The
    /// schedule's guarantee is ≤ Σ_{k≤5} α_k = 0.89 % at α = 1 %; the check is the guarantee
    /// itself (≤ 1 %), on a fixed random stream. The plain 99 % interval at the same looks goes
    /// above 1 %.
    @Test func optionalStoppingKeepsTheErrorRate() throws {
        let schedule = try SeedSchedule(initial: 8, alpha: 0.01)
        let laws: [(String, (inout SeededGenerator) -> Double)] = [
            ("normal", { 0.01 * $0.gaussian() }),
            ("bernoulli", { rng in (rng.uniform() < 0.3 ? 1.0 : 0.0) - (rng.uniform() < 0.3 ? 1.0 : 0.0) }),
        ]
        for (name, draw) in laws {
            let spending = try Self.falseDecisiveRate(repetitions: 20_000, stream: name, draw: draw) { try schedule.interval($0, look: $1) }
            let peeking = try Self.falseDecisiveRate(repetitions: 20_000, stream: name, draw: draw) { d, _ in try PairedDifference(d, confidence: 0.99) }
            print("optional stopping (\(name), 20 000 repetitions, looks at 8…128 seeds): schedule \(spending), 99 % t at every look \(peeking)")
            #expect(spending <= 0.01, "\(name): schedule \(spending)")
            #expect(peeking > 0.01, "\(name): peeking \(peeking)")
        }
    }

    /// Looks, seeds and the spent rates by hand: α_k = 0.01·6/(π²k²) sums to 0.01.
    @Test func looksAndRates() throws {
        let schedule = try SeedSchedule(initial: 6)
        #expect((1...4).map(schedule.seeds(look:)) == [6, 12, 24, 48])
        #expect(schedule.look(seeds: 24) == 3 && schedule.look(seeds: 6) == 1 && schedule.look(seeds: 7) == nil && schedule.look(seeds: 3) == nil)
        #expect(abs(schedule.alpha(look: 1) / (0.06 / (Double.pi * Double.pi)) - 1) < 1e-15)   // rounding of the two orders of operations
        let total = (1...100_000).reduce(0.0) { $0 + schedule.alpha(look: $1) }
        #expect(abs(total - 0.01) < 1e-6)   // the tail beyond 10⁵ looks is 0.01·6/(π²·10⁵) ≈ 6·10⁻⁸
        // Each look's interval is the t-interval at its own level: wider than the 99 % one.
        let d = [0.01, 0.02, -0.005, 0.015, 0.0, 0.012]
        let plain = try PairedDifference(d, confidence: 0.99), first = try schedule.interval(d, look: 1)
        #expect(first.lower < plain.lower && first.upper > plain.upper && first.mean == plain.mean)
        #expect(throws: StatisticsError.self) { try SeedSchedule(initial: 1) }
        #expect(throws: StatisticsError.self) { try SeedSchedule(initial: 8, alpha: 1) }
    }

    /// The minimum detectable effect against printed t tables: n = 10 differences 0, 1, …, 9
    /// (s = √(82.5/9)), t_{0.995, 9} = 3.249836 and t_{0.80, 9} = 0.883404, so MDE = 3.957276
    /// (table values to 6 decimals, hence the 1e-5 tolerance).
    @Test func minimumDetectableEffectMatchesTables() throws {
        let mde = try PairedDifference.minimumDetectableEffect((0..<10).map(Double.init), confidence: 0.99, power: 0.8)
        #expect(abs(mde - 3.957276) < 1e-5, "\(mde)")
        #expect(try PairedDifference.minimumDetectableEffect([0.3]) == .infinity)
        #expect(try PairedDifference.minimumDetectableEffect([0.3, 0.3, 0.3]) == 0)
    }
}
