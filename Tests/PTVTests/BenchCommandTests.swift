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
}
