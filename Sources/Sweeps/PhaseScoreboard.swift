import Foundation
import NumericsCore

/// Where the theory files disagree, and who is right there (docs/theory.md §6g).
///
/// A cell is *disputed* when two theory files predict different signs of transfer − scratch test
/// error at its configuration (a file predicting no sign, or Γ(α) = Γ(0) exactly, takes no side).
/// It is *decisive* when its measured interval (``PhaseDiagram/cellConfidence``) excludes 0, and
/// *open* otherwise. Agreement on decisive cells where every file predicts the same sign does not
/// tell the files apart; agreement on decisive disputed cells is the number that tests them.
package struct PhaseScoreboard: Sendable {
    /// One theory file's score.
    package struct Entry: Sendable {
        package let name: String
        /// Decisive cells where it predicts a sign, and those where the signs match.
        package let decisive: Int
        package let agreeing: Int
        /// The same, over the disputed cells only.
        package let decisiveDisputed: Int
        package let agreeingDisputed: Int
    }

    /// Two files against each other.
    package struct Pair: Sendable {
        package let first: String
        package let second: String
        /// Cells where the two predict opposite signs; of those, the decisive ones and the wins of each.
        package let disputed: Int
        package let decisive: Int
        package let firstWins: Int
        package let secondWins: Int
    }

    /// A disputed cell: its grid position, each file's predicted sign (+1: negative transfer,
    /// −1: transfer helps; nil: no side) and the measured interval.
    package struct DisputedCell: Sendable {
        package let row: Int
        package let column: Int
        package let signs: [Int?]
        package let measured: PairedDifference

        package var isDecisive: Bool { measured.count > 1 && measured.sign != 0 }
    }

    package let entries: [Entry]
    package let pairs: [Pair]
    package let cells: [DisputedCell]

    /// The scoreboard of `predictions` against the measured intervals.
    package init(predictions: [PhaseDiagram.TheoryPrediction], measured: [[PairedDifference]]) {
        // Predictions and intervals share the grid: rows are y values, columns x values.
        func side(_ p: PhaseDiagram.TheoryPrediction, _ i: Int, _ j: Int) -> Int? { p.signs[i][j].flatMap { $0 == 0 ? nil : $0 } }
        var cells: [DisputedCell] = []
        for i in measured.indices {
            for j in measured[i].indices {
                let signs = predictions.map { side($0, i, j) }
                if Set(signs.compactMap { $0 }).count > 1 { cells.append(DisputedCell(row: i, column: j, signs: signs, measured: measured[i][j])) }
            }
        }
        let decisiveCells = cells.filter(\.isDecisive)
        entries = predictions.enumerated().map { k, p in
            let judged = decisiveCells.filter { $0.signs[k] != nil }
            return Entry(name: p.name, decisive: p.decisive, agreeing: p.agreeing, decisiveDisputed: judged.count,
                         agreeingDisputed: judged.filter { $0.signs[k] == $0.measured.sign }.count)
        }
        var pairs: [Pair] = []
        for a in predictions.indices {
            for b in predictions.indices where b > a {
                let opposed = cells.filter { $0.signs[a] != nil && $0.signs[b] != nil && $0.signs[a] != $0.signs[b] }
                let decisive = opposed.filter(\.isDecisive)
                pairs.append(Pair(first: predictions[a].name, second: predictions[b].name, disputed: opposed.count, decisive: decisive.count,
                                  firstWins: decisive.filter { $0.signs[a] == $0.measured.sign }.count,
                                  secondWins: decisive.filter { $0.signs[b] == $0.measured.sign }.count))
            }
        }
        self.pairs = pairs
        self.cells = cells
    }
}

extension PhaseScoreboard.Entry {
    /// "k of n" with the percentage, or "none" without a decisive cell.
    static func fraction(_ k: Int, _ n: Int) -> String { n > 0 ? String(format: "%d of %d (%.0f %%)", k, n, 100 * Double(k) / Double(n)) : "none" }

    package var decisiveText: String { Self.fraction(agreeing, decisive) }
    package var disputedText: String { Self.fraction(agreeingDisputed, decisiveDisputed) }
}
