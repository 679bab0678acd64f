import Foundation
@testable import Platform
@testable import RunStore
@testable import Sweeps
import Testing
@testable import TransferModel
@testable import Vocabulary

/// Per-cell regime placement (`regime:` in a grid): η, η₂ and σ₀ at 1/margin of the bounds of
/// cond_step and cond_init at C, T from the noise clock; cells other conditions exclude are
/// reported and skipped.
struct RegimePlacementTests {
    static let grid = """
    base: {N1: 50, N2: 20, m: 24, u_norm: 10, v1_norm: 10, v2_norm: 10, sampler: gram, n_test: 100}
    grid:
      d: [1000000, 100000000]
      p: [0, 0.4]
    seeds: [0]
    regime: {C: 3, margin: 2, clock: 3000}
    """

    /// The placed values against the conditions of docs/theory.md §6 written out by hand here
    /// (σ_p = 1, δ = 0.05): η_k = [C·max(d^1.5/(n_k²·m·√log(n_k/δ)), d/n_k)]⁻¹/2,
    /// σ₀ = min_k [C·max(d/√n_k, √log(m/δ)·‖μ_k‖)]⁻¹/2, T_k = ⌈clock/(η_k·d)⌉.
    @Test func placesAtTheBoundsOverTheMargin() throws {
        let grid = try SweepGrid.parse(yaml: Self.grid)
        // Cells in order: (1e6, 0), (1e6, 0.4), (1e8, 0), (1e8, 0.4).
        let config = try grid.job(at: 2).config
        let (C, d, m, delta, mu) = (3.0, 1e8, 24.0, 0.05, (200.0).squareRoot())
        func eta(_ n: Double) -> Double { 1 / (C * max(pow(d, 1.5) / (n * n * m * log(n / delta).squareRoot()), d / n)) / 2 }
        func sigma0(_ n: Double) -> Double { 1 / (C * max(d / n.squareRoot(), log(m / delta).squareRoot() * mu)) / 2 }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * abs(b) }
        #expect(close(config.eta, eta(50)) && close(config.downstreamEta, eta(20)), "\(config.eta) \(config.downstreamEta)")
        #expect(close(config.sigma0, min(sigma0(50), sigma0(20))), "\(config.sigma0)")
        #expect(config.T1 == Int((3000 / (eta(50) * d)).rounded(.up)) && config.T2 == Int((3000 / (eta(20) * d)).rounded(.up)))
        #expect(config.constants["C"] == 3 && config.record_every == max(1, max(config.T1, config.T2) / 100))
    }

    /// d = 10⁶ is too small for cond_dimension at C = 3 and p = 0.4 breaks p ≤ 1/C: those cells
    /// are reported with the failing conditions and skipped; the sweep runs the one left.
    @Test func reportsAndSkipsCellsItCannotPlace() async throws {
        let grid = try SweepGrid.parse(yaml: Self.grid)
        let unplaced = Dictionary(uniqueKeysWithValues: grid.unplacedCells.map { ($0.label, $0.reason) })
        #expect(Set(unplaced.keys) == ["d=1000000,p=0", "d=1000000,p=0.4", "d=100000000,p=0.4"])
        #expect(unplaced["d=1000000,p=0"]?.contains("cond_dimension_1") == true)
        #expect(unplaced["d=100000000,p=0.4"]?.contains("cond_label_noise_1") == true)
        #expect(grid.placedRunCount == 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("regime-\(UUID().uuidString).sqlite")
        let outcome = try await SweepRunner(grid: grid, store: try SweepStore(url: url), workers: 1).run()
        #expect(outcome.ran == 1 && outcome.skipped == 0)
        let stored = try #require(try SweepStore(url: url).runs().first)
        let placed = try grid.job(at: 2).config
        #expect(stored.number("d") == 1e8 && stored.number("T1") == Double(placed.T1))
    }

    @Test(arguments: [("clock: 3000", "clock: 0", "regime.clock"), ("margin: 2", "margin: 0.5", "regime.margin"),
                      ("C: 3", "C: -1", "regime.C"), ("C: 3,", "D: 3,", "regime.D"), ("{C: 3, margin: 2, clock: 3000}", "{C: 3}", "regime.clock")])
    func refusesBadRegimes(original: String, replacement: String, field: String) {
        do {
            _ = try SweepGrid.parse(yaml: Self.grid.replacingOccurrences(of: original, with: replacement))
            Issue.record("accepted \(replacement)")
        } catch let error as ConfigError {
            #expect(error.field == field, "\(error)")
        } catch { Issue.record("\(error)") }
    }

    /// A phase diagram accepts what placement varies from cell to cell (η, T, …) and still
    /// refuses a store whose runs differ in anything else.
    @Test func phaseDiagramOfAPlacedGrid() async throws {
        let yaml = Self.grid.replacingOccurrences(of: "d: [1000000, 100000000]", with: "d: [100000000, 200000000]")
            .replacingOccurrences(of: "p: [0, 0.4]", with: "u_norm: [10, 12]")
        let grid = try SweepGrid.parse(yaml: yaml)
        #expect(grid.unplaced.isEmpty)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("regime-phase-\(UUID().uuidString).sqlite")
        _ = try await SweepRunner(grid: grid, store: try SweepStore(url: url), workers: 2).run()
        let runs = try SweepStore(url: url).runs()
        #expect(Set(runs.compactMap { $0.number("T2") }).count == 2)  // placement varies T with d
        let diagram = try PhaseDiagram(runs: runs, x: "d", y: "u_norm")
        #expect(diagram.xs == [1e8, 2e8] && diagram.ys == [10, 12])
        #expect(throws: ConfigError.self) { try PhaseDiagram(runs: runs, x: "d", y: "sigma0") }
    }
}
