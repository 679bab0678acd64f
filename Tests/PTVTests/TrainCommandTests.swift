import Foundation
import Testing
import NumericsCore
@testable import TransferModel

/// `ptv train` end to end: outputs, error handling, interruption, and an independent replay.
@Suite(.serialized)
struct TrainCommandTests {
    /// Run `ptv train --save-arrays` on `yaml` in a fresh folder (expecting success); its output folder.
    static func trainSavingArrays(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let dir = CLI.temporaryDirectory("arrays")
        try CLI.write(yaml, to: dir.appendingPathComponent("c.yaml"))
        let out = dir.appendingPathComponent("out")
        let train = try CLI.run(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", out.path, "--save-arrays", "--quiet"])
        #expect(train.status == 0, "\(train.stderr)", sourceLocation: sourceLocation)
        return out
    }

    static let smallConfig = "d: 80\nm: 5\nN1: 20\nN2: 10\nT1: 60\nT2: 60\nn_test: 300\nrecord_every: 10\np: 0.1\nalpha: 0.6\n"

    @Test func writesMetricsTrajectoriesManifestAndArrays() throws {
        let dir = CLI.temporaryDirectory("train")
        try CLI.write(Self.smallConfig, to: dir.appendingPathComponent("c.yaml"))
        let out = dir.appendingPathComponent("out")
        let result = try CLI.run(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", out.path, "--save-arrays", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let metrics = try CLI.json(out.appendingPathComponent("metrics.json"))
        for phase in ["upstream", "transfer", "scratch"] {
            let p = try #require(metrics[phase] as? [String: Any])
            for key in ["train_loss", "train_error", "test_error", "clean_test_error", "steps", "seconds", "decomposition_max_rel_error"] {
                #expect(p[key] != nil, "\(phase).\(key)")
            }
            #expect((p["decomposition_max_rel_error"] as! Double) <= 1e-9)
            let csv = try String(contentsOf: out.appendingPathComponent("trajectory-\(phase).csv"), encoding: .utf8)
            let lines = csv.split(separator: "\n")
            #expect(lines.count == 1 + 7)  // header + steps 0, 10, …, 60
            if phase == "transfer" { #expect(lines[0].contains("inherited_gamma_mu_max") && lines[0].contains("fresh_rho_bar_max")) }
        }
        let inherited = try #require(metrics["inherited"] as? [String: [Int]])
        #expect(inherited["+1"]!.count == 3 && inherited["-1"]!.count == 3)  // ⌊0.6 · 5⌋
        let manifest = try CLI.json(out.appendingPathComponent("manifest.json"))
        let config = try #require(manifest["config"] as? [String: Any])
        #expect(config["d"] as? Int == 80 && config["eta"] as? Double == 1.0)  // defaults filled in
        for key in ["seed", "generator", "git_commit", "swift_version", "gsl_version", "openblas", "blas_kernels", "command_line", "started", "finished"] {
            #expect(manifest[key] != nil, "manifest.\(key)")
        }
        for name in ["X", "y", "W0", "W", "Xtest", "ytest"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("arrays/scratch-\(name).npy").path))
        }
    }

    /// Both samplers: a `gram` run's arrays live in ℝ^{3+K} (K = 20 + 10 + 4·5 = 50) and replay
    /// there; η₂ ≠ η checks that the downstream phases use their own step size.
    /// The kernels a run used, as its manifest records them, with OPENBLAS_CORETYPE unset or set
    /// to `coreType`.
    static func kernels(coreType: String?) throws -> String {
        let dir = CLI.temporaryDirectory("kernels")
        try CLI.write(Self.smallConfig, to: dir.appendingPathComponent("c.yaml"))
        let out = dir.appendingPathComponent("out")
        let setting = coreType.map { ["OPENBLAS_CORETYPE=\($0)"] } ?? ["-u", "OPENBLAS_CORETYPE"]
        let result = try CLI.runTool("/usr/bin/env", setting + [CLI.productsDirectory.appendingPathComponent("ptv").path, "train",
                                     "--config", dir.appendingPathComponent("c.yaml").path, "--out", out.path, "--quiet"], home: dir)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(CLI.json(out.appendingPathComponent("manifest.json"))["blas_kernels"] as? String)
    }

    /// Where OpenBLAS does not know the CPU it falls back to its SSE3 kernels; `ptv` then restarts
    /// itself with the widest kernels the CPU has, and keeps a kernel set the user chose.
    @Test func runsUseTheWidestKernelsUnlessTheUserChose() throws {
        let unset = try Self.kernels(coreType: nil)
        #expect(BLASKernels.preferred(current: unset, cpuFlags: BLASKernels.cpuFlags()) == nil,
                "ran on \(unset) on a CPU with \(BLASKernels.cpuFlags().filter { $0.hasPrefix("avx") }.sorted())")
        #expect(try Self.kernels(coreType: "Prescott") == "Prescott")
    }

