@testable import Bounds
import Foundation
@testable import NumericsCore
@testable import RunStore
@testable import Sweeps
import Testing
@testable import Validation
@testable import Vocabulary

/// The measured negative-transfer region of a phase diagram, its Γ̂ contour and each theory's
/// predicted sign (docs/theory.md §6e), on synthetic stored runs with hand-computed answers.
struct PhaseTransferTests {
    /// Open cells (intervals covering 0) never make a boundary; two decisive cells of opposite sign do.
    @Test func measuredBoundariesNeedDecisiveCellsOnBothSides() throws {
        func interval(_ values: [Double]) throws -> PairedDifference { try PairedDifference(values, confidence: 0.99) }
        let open = try interval([0.01, -0.01, 0.02, -0.02]), up = try interval([0.1, 0.11, 0.1, 0.12])
        let down = try interval([-0.1, -0.12, -0.1, -0.11]), weakDown = try interval([-0.01, 0.005, -0.02, 0.01])
        #expect(PhaseDiagram.decisiveChange(ys: [1, 2, 4], intervals: [open, weakDown, open]) == nil)
        #expect(PhaseDiagram.decisiveChange(ys: [1, 2, 4], intervals: [up, open, up]) == nil)
        // Between the decisive cells at y = 2 (mean 0.1075) and y = 8 (mean −0.1075), the open cell at
        // y = 4 has mean 0.005: the means change sign between 4 and 8, at 4·2^{0.005/0.1125}.
        let openAbove = try interval([0.03, -0.01, 0.02, -0.02])
        #expect(openAbove.sign == 0)
        let y = try #require(PhaseDiagram.decisiveChange(ys: [1, 2, 4, 8], intervals: [open, up, openAbove, down]))
        #expect(abs(y - 4 * pow(2, 0.005 / 0.1125)) < 1e-9)
    }

    @Test func signChangesAreInterpolatedInLogY() throws {
        // 0.1 at y = 2 and −0.1 at y = 4: the zero is halfway in log y, at 2√2.
        let down = try #require(PhaseDiagram.signChange(ys: [1, 2, 4], values: [0.3, 0.1, -0.1]))
        #expect(abs(down - 2 * 2.0.squareRoot()) < 1e-12)
        // Upward too: −0.3 at 1 and +0.1 at 4 cross three quarters of the way in log y, at 4^{3/4}.
        let up = try #require(PhaseDiagram.signChange(ys: [1, 4], values: [-0.3, 0.1]))
        #expect(abs(up - pow(4, 0.75)) < 1e-12)
        #expect(PhaseDiagram.signChange(ys: [1, 2, 4], values: [0.3, 0.2, 0.1]) == nil)
        #expect(PhaseDiagram.signChange(ys: [1, 2, 4], values: [.nan, 0.2, .nan]) == nil)
    }

    /// Against NumPy: `np.polyfit(log x, log y, 1, cov=True)` gives slope 0.24044552139812853 and
    /// standard error 0.0074970… , times t_{0.975, 2} = 4.302652729911275 (tables) is 0.03225735387643933.
    @Test func exponentFitMatchesAnOrdinaryLeastSquaresReference() throws {
        let noise = [0.05, -0.03, 0.02, -0.04]
        let points = zip([1e3, 1e4, 1e5, 1e6], noise).map { x, e in (x, 2 * pow(x, 0.25) * exp(e)) }
        let fit = try #require(PhaseDiagram.exponentFit(points))
        #expect(abs(fit.slope - 0.24044552139812853) < 1e-12)
        #expect(abs(try #require(fit.halfWidth) - 0.03225735387643933) < 1e-9)
        #expect(fit.points == 4)
        #expect(PhaseDiagram.exponentFit(Array(points.prefix(2)))?.halfWidth == nil)  // no residual degrees of freedom
    }

