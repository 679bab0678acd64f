import NumericsCore
import Testing
import TransferModel

// The README's "Transfer rules" example, verbatim: a rule written in Swift.

/// Per class, inherit the ⌊αm⌋ upstream filters with the largest norm, each in its own slot.
struct LargestNormTransfer: TransferRule {
    let name = "largest_norm"

    func apply(_ context: TransferContext, using rng: inout SeededGenerator) -> TransferredInitialisation {
        let m = context.upstream.m, k = context.inheritedCount(of: m)
        var rows: [Int: Int] = [:], slots: [[Int]] = [[], []]
        for c in 0..<2 {
            let norms = (0..<m).map { r in context.upstream.weights.row(c * m + r).reduce(0) { $0 + $1 * $1 } }
            slots[c] = (0..<m).sorted { norms[$0] > norms[$1] }.prefix(k).sorted()
            for r in slots[c] { rows[c * m + r] = c * m + r }
        }
        return context.inherit(rows: rows, slots: slots, scale: 1, freeze: false, using: &rng)
    }
}

struct CustomRuleTests {
    /// The rule runs end to end (d = 10⁶, the reduced draw) and inherits, per class, the three
    /// largest-norm upstream filters — checked against the norms of the upstream run's filters.
    @Test func largestNormRuleRunsEndToEnd() async throws {
        var experiment = TransferExperiment(config: try ExperimentConfig.parse(yaml: "d: 1e6\nN1: 40\nN2: 10\nm: 6\nalpha: 0.5\n"))
        experiment.rule = LargestNormTransfer()
        let outcomes = try await experiment.run()
        print(outcomes[1].testScore.error, outcomes[2].testScore.error)

        let upstream = outcomes[0].run.final, inheritance = try #require(outcomes[1].inheritance)
        for c in 0..<2 {
            let norms = (0..<6).map { r in upstream.weights.row(c * 6 + r).map { $0 * $0 }.reduce(0, +) }
            let threshold = norms.sorted(by: >)[2]
            #expect(inheritance.inheritedSlots[c].count == 3)
            #expect(inheritance.inheritedSlots[c].allSatisfy { norms[$0] >= threshold })
            for r in inheritance.inheritedSlots[c] { #expect(outcomes[1].run.initial.weights.row(c * 6 + r) == upstream.weights.row(c * 6 + r)) }
        }
    }
}
