import Foundation
import RunStore
import Sweeps
import TransferModel

/// The sweep throughput that `ptv bench --sweep` reports (README "ptv bench"): a grid of 400
/// small in-regime-sized runs — N₁ = 20, N₂ = 10, m = 10, T₁ = T₂ = 300, d = 2 000, the exact
/// reduced draw (`sampler: gram`, so K ≈ 31 vectors) — run through ``SweepRunner`` into a fresh
/// store, timed as a whole: set-up, training, scoring and store writes.
///
/// Next to it, the compute-only bound: runs/s if nothing but training cost time, from the
/// training seconds each run records (`PhaseOutcome`'s `seconds`, summed over its three phases):
/// workers × runs / Σ training seconds.
package enum SweepThroughput {
    package static let gridYAML = """
        base: {N1: 20, N2: 10, m: 10, T1: 300, T2: 300, d: 2000, sampler: gram}
        grid:
          u_norm: [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5]
        seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
        """

    /// What the grid is, for the printed heading.
    package static let summary = "400 runs (N1=20 N2=10 m=10 T1=T2=300 d=2000 sampler=gram)"

    package struct Measurement: Sendable {
        package let runs: Int
        package let seconds: Double
        package let trainingSeconds: Double
        package let workers: Int
        package var runsPerSecond: Double { Double(runs) / seconds }
        /// workers × runs / Σ training seconds.
        package var computeBound: Double { Double(workers * runs) / trainingSeconds }
    }

    /// One timed sweep of `grid` (default: the grid above) on `workers` workers, into a store
    /// under `folder` (removed after).
    package static func measure(_ grid: SweepGrid? = nil, workers: Int, folder: URL) async throws -> Measurement {
        let grid = try grid ?? SweepGrid.parse(yaml: gridYAML)
        let url = folder.appendingPathComponent("throughput-\(UUID().uuidString).sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) } }
        let store = try SweepStore(url: url)
        let clock = ContinuousClock(), start = clock.now
        let outcome = try await SweepRunner(grid: grid, store: store, workers: workers).run()
        let elapsed = start.duration(to: clock.now)
        let training = try store.runs().reduce(0.0) { total, run in
            total + Phase.allCases.reduce(0) { $0 + (run.metric($1, "seconds") ?? 0) }
        }
        return Measurement(runs: outcome.ran, seconds: elapsed.inSeconds,
                           trainingSeconds: training, workers: workers)
    }
}