    /// Four cells with chosen per-seed differences; the predicted signs against Γ(α) and Γ(0)
    /// written out by hand from the formulas of proofs/theory.yaml (docs/theory.md §6).
    @Test func measuredSignsAndTheoryAgreement() throws {
        let xs = [1e6, 1e7], ys = [1.0, 30.0]
        // differences[cell] per seed (transfer − scratch test error); cells (y index, x index).
        let differences: [[Double]] = [[0.05, 0.06, 0.07, 0.05], [0.05, -0.05, 0.01, -0.01],
                                       [-0.05, -0.04, -0.06, -0.05], [-0.02, -0.03, -0.02, -0.025]]
        // Γ̂(α)/Γ̂(0): 0.5 at ‖u‖ = 1 and 2 at ‖u‖ = 30 in the first column; above 1 everywhere in the second.
        let ratios: [Double] = [0.5, 1.5, 2, 3]
        let N1 = 100.0, N2 = 10.0, v1 = 10.0, v2 = 10.0, alpha = 0.5
        var runs: [StoredRun] = []
        for (cell, (i, j)) in [(0, 0), (0, 1), (1, 0), (1, 1)].enumerated() {
            for (seed, difference) in differences[cell].enumerated() {
                let config: [String: ConfigValue] = [
                    "d": .number(xs[j]), "u_norm": .number(ys[i]), "p": .number(0), "alpha": .number(alpha), "N1": .number(N1),
                    "N2": .number(N2), "v1_norm": .number(v1), "v2_norm": .number(v2), "sigma_p1": .number(1), "sigma_p2": .number(1),
                    "seed": .number(Double(seed))]
                runs.append(StoredRun(key: "\(cell)-\(seed)", cellKey: "\(cell)", seed: UInt64(seed), config: config, gridValues: [:],
                                      engines: [:], seconds: 0,
                                      metrics: ["transfer": ["test_error": 0.2 + difference, "Gamma_hat": ratios[cell]],
                                                "scratch": ["test_error": 0.2, "Gamma_hat": 1]]))
            }
        }
        let diagram = try PhaseDiagram(runs: runs, x: "d", y: "u_norm")
        let intervals = try diagram.differenceIntervals()
        #expect(intervals.map { $0.map(\.sign) } == [[1, 0], [-1, -1]])
        // The first cell by hand: mean 0.0575, s = 0.0095742710775633…, t_{0.995, 3} = 5.840909309733.
        let values = differences[0], mean = values.reduce(0, +) / 4
        let s = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        #expect(abs(intervals[0][0].lower - (mean - 5.840909309733 * s / 2)) < 1e-9)

        // Γ(α) = (αA_u + (1−α)A_2)² / (α²B_1 + (1−α)²B_2), Γ(0) = A_2²/B_2, with σ_p = 1:
        // A_u = N₁u²/d, B_1 = (N₁/d)(1 + N₁v₁²/d), A_2 = N₂(u² + v₂²)/d, B_2 = N₂/d.
        func predictedSign(d: Double, u: Double) -> Int {
            let au = N1 * u * u / d, b1 = N1 / d * (1 + N1 * v1 * v1 / d), a2 = N2 * (u * u + v2 * v2) / d, b2 = N2 / d
            let g = pow(alpha * au + (1 - alpha) * a2, 2) / (alpha * alpha * b1 + (1 - alpha) * (1 - alpha) * b2), g0 = a2 * a2 / b2
            return g < g0 ? 1 : g > g0 ? -1 : 0
        }
        let prediction = diagram.prediction(.init(name: "shipped", theory: Theory.standard), measured: intervals)
        var decisive = 0, agreeing = 0
        for i in 0..<2 {
            for j in 0..<2 {
                let expected = predictedSign(d: xs[j], u: ys[i])
                #expect(prediction.signs[i][j] == expected, "cell d = \(xs[j]), u = \(ys[i])")
                if intervals[i][j].sign != 0 { decisive += 1; if intervals[i][j].sign == expected { agreeing += 1 } }
            }
        }
        #expect(prediction.decisive == decisive && prediction.agreeing == agreeing && decisive == 3)

        // Γ̂ contour: log ratio −log 2 at u = 1, +log 2 at u = 30 (every seed alike, so both intervals
        // are decisive) in the first column: √30; none in the second, where the ratio stays above 1.
        let contour = diagram.measuredBoundary(try diagram.gammaHatIntervals())
        #expect(contour.count == 1 && contour[0].0 == 1e6 && abs(contour[0].1 - 30.0.squareRoot()) < 1e-9)
        // The mean difference changes sign in both columns, but only the first passes from a decisive
        // cell to a decisive one of the other sign; halfway in the means (0.0575 → −0.05) in log y.
        let crossings = diagram.measuredBoundary(intervals)
        let t = 0.0575 / (0.0575 + 0.05)
        #expect(crossings.count == 1 && crossings[0].0 == 1e6 && abs(crossings[0].1 - exp(t * log(30))) < 1e-9)

        let files = try diagram.render(theories: [.init(name: "shipped", theory: Theory.standard)])
        #expect(files["negative_transfer.svg"]!.contains("negative transfer") && files["negative_transfer.svg"]!.contains("shipped: Γ(α) = Γ(0)"))
        #expect(files["gamma_hat_ratio.svg"]?.hasPrefix("<svg") == true)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(files["summary.json"]!.utf8)) as? [String: Any])
        let theories = try #require(summary["theories"] as? [[String: Any]])
        #expect(theories.first?["decisive"] as? Int == decisive && theories.first?["agreeing"] as? Int == agreeing)
    }