    @Test(.enabled(if: CLI.hasNumPy, "needs python3 with NumPy"),
          arguments: ["layout: combined\nsampler: gram\neta2: 0.5\n", "layout: separate\nvariant: frozen\nsampler: vectors\n",
                      "layout: separate\nsampler: gram\n"])
    func independentNumPyReplayReproducesEveryPhase(extra: String) throws {
        let out = try Self.trainSavingArrays(Self.smallConfig + extra)
        let (status, text) = try CLI.python("replay.py", [out.path, "--tolerance", "1e-8"])
        #expect(status == 0, "\(text)")
        #expect(text.components(separatedBy: "-> agree").count == 4, "\(text)")
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8)
        let sampler = extra.contains("gram") ? "gram" : "vectors"
        #expect(manifest.contains("\"sampler\" : \"\(sampler):"), "manifest names the sampler")
        let header = try Data(contentsOf: out.appendingPathComponent("arrays/upstream-X.npy")).prefix(128)
        #expect(String(decoding: header, as: UTF8.self).contains(sampler == "gram" ? ", 53)" : ", 80)"))
    }

    /// The measured phase variables (margin moments, Γ̂, the parts by filter group and patch) agree
    /// with an independent NumPy computation from the saved W, Xtest and ytest to 1e-9 relative
    /// (scripts/margins.py, written from docs/theory.md §6b), for both engines and layouts; so do the
    /// training margins rebuilt from the recorded inner products, against W, X and y.
    @Test(.enabled(if: CLI.hasNumPy, "needs python3 with NumPy"),
          arguments: ["sampler: gram\n", "engine: weights\nsampler: vectors\nvariant: random_slots\n", "layout: separate\nsampler: gram\n"])
    func marginsAgreeWithAnIndependentNumPyComputation(extra: String) throws {
        let out = try Self.trainSavingArrays(Self.smallConfig.replacingOccurrences(of: "p: 0.1\n", with: "p: 0\n") + extra)
        let (status, text) = try CLI.python("margins.py", [out.path, "--tolerance", "1e-9"])
        #expect(status == 0, "\(text)")
        #expect(text.components(separatedBy: "-> agree").count == 4, "\(text)")
        let metrics = try CLI.json(out.appendingPathComponent("metrics.json"))
        let transfer = try #require(metrics["transfer"] as? [String: Any])
        #expect(Set((transfer["margin_parts"] as? [String: Any] ?? [:]).keys) == ["inherited", "fresh"])
    }

    @Test(arguments: [
        ("alpha: 2\n", "alpha"), ("d: 0\n", "d"), ("bogus: 1\n", "bogus"), ("eta: -1\n", "eta"), ("m: x\n", "m"),
        ("p: 0.7\n", "p"), ("sigma_p2: -3\n", "sigma_p2"), ("sampler: gram\nd: 100\n", "sampler"),
        ("sampler: gram\nvariant: weight\nd: 1000\n", "sampler"), ("sampler: vectors\nd: 20000000\n", "d"),
        ("sampler: sideways\n", "sampler"), ("eta2: 0\n", "eta2"),
    ])
    func badConfigExitsWithCodeTwoNamingTheField(yaml: String, field: String) throws {
        let dir = CLI.temporaryDirectory("bad")
        try CLI.write(yaml, to: dir.appendingPathComponent("c.yaml"))
        let result = try CLI.run(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", dir.appendingPathComponent("o").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'\(field)'"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// The smallest d of the reduced draw is K + 3 = N1 + N2 + 4m + 3 = 80 + 20 + 40 + 3 = 143 at the defaults.
    @Test func gramBelowItsSmallestDimensionNamesIt() throws {
        let dir = CLI.temporaryDirectory("gram")
        try CLI.write("sampler: gram\nd: 142\n", to: dir.appendingPathComponent("c.yaml"))
        let result = try CLI.run(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", dir.appendingPathComponent("o").path])
        #expect(result.status == 2 && result.stderr.contains("'sampler'") && result.stderr.contains("d ≥ K + 3 = 143"), "\(result.stderr)")
        try CLI.write("sampler: gram\nd: 143\nT1: 2\nT2: 2\nn_test: 10\n", to: dir.appendingPathComponent("c.yaml"))
        #expect(try CLI.run(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", dir.appendingPathComponent("o").path, "--quiet"]).status == 0)
    }

    /// Runs too large for the memory limit are refused from the config alone, naming the key that
    /// drives the size (issue 11: these aborted in the allocator, or after minutes).
    @Test(arguments: [("m: 100000\nd: 30\n", "m"), ("n_test: 100000000\n", "n_test"),
                      ("d: 10000000\nsampler: vectors\nN1: 100\n", "d")])
    func oversizedRunsAreRefusedBeforeAllocating(yaml: String, field: String) throws {
        let dir = CLI.temporaryDirectory("oversized")
        try CLI.write(yaml, to: dir.appendingPathComponent("c.yaml"))
        let result = try CLI.run(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out",
                                  dir.appendingPathComponent("o").path, "--max-memory", "8"])
        #expect(result.status == 2 && result.stderr.contains("'\(field)'") && result.stderr.contains("--max-memory"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/metrics.json").path))
    }

    /// The memory estimate against the measured peak (resident set: `peak_resident_bytes` of the
    /// manifest, the process's own VmHWM — wait4's figure would include the test process's
    /// high-water mark, which Linux folds into a spawned child's at exec) of three runs,
    /// each dominated by a different term: training sets in ℝᵈ, materialised test vectors, and
    /// recorder snapshots. The estimate must not fall below the peak — refusing is what keeps an
    /// allocation failure from being the first signal — nor exceed it threefold, so runs that fit
    /// are not refused. Measured when written (debug build): 186/230, 596/722 and 407/447 MB
    /// (peak/estimate); the second fell below its estimate only after the estimate counted the
    /// noise of the test set being materialised.
    @Test(arguments: ["d: 20000\nsampler: vectors\nN1: 200\nN2: 50\nm: 20\nT1: 50\nT2: 50\nn_test: 2000\n",
                      "d: 100000\nN1: 2000\nN2: 200\nm: 10\nT1: 20\nT2: 20\nn_test: 4000\n",
                      "d: 2000\nsampler: vectors\nN1: 1000\nN2: 100\nm: 50\nT1: 100\nT2: 100\nrecord_every: 1\nn_test: 500\n"])
    func memoryEstimateBoundsTheMeasuredPeak(yaml: String) throws {
        let dir = CLI.temporaryDirectory("rss")
        defer { try? FileManager.default.removeItem(at: dir) }
        try CLI.write(yaml, to: dir.appendingPathComponent("c.yaml"))
        let estimate = ResourceEstimate(try ExperimentConfig.parse(yaml: yaml)).total()
        let run = try CLI.run(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", dir.appendingPathComponent("o").path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let peak = try #require(try CLI.json(dir.appendingPathComponent("o/manifest.json"))["peak_resident_bytes"] as? Double)
        #expect(peak <= estimate && estimate <= 3 * peak, "peak \(ResourceEstimate.format(peak)), estimate \(ResourceEstimate.format(estimate))")
    }

    @Test func missingFilesAndUnwritableFoldersExitWithCodeTwo() throws {
        let missing = try CLI.run(["train", "--config", "/nonexistent/c.yaml", "--out", "/tmp/x"])
        #expect(missing.status == 2 && missing.stderr.contains("cannot read"))
        let unwritable = try CLI.run(["train", "--out", "/proc/ptv-cannot-write-here"])
        #expect(unwritable.status == 2 && unwritable.stderr.contains("'out'"), "\(unwritable.stderr)")
        let usage = try CLI.run(["train"])  // --out missing
        #expect(usage.status == 2)
    }

    @Test func interruptedRunKeepsFinishedPhases() throws {
        let dir = CLI.temporaryDirectory("kill")
        try CLI.write("d: 80\nm: 5\nT1: 20\nT2: 100000000\nn_test: 100\nrecord_every: 1000000\n", to: dir.appendingPathComponent("c.yaml"))
        let out = dir.appendingPathComponent("out")
        let process = try CLI.launch(["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", out.path, "--quiet"])
        let metricsURL = out.appendingPathComponent("metrics.json")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: metricsURL.path) && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let metrics = try CLI.json(metricsURL)
        #expect(metrics["upstream"] != nil)
        #expect(metrics["transfer"] == nil)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("trajectory-upstream.csv").path))
    }

    /// Kill loop: `ptv train --save-arrays` killed with SIGKILL at 50 moments spread over its run
    /// (a fixed pseudo-random schedule) leaves no truncated array, no phase in metrics.json
    /// without its trajectory and arrays, and no phase announced done on stderr that metrics.json
    /// does not list. An `.npy` is whole when its size is the header plus 8 bytes per element of
    /// the shape its header declares.
    @Test func killedRunsLeaveWholeFilesOnly() throws {
        let dir = CLI.temporaryDirectory("killloop")
        try CLI.write("d: 2000\nm: 5\nN1: 30\nN2: 10\nT1: 300\nT2: 300\nn_test: 200\nrecord_every: 50\nsampler: vectors\n",
                      to: dir.appendingPathComponent("c.yaml"))
        var announced = 0
        // Killed 20–820 ms into a run of about 0.7 s.
        try CLI.killRepeatedly(times: 50, seed: 12345, window: 800, in: dir, arguments: { out in
            ["train", "--config", dir.appendingPathComponent("c.yaml").path, "--out", out.path, "--save-arrays"]
        }) { k, out, stderr in
            let arrays = out.appendingPathComponent("arrays")
            // Hidden ".<name>.<pid>.tmp" files are writes the kill interrupted before their rename:
            // never read as results.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: arrays.path)) ?? [] where !name.hasPrefix(".") {
                let data = try Data(contentsOf: arrays.appendingPathComponent(name))
                #expect(name.hasSuffix(".npy") && data.count > 10, "unexpected \(name)")
                guard name.hasSuffix(".npy"), data.count > 10 else { continue }
                let headerLength = Int(data[8]) | Int(data[9]) << 8
                let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
                let shape = header.split(separator: "(")[1].split(separator: ")")[0].split(separator: ",")
                    .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                #expect(data.count == 10 + headerLength + 8 * shape.reduce(1, *), "\(name) truncated after kill \(k)")
            }
            let metrics = (try? CLI.json(out.appendingPathComponent("metrics.json"))) ?? [:]
            for phase in ["upstream", "transfer", "scratch"] {
                if stderr.contains("\(phase) done") {
                    announced += 1
                    #expect(metrics[phase] != nil, "kill \(k): \(phase) announced done but not in metrics.json")
                }
                guard metrics[phase] != nil else { continue }
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("trajectory-\(phase).csv").path))
                for array in ["X", "y", "W0", "W", "Xtest", "ytest"] {
                    #expect(FileManager.default.fileExists(atPath: arrays.appendingPathComponent("\(phase)-\(array).npy").path),
                            "kill \(k): \(phase) listed without \(array)")
                }
            }
        }
        #expect(announced > 10)  // the schedule reaches past finished phases, so the check bites
    }
}
