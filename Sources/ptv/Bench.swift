import ArgumentParser
import Benchmarks
import DeepNetworks
import Foundation
import NumericsCore
import Platform
import Sweeps
import TransferModel
import Vocabulary

/// `ptv bench`: weight-space vs coefficient-space engine in one process, and `ptv train`
/// vs the NumPy weight-space reference under benchmarks/ as whole processes.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the two engines side by side, and ptv train against the NumPy reference as whole processes.",
        discussion: """
        Without --config the target configuration runs: d = 4000, N1 = 200, N2 = 20, \
        m = 20, T1 = T2 = 200, sampler vectors (other keys at their defaults). Then `ptv train` with \
        sampler gram at d = 10³ (or K + 3 if larger) and d = 10⁹, same N, m, T, as whole processes: \
        the reduced draw's cost should not grow with d. Ratios are the figures to read; absolute \
        times depend on the machine and its load.
        """)

    @Option(name: .long, help: "YAML config to benchmark (default: the target configuration).")
    var config: String?

    @Option(name: .long, help: "Repeats per measurement (best of, in one process; median of, as processes).")
    var repeats: Int = 3

    @Option(name: .long, help: "The NumPy reference script (default: benchmarks/reference_gd.py of this package).")
    var reference: String?

    @Option(name: .long, help: "Python interpreter for the reference.")
    var python: String = "python3"

    @Flag(name: .long, help: "Skip the whole-process comparison with the NumPy reference.")
    var noReference = false

    @Option(name: .long, help: "Deep networks to time against PyTorch, comma-separated (default, small34, small101, vit12), or none.")
    var deepModels = "default,small34,small101,vit12"

    @Flag(name: .long, help: "Only the sweep throughput: 400 small runs (sampler gram) through the sweep runner and store, runs/s next to the compute-only bound.")
    var sweep = false

    @Option(name: .long, help: "With --sweep: time this grid (YAML, as for ptv sweep) instead of the 400 small runs, every run of it each repeat.")
    var grid: String?

    func run() async throws {
        guard repeats >= 1 && repeats <= 100 else {
            throw InputError("--repeats: \(repeats) is outside the allowed range: an integer in [1, 100]")
        }
        guard grid == nil || sweep else { throw InputError("--grid: only with --sweep") }
        guard config == nil || !sweep else { throw InputError("--config: not with --sweep (time a grid with --grid)") }
        if sweep { return try await sweepThroughput() }
        let base = try config.map { try ExperimentConfig.load(from: URL(fileURLWithPath: $0)) } ?? EngineBenchmark.targetConfig
        print("ptv bench: d=\(base.d) m=\(base.m) N1=\(base.N1) N2=\(base.N2) T1=\(base.T1) T2=\(base.T2) n_test=\(base.n_test) layout=\(base.layout.rawValue) variant=\(base.variant.rawValue)")
        let bench = EngineBenchmark(config: base, repeats: repeats)
        let weights = try await bench.time(.weights)
        let coefficients = try await bench.time(.coefficients)
        func line(_ t: EngineBenchmark.Timing) -> String {
            let phases = Phase.allCases.compactMap { p in t.phaseSeconds[p].map { String(format: "%@ %.3f", p.rawValue, $0) } }.joined(separator: ", ")
            return "  " + t.engine.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0) + String(format: "%7.3f s   (training: %@)", t.seconds, phases)
        }
        print("in one process, best of \(repeats) (data generation, three phases, test scoring; OpenBLAS 1 thread):")
        print(line(weights))
        print(line(coefficients))
        let sameErrors = Phase.allCases.allSatisfy { weights.testErrors[$0] == coefficients.testErrors[$0] }
        print(String(format: "  ratio weights / coefficients: %.1f×   final filters differ by %.1e (relative), test errors %@",
                     weights.seconds / coefficients.seconds, EngineBenchmark.filterDifference(weights, coefficients),
                     sameErrors ? "identical" : "DIFFER"))

        // The machine's ceiling, and the coefficient engine's rate at in-regime shapes against it.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threadCounts = cores > 1 ? [1, cores] : [1]
        let dPeak = threadCounts.map { MachinePeak.gflops(single: false, threads: $0) }
        let sPeak = threadCounts.map { MachinePeak.gflops(single: true, threads: $0) }
        print("machine peak, 1024×1024 products (OpenBLAS \(BLAS.configuration.split(separator: " ").prefix(2).joined(separator: " ")), \(BLASKernels.current) kernels):")
        for (i, t) in threadCounts.enumerated() {
            print(String(format: "  %d thread%@: dgemm %6.1f GFLOP/s   sgemm %6.1f GFLOP/s", t, t == 1 ? " " : "s", dPeak[i], sPeak[i]))
        }
        print("coefficient engine (upstream phase, sampler gram, record final), 2·T·2m·K² flops over training time, best of \(repeats):")
        for shape in CoefficientRate.shapes {
            let rate = try await CoefficientRate.gflops(shape, repeats: repeats)
            print(String(format: "  K = %3d, 2m = %3d, T = %5d: %6.2f GFLOP/s = %5.1f %% of dgemm at 1 thread",
                         shape.k, 2 * shape.filtersPerClass, shape.steps, rate, 100 * rate / dPeak[0]))
        }

        // Deep networks: training images per second against PyTorch on the same architecture and
        // the same thread count (`ptv deep train --threads`; suites run one network per core).
        for threads in threadCounts {
            print("deep networks, training images/s on 28×28 Fashion-MNIST-sized inputs, batch 64, \(threads) thread\(threads == 1 ? "" : "s"), best of \(repeats):")
            let deepChoices: [(String, DeepModel, Int)] = [("default", DeepConfig().model, 20), ("small34", .resnet(.small34), 4),
                                                          ("small101", .resnet(.small101), 4), ("vit12", .vit(.small12), 4)]
            let wanted = deepModels.split(separator: ",").map(String.init)
            for name in wanted where name != "none" && !deepChoices.contains(where: { $0.0 == name }) {
                throw InputError("--deep-models: '\(InputText.excerpt(name))' is not one of default, small34, small101, vit12, none")
            }
            for (name, model, steps) in deepChoices where wanted.contains(name) {
                BLAS.useThreads(threads)
                let ours = (0..<repeats).map { _ in DeepThroughput.imagesPerSecond(model, channels: 1, side: 28, classes: 10, batch: 64, steps: steps) }.max()!
                BLAS.useSingleThread()
                let description = JSONOutput.text(.object(model.jsonObject.merging(["channels": 1, "classes": 10, "side": 28]) { a, _ in a }))
                var theirs: [Double] = []
                for _ in 0..<repeats {
                    let run = try? Subprocess.run(["/usr/bin/env", python, try torchBenchScript(), description, String(threads), "64", String(steps)], captureOutput: true)
                    if let run, run.status == 0, let value = Double(run.output.trimmingCharacters(in: .whitespacesAndNewlines)) { theirs.append(value) }
                }
                if let best = theirs.max() {
                    print("  " + name.padding(toLength: 9, withPad: " ", startingAt: 0) + String(format: " ptv %7.0f   PyTorch %7.0f   ratio ptv / PyTorch %.2f×", ours, best, ours / best))
                } else {
                    print("  " + name.padding(toLength: 9, withPad: " ", startingAt: 0) + String(format: " ptv %7.0f   PyTorch: not importable (scripts/install-deps.sh installs torch==2.13.0+cpu)", ours))
                }
            }
        }

        // Handing half of each product to the second core inside a run (docs/architecture.md).
        print("second core inside a run, mean per product of a 40×k by k×k product, best of \(repeats):")
        for t in await HandOverBenchmark(repeats: repeats).run() {
            print(String(format: "  %.2g multiply–adds: one thread %.3f ms, spinning worker %.3f ms (%.2f×), child task %.3f ms (%.2f×); ratio child task / worker %.2f×",
                         Double(t.operations), t.oneThread * 1e3, t.worker * 1e3, t.oneThread / t.worker,
                         t.childTask * 1e3, t.oneThread / t.childTask, t.childTask / t.worker))
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ptv = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        func trainCommand(_ c: ExperimentConfig, _ name: String) throws -> [String] {
            let file = folder.appendingPathComponent("\(name).yaml")
            try yaml(c).write(to: file, atomically: true, encoding: .utf8)
            // --force: every repeat replaces the previous one's results.
            return [ptv, "train", "--config", file.path, "--out", folder.appendingPathComponent(name).path, "--quiet", "--force"]
        }
        func median(_ x: [Double]) -> Double { let s = x.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
        func times(_ x: [Double]) -> String { x.map { String(format: "%.3f", $0) }.joined(separator: " ") }

        // The reduced draw (docs/theory.md §2a): one ptv train at a small and a huge d, alternately.
        var small = base, huge = base
        small.sampler = .gram; small.engine = .auto; small.d = max(1000, base.smallestGramDimension)
        huge.sampler = .gram; huge.engine = .auto; huge.d = 1_000_000_000
        let smallRun = try trainCommand(small, "gram-small"), hugeRun = try trainCommand(huge, "gram-huge")
        var smallTimes: [Double] = [], hugeTimes: [Double] = []
        for _ in 0..<repeats {
            smallTimes.append(try timeProcess(smallRun))
            hugeTimes.append(try timeProcess(hugeRun))
        }
        print("sampler gram, ptv train as whole processes, median of \(repeats), run alternately (K = \(base.gaussianVectorCount), vectors in ℝ^\(base.smallestGramDimension)):")
        print(String(format: "  d = %-14d %7.3f s   [%@]", small.d, median(smallTimes), times(smallTimes)))
        print(String(format: "  d = %-14d %7.3f s   [%@]", huge.d, median(hugeTimes), times(hugeTimes)))
        print(String(format: "  ratio d = 10⁹ / d = %d: %.2f×", small.d, median(hugeTimes) / median(smallTimes)))
        guard !noReference else { return }

        let script = try referenceScript()
        var autoConfig = base
        autoConfig.engine = .auto
        let train = try trainCommand(autoConfig, "run")
        // NumPy as a user runs it (its default BLAS threads) and with one BLAS thread (faster when
        // another process holds a core); the ratio is taken against the faster of the two.
        // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE presets slow a current NumPy, so they are unset for it.
        let numpy = ["/usr/bin/env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", python, script] + referenceArguments(base)
        let numpy1 = ["/usr/bin/env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS=1", python, script]
            + referenceArguments(base)
        var trainTimes: [Double] = [], numpyTimes: [Double] = [], numpy1Times: [Double] = []
        for _ in 0..<repeats {  // alternate, so load changes hit all alike
            trainTimes.append(try timeProcess(train))
            numpyTimes.append(try timeProcess(numpy))
            numpy1Times.append(try timeProcess(numpy1))
        }
        let experiment = TransferExperiment(config: autoConfig)
        let engines = Phase.allCases.map { experiment.engine(for: $0).rawValue }.joined(separator: "/")
        print("as whole processes, median of \(repeats), run alternately (data generation and scoring included):")
        print(String(format: "  ptv train (%@, auto → %@)  %7.3f s   [%@]", autoConfig.resolvedSampler.rawValue, engines,
                     median(trainTimes), times(trainTimes)))
        print(String(format: "  NumPy reference, default threads  %7.3f s   [%@]", median(numpyTimes), times(numpyTimes)))
        print(String(format: "  NumPy reference, 1 BLAS thread    %7.3f s   [%@]", median(numpy1Times), times(numpy1Times)))
        print("  (reference: \(script))")
        let reference = min(median(numpyTimes), median(numpy1Times))
        print(String(format: "  ratio NumPy (faster setting) / ptv train: %.1f×", reference / median(trainTimes)))
    }

    /// A rate to three significant figures (a long grid runs about one run a second).
    static func rate(_ value: Double) -> String {
        String(format: value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value)
    }

    /// `--sweep`: the grid of ``SweepThroughput`` (or `--grid`) on every core, best of `repeats`.
    func sweepThroughput() async throws {
        let workers = SweepRunner.defaultWorkers
        let chosen = try grid.map { path in (path: path, grid: try SweepGrid.load(from: URL(fileURLWithPath: path))) }
        if let chosen, chosen.grid.placedRunCount == 0 { throw InputError("--grid: \(chosen.path) has no run its regime can place") }
        let summary = chosen.map { "\($0.grid.placedRunCount) runs of \($0.path)" } ?? SweepThroughput.summary
        print("sweep throughput: \(summary) into a fresh store on \(workers) workers, best of \(repeats):")
        var best: SweepThroughput.Measurement?
        for _ in 0..<repeats {
            let m = try await SweepThroughput.measure(chosen?.grid, workers: workers, folder: FileManager.default.temporaryDirectory)
            print(String(format: "  %.3f s  ", m.seconds) + Self.rate(m.runsPerSecond)
                  + String(format: " runs/s   (training alone: %.3f s of CPU)", m.trainingSeconds))
            if best == nil || m.seconds < best!.seconds { best = m }
        }
        if let best {
            print(String(format: "  best %.3f s, ", best.seconds) + Self.rate(best.runsPerSecond) + " runs/s; compute-only bound "
                  + Self.rate(best.computeBound) + " runs/s (\(workers) × runs / training seconds); "
                  + String(format: "ratio %.2f", best.runsPerSecond / best.computeBound))
        }
    }

    /// The reference script: --reference, else benchmarks/reference_gd.py of the source tree
    /// this binary was built from, else of the current folder.
    func referenceScript() throws -> String {
        if let reference {
            guard FileManager.default.fileExists(atPath: reference) else { throw InputError("--reference: no file at \(reference)") }
            return reference
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [packageRoot.appendingPathComponent("benchmarks/reference_gd.py").path, "benchmarks/reference_gd.py"]
        where FileManager.default.fileExists(atPath: candidate) { return candidate }
        throw InputError("--reference: benchmarks/reference_gd.py not found; pass its path, or --no-reference")
    }

    /// scripts/torch_bench.py of the source tree this binary was built from, or of the current folder.
    func torchBenchScript() throws -> String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [packageRoot.appendingPathComponent("scripts/torch_bench.py").path, "scripts/torch_bench.py"]
        where FileManager.default.fileExists(atPath: candidate) { return candidate }
        throw InputError("scripts/torch_bench.py not found")
    }

    func referenceArguments(_ c: ExperimentConfig) -> [String] {
        var a: [String] = []
        for (k, v) in [("d", c.d), ("m", c.m), ("N1", c.N1), ("N2", c.N2), ("T1", c.T1), ("T2", c.T2), ("n_test", c.n_test)] { a += ["--\(k)", String(v)] }
        for (k, v) in [("u_norm", c.u_norm), ("v1_norm", c.v1_norm), ("v2_norm", c.v2_norm), ("v_overlap", c.v_overlap),
                       ("sigma_p1", c.sigma_p1), ("sigma_p2", c.sigma_p2), ("p", c.p), ("sigma0", c.sigma0), ("eta", c.eta), ("alpha", c.alpha)] {
            a += ["--\(k)", String(v)]
        }
        return a + ["--seed", String(c.seed), "--layout", c.layout.rawValue]
    }

    func yaml(_ c: ExperimentConfig) -> String {
        var lines: [String] = []
        for (key, value) in c.jsonObject.sorted(by: { $0.key < $1.key }) where key != "constants" { lines.append("\(key): \(value)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Wall time of a whole process (posix_spawn to exit), its output discarded; a failure throws.
    func timeProcess(_ argv: [String]) throws -> Double {
        let clock = ContinuousClock(), start = clock.now
        let finished: Subprocess.Finished
        do { finished = try Subprocess.run(argv) } catch { throw InputError("cannot start \(argv[0]) (error \(error.code))") }
        let elapsed = start.duration(to: clock.now)
        guard finished.status == 0 else {
            throw InputError("\(argv.prefix(3).joined(separator: " ")) … failed (status \(finished.status))")
        }
        return elapsed.inSeconds
    }
}