    /// Disputed cells, the per-file agreement on the decisive ones, and the pairwise wins, on a
    /// 2 × 2 grid worked by hand (docs/theory.md §6g).
    @Test func scoreboardCountsDisputedCellsByHand() throws {
        func interval(_ values: [Double]) throws -> PairedDifference { try PairedDifference(values, confidence: 0.99) }
        let hurts = try interval([0.10, 0.11, 0.12, 0.10]), helps = try interval([-0.10, -0.12, -0.11, -0.10])
        let open = try interval([0.01, -0.01, 0.02, -0.02])
        #expect(hurts.sign == 1 && helps.sign == -1 && open.sign == 0)
        // Rows are y, columns x; +1 = negative transfer predicted; nil or 0 = no side.
        func prediction(_ name: String, _ signs: [[Int?]]) -> PhaseDiagram.TheoryPrediction {
            .init(name: name, boundary: [], boundarySlope: nil, signs: signs, decisive: 0, agreeing: 0, predicted: 0)
        }
        let a = prediction("a", [[1, 1], [-1, nil]]), b = prediction("b", [[1, -1], [1, -1]]), c = prediction("c", [[1, -1], [0, -1]])
        let board = PhaseScoreboard(predictions: [a, b, c], measured: [[hurts, helps], [open, hurts]])
        // (0,0): all say hurts, not disputed. (0,1): a hurts, b and c help — disputed, decisive, helps.
        // (1,0): a helps, b hurts, c no side — disputed, open. (1,1): a no side, b and c help — not disputed.
        #expect(board.cells.map { [$0.row, $0.column] } == [[0, 1], [1, 0]])
        #expect(board.cells.map(\.isDecisive) == [true, false])
        #expect(board.entries.map(\.decisiveDisputed) == [1, 1, 1])
        #expect(board.entries.map(\.agreeingDisputed) == [0, 1, 1])
        let pairs = board.pairs.map { [$0.disputed, $0.decisive, $0.firstWins, $0.secondWins] }
        #expect(pairs == [[2, 1, 0, 1], [1, 1, 0, 1], [0, 0, 0, 0]])   // a–b, a–c, b–c
    }
}

/// The phase page's reading of the benign-boundary exponent: whether the prediction lies inside
/// the fitted interval, worked by hand on both sides of it.
struct SlopeAgreementTests {
    static func fit(mean: Double, half: Double, curve: Double?) -> PhaseDiagram.SlopeFit {
        PhaseDiagram.SlopeFit(perSeed: [:], mean: mean, halfWidth: half, pooled: nil, predictedCurveSlope: curve,
                              theoryExponent: 0.25, impliedC1: nil)
    }

    @Test func aPredictionOutsideTheIntervalIsADisagreement() throws {
        // 0.257 ± 0.003 is [0.254, 0.260]: 0.25 and 0.253 lie below it.
        let text = try #require(Self.fit(mean: 0.257, half: 0.003, curve: 0.253).agreementText)
        #expect(text.contains("+0.25 lies below this interval (disagreement at 95 %)"), "\(text)")
        #expect(text.contains("0.253, lies below it"), "\(text)")
        #expect(PhaseDiagram.slopeText(Self.fit(mean: 0.257, half: 0.003, curve: 0.253)).contains("disagreement"))
    }

    @Test func aPredictionInsideTheIntervalIsAnAgreement() throws {
        // 0.322 ± 0.012 is [0.310, 0.334] (the finite-size grid): 0.25 lies below; 0.26 ± 0.02 holds it.
        #expect(try #require(Self.fit(mean: 0.322, half: 0.012, curve: nil).agreementText).contains("below this interval"))
        let inside = try #require(Self.fit(mean: 0.26, half: 0.02, curve: 0.30).agreementText)
        #expect(inside.contains("inside this interval (agreement)") && inside.contains("0.300, lies above it"), "\(inside)")
        #expect(PhaseDiagram.SlopeFit(perSeed: [:], mean: 0.3, halfWidth: nil, pooled: nil, predictedCurveSlope: nil,
                                      theoryExponent: 0.25, impliedC1: nil).agreementText == nil)
    }
}
