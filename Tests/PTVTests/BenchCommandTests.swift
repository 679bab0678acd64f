import Foundation
import Testing

/// `ptv bench` end to end on a small config: every section runs with several repeats (each
/// repeat of `ptv train` replaces the previous one's folder) and prints its ratio.
struct BenchCommandTests {
    @Test func everySectionRunsWithRepeats() throws {
        let dir = CLI.temporaryDirectory("bench")
        try CLI.write(TrainCommandTests.smallConfig, to: dir.appendingPathComponent("c.yaml"))
        let result = try CLI.run(["bench", "--config", dir.appendingPathComponent("c.yaml").path, "--repeats", "2", "--no-reference", "--deep-models", "default"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ratio weights / coefficients"), "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "ratio child task / worker").count == 4, "\(result.stdout)")
        #expect(result.stdout.contains("ratio d = 10⁹"), "\(result.stdout)")
        // The deep network against PyTorch (or a note that torch is missing).
        #expect(result.stdout.contains("default   ptv") && (result.stdout.contains("ratio ptv / PyTorch") || result.stdout.contains("not importable")), "\(result.stdout)")
    }

    /// `--sweep --grid` times the given grid: its placed runs, runs/s and the bound, each repeat.
    /// `--grid` without `--sweep`, `--config` with it, a missing grid file and a grid with no placed
    /// run exit 2 with one line naming the option.
    @Test func sweepThroughputOfAGivenGrid() throws {
        let dir = CLI.temporaryDirectory("bench-grid")
        let grid = dir.appendingPathComponent("g.yaml")
        try CLI.write("base: {m: 2, N1: 6, N2: 3, T1: 20, T2: 20, n_test: 50, sampler: gram, d: 1000}\ngrid:\n  u_norm: [1, 2, 4]\nseeds: [0, 1]\n", to: grid)
        let result = try CLI.run(["bench", "--sweep", "--grid", grid.path, "--repeats", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("6 runs of \(grid.path)"), "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "runs/s   (training alone").count == 3, "\(result.stdout)")
        #expect(result.stdout.contains("compute-only bound"), "\(result.stdout)")
        // A grid whose regime places no cell (d too small for cond_dimension) has nothing to time.
        let unplaced = dir.appendingPathComponent("unplaced.yaml")
        try CLI.write("base: {N1: 100, N2: 10, m: 10, sampler: gram}\ngrid:\n  d: [1000]\nseeds: [0]\nregime: {C: 1, margin: 2, clock: 100000}\n", to: unplaced)
        for arguments in [["--grid", grid.path], ["--sweep", "--config", grid.path], ["--sweep", "--grid", dir.appendingPathComponent("none.yaml").path],
                          ["--sweep", "--grid", unplaced.path]] {
            let refused = try CLI.run(["bench"] + arguments)
            #expect(refused.status == 2, "\(arguments)")
            let lines = refused.stderr.split(separator: "\n")
            #expect(lines.count == 1 && (lines.first?.contains("--grid") == true || lines.first?.contains("--config") == true || lines.first?.contains("grid") == true),
                    "\(arguments): \(refused.stderr)")
        }
    }
}
