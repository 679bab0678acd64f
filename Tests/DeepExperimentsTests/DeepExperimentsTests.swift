@testable import DeepExperiments
@testable import Bounds
@testable import DeepNetworks
import Foundation
@testable import NumericsCore
@testable import Platform
@testable import RunStore
@testable import Sweeps
import Testing
@testable import Validation
@testable import Vocabulary

/// Synthetic image tasks small enough to train in a second: 10 classes of 8 × 8 one-channel
/// images, class c a fixed random pattern plus N(0, 0.5²) pixel noise.
enum SyntheticImages {
    static func dataset(count: Int, seed: UInt64) -> ImageDataset {
        var patterns = SeededGenerator(seed: 99, stream: "patterns")
        let prototypes = (0..<10).map { _ in patterns.gaussians(count: 64) }
        var rng = SeededGenerator(seed: seed, stream: "images")
        var pixels: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 10
            labels.append(label)
            pixels += prototypes[label].map { Float($0 + 0.5 * rng.gaussian()) }
        }
        return ImageDataset(images: Tensor(shape: [count, 1, 8, 8], storage: pixels), labels: labels, classCount: 10)
    }

    static let images = TaskImages(dataset: .fashion_mnist, train: dataset(count: 2000, seed: 1), test: dataset(count: 500, seed: 2))

    static func config(classes: [Int], samples: Int, epochs: Int = 2) -> DeepConfig {
        var config = DeepConfig()
        config.model = .resnet(ResNetDescription(block: .basic, stem: 4, stages: [.init(blocks: 1, width: 4, stride: 2), .init(blocks: 1, width: 8, stride: 2)]))
        config.classes = classes
        config.trainSamples = samples
        config.testSamples = 100
        config.plan = DeepTrainingPlan(epochs: epochs, batchSize: 16, learningRate: 0.05)
        return config
    }

    static let upstream = config(classes: [0, 1, 2, 3], samples: 200)
    static let downstream = config(classes: [4, 5, 6, 7], samples: 80)
}

struct LayerSelectionTests {
    /// Ranges expand per component, and every prefix ends at a component boundary.
    @Test func rangesExpand() throws {
        let vit = try LayerSelection(patterns: ["blocks.9-11"], field: "layers")
        #expect(vit.prefixes == ["blocks.9.", "blocks.10.", "blocks.11."])
        let resnet = try LayerSelection(patterns: ["stem.", "stage1-3.block0.conv2"], field: "layers")
        #expect(resnet.prefixes == ["stem.", "stage1.block0.conv2.", "stage2.block0.conv2.", "stage3.block0.conv2."])
        #expect(!"blocks.10.mlp.fc1.weight".hasPrefix(try LayerSelection(patterns: ["blocks.1"], field: "l").prefixes[0]))
    }

    @Test(arguments: [["blocks.11-9"], ["blocks.x-2"], [], ["a b"], ["blocks.0-99999"]])
    func refusesBadPatterns(patterns: [String]) {
        #expect(throws: ConfigError.self) { try LayerSelection(patterns: patterns, field: "layers") }
    }

    /// A pattern that names no weight of the downstream network is refused, naming it.
    @Test func unmatchedPatternIsRefused() throws {
        var rng = SeededGenerator(seed: 1)
        let network: Sequential<Float> = ResNetDescription(block: .basic, stem: 4, stages: [.init(blocks: 1, width: 4, stride: 1)]).network(channels: 1, classes: 2, using: &rng)
        let upstream = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: network).map { ($0.name, $0.value) })
        let selection = try LayerSelection(patterns: ["stage1-2.block0.conv2"], field: "layers")
        do {
            try DeepTransfer(selection, alpha: 1).apply(upstream: upstream, into: network, field: "transfer.layers", using: &rng)
            Issue.record("accepted a pattern that selects nothing")
        } catch let error as ConfigError {
            #expect(error.field == "transfer.layers" && error.problem.contains("stage2.block0.conv2."), "\(error)")
        }
    }
}

struct MatchedRunTests {
    static let upstream: Data = {
        let run = DeepRun(role: .upstream, config: SyntheticImages.upstream, seed: 3)
        return try! run.execute(images: SyntheticImages.images).checkpoint!
    }()

    static func transfer(alpha: Double, freeze: Bool = false) throws -> DeepRunRecord {
        let plan = DeepTransferPlan(layers: try LayerSelection(patterns: ["stem.", "stage1-2.block0.conv2"], field: "l"), alpha: alpha, freeze: freeze)
        let run = DeepRun(role: .transfer, config: SyntheticImages.downstream, seed: 3, plan: plan, upstreamKey: "u")
        return try run.execute(images: SyntheticImages.images, upstream: try Checkpoint.decode(upstream, field: "t")).record
    }

    /// α = 0 inherits nothing, so the transfer run is the scratch run: every per-epoch figure,
    /// filter energy, the test accuracy and loss and the probes agree exactly.
    @Test func alphaZeroIsScratch() throws {
        let scratch = try DeepRun(role: .scratch, config: SyntheticImages.downstream, seed: 3).execute(images: SyntheticImages.images).record
        let none = try Self.transfer(alpha: 0)
        #expect(none.inherited.values.allSatisfy { $0.isEmpty })
        #expect(zip(none.epochs, scratch.epochs).allSatisfy { a, b in
            (a.trainLoss == b.trainLoss || a.trainLoss.isNaN && b.trainLoss.isNaN) && (a.trainAccuracy == b.trainAccuracy || a.trainAccuracy.isNaN) && a.inputLayer == b.inputLayer })
        #expect(none.testAccuracy == scratch.testAccuracy && none.testLoss == scratch.testLoss && none.probeAccuracy == scratch.probeAccuracy)
        // The check can fail: α = 1 inherits every transferred row and changes the run.
        let all = try Self.transfer(alpha: 1)
        #expect(all.inherited["stem.conv.weight"]?.count == 4)
        #expect(all.epochs[0].inputLayer[.inherited] != nil && all.epochs[0].inputLayer[.fresh] == nil)
        #expect(all.testLoss != scratch.testLoss)
    }

    /// The transfer run's inherited input-layer filters are the upstream network's at epoch 0:
    /// their energies equal those computed from the upstream arrays directly.
    @Test func inheritedFiltersStartAsUpstream() throws {
        let record = try Self.transfer(alpha: 0.5, freeze: true)
        let rows = try #require(record.inherited["stem.conv.weight"])
        #expect(rows.count == 2)
        let weight = try #require(try Checkpoint.decode(Self.upstream, field: "t")["stem.conv.weight"])
        let train = SyntheticImages.images.task(SyntheticImages.downstream, side: .downstream, seed: 3).train
        let subspace = SignalSubspace(task: train, kernel: 3, stride: 1)
        let expected = try #require(subspace.meanEnergies(of: weight, rows: rows))
        for epoch in record.epochs {  // frozen: the same at every epoch
            let measured = try #require(epoch.inputLayer[.inherited])
            #expect(abs(measured.signal - expected.signal) <= 1e-12 * max(1, expected.signal) && abs(measured.noise - expected.noise) <= 1e-12 * max(1, expected.noise))
        }
    }

    /// The two halves of the training split are disjoint (no image in both, even for the same
    /// classes), and a seed fixes the downstream draw.
    @Test func tasksDrawFromDisjointHalves() {
        let images = SyntheticImages.images
        var same = SyntheticImages.upstream
        same.classes = SyntheticImages.downstream.classes
        let up = images.task(same, side: .upstream, seed: 5).train, down = images.task(SyntheticImages.downstream, side: .downstream, seed: 5).train
        let upRows = Set((0..<up.count).map { Array(up.images.storage[($0 * 64)..<(($0 + 1) * 64)]) })
        #expect((0..<down.count).allSatisfy { !upRows.contains(Array(down.images.storage[($0 * 64)..<(($0 + 1) * 64)])) })
        #expect(images.task(SyntheticImages.downstream, side: .downstream, seed: 5).train.images == down.images)
        #expect(images.task(SyntheticImages.downstream, side: .downstream, seed: 6).train.images != down.images)
    }
}

struct FeatureRecordingTests {
    /// Class means computed by hand: two classes of 1 × 4 × 4 images with constant value c + 1
    /// in one quadrant; kernel 2, stride 2 averages the four quadrants, so the mean patch of
    /// class 0 is (1, 0, 0, 0)/4 per quadrant layout. A filter inside the span has no noise
    /// energy, one orthogonal to it no signal energy.
    @Test func subspaceOfHandMadeMeans() {
        var pixels = [Float](repeating: 0, count: 2 * 16)
        pixels[0] = 1  // class 0: top-left pixel of the top-left quadrant
        pixels[16 + 1] = 2  // class 1: pixel (0, 1)
        let task = ImageDataset(images: Tensor(shape: [2, 1, 4, 4], storage: pixels), labels: [0, 1], classCount: 2)
        let s = SignalSubspace(task: task, kernel: 2, stride: 2)
        #expect(s.dimension == 4 && s.basis.count == 2)
        let inside = s.energies([3, -2, 0, 0] as [Float]), outside = s.energies([0, 0, 5, 1] as [Float])
        #expect(abs(inside.signal - 13) < 1e-12 && inside.noise < 1e-12)
        #expect(outside.signal < 1e-12 && abs(outside.noise - 26) < 1e-12)
    }

    /// The same task's contrast span: the class means (1, 0, 0, 0)/4 and (0, 2, 0, 0)/4 minus
    /// their mean (1, 2, 0, 0)/8 are ±(1, −2, 0, 0)/8, one direction. (2, −4, 0, 0) lies in it
    /// (signal 20), (2, 1, 0, 0) is orthogonal to it (noise 5), and (1, 0, 0, 0), inside the span
    /// of the means, is now mostly outside: signal 1/5, noise 4/5.
    @Test func contrastSpanLeavesOutTheSharedMean() {
        var pixels = [Float](repeating: 0, count: 2 * 16)
        pixels[0] = 1
        pixels[16 + 1] = 2
        let task = ImageDataset(images: Tensor(shape: [2, 1, 4, 4], storage: pixels), labels: [0, 1], classCount: 2)
        let s = SignalSubspace(task: task, kernel: 2, stride: 2, contrasts: true)
        #expect(s.dimension == 4 && s.basis.count == 1)
        let inside = s.energies([2, -4, 0, 0] as [Float]), outside = s.energies([2, 1, 0, 0] as [Float]), mean = s.energies([1, 0, 0, 0] as [Float])
        #expect(abs(inside.signal - 20) < 1e-12 && inside.noise < 1e-12)
        #expect(outside.signal < 1e-12 && abs(outside.noise - 5) < 1e-12)
        #expect(abs(mean.signal - 0.2) < 1e-12 && abs(mean.noise - 0.8) < 1e-12)
    }

    /// Separable units give a perfect probe; units of pure noise stay near chance (5 classes:
    /// 0.2; over 1 000 test images the binomial s.d. is 0.013, and 0.3 is 7 s.d. above).
    @Test func probeSeparatesOnlyWhatIsThere() throws {
        var rng = SeededGenerator(seed: 4, stream: "probe")
        func features(_ n: Int) -> ([Float], [Int]) {
            var out: [Float] = [], labels: [Int] = []
            for i in 0..<n {
                let label = i % 5
                labels.append(label)
                out += (0..<5).map { Float($0 == label ? 3 : 0) + Float(0.3 * rng.gaussian()) }   // units 0–4: signal
                out += (0..<5).map { _ in Float(rng.gaussian()) }                                   // units 5–9: noise
            }
            return (out, labels)
        }
        let (train, trainLabels) = features(500), (test, testLabels) = features(1000)
        let signal = try #require(LinearProbe.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels, width: 10, units: Array(0..<5), classes: 5))
        let noise = try #require(LinearProbe.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels, width: 10, units: Array(5..<10), classes: 5))
        #expect(signal == 1)
        #expect(noise < 0.3)
        #expect(LinearProbe.accuracy(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels, width: 10, units: [], classes: 5) == nil)
    }

    /// The Cholesky solve against a system solved by hand.
    @Test func choleskySolve() throws {
        let x = try #require(LinearProbe.solve([4, 2, 2, 3], [2, 1, 1, 2], size: 2, columns: 2))
        // [[4, 2], [2, 3]]⁻¹ = [[3, −2], [−2, 4]]/8, times B = [[2, 1], [1, 2]].
        let expected: [Double] = [0.5, -0.125, 0, 0.75]
        #expect(zip(x, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(x)")
        #expect(LinearProbe.solve([1, 2, 2, 1], [1, 1], size: 2, columns: 1) == nil)
    }
}

struct DeepStatementTests {
    static func difference(_ values: [Double]) throws -> PairedDifference { try PairedDifference(values) }

    /// Each relation at the interval's ends.
    @Test func relationsJudgeIntervals() throws {
        let above = try Self.difference([0.02, 0.03, 0.025, 0.035]), below = try Self.difference([-0.02, -0.03, -0.025, -0.035])
        let across = try Self.difference([-0.02, 0.03, -0.01, 0.02])
        #expect(RelationOperator.greater.judge(above) == .holds && RelationOperator.greater.judge(below) == .violated)
        #expect(RelationOperator.greater.judge(across) == .indeterminate)
        #expect(RelationOperator.less.judge(below) == .holds && RelationOperator.less.judge(above) == .violated)
        #expect(RelationOperator.greaterEqual.judge(across) == .indeterminate)
        #expect(RelationOperator.greater.judge(try Self.difference([0.1])) == .indeterminate)
    }

    static let helps = """
    id: deep-transfer-helps
    title: t
    provenance: paper
    source: s
    configurations: [a, b]
    axis: sample_ratio
    claim: {gain: "> 0", trend: "> 0"}
    paper: {a: 2.6, b: 12.0}
    """

    /// Gains and trend judged with Bonferroni-corrected intervals; a missing configuration
    /// makes the statement not applicable.
    @Test func judgesGainsAndTrend() throws {
        let statement = try DeepStatement.parse(yaml: Self.helps)
        let growing = try DeepJudgement.judge(statement, gains: ["a": [0.010, 0.011, 0.0105, 0.0102], "b": [0.050, 0.052, 0.0505, 0.0501]])
        #expect(growing.verdict == .holds, "\(growing.reason)")
        #expect(abs(growing.confidence - (1 - 0.01 / 3)) < 1e-15)
        let shrinking = try DeepJudgement.judge(statement, gains: ["a": [0.050, 0.052, 0.0505, 0.0501], "b": [0.010, 0.011, 0.0105, 0.0102]])
        #expect(shrinking.verdict == .violated && shrinking.reason.contains("change a → b"), "\(shrinking.reason)")
        let missing = try DeepJudgement.judge(statement, gains: ["a": [0.01, 0.02]])
        #expect(missing.verdict == .notApplicable && missing.reason.contains("b"))
    }

    /// An open gain interval says whether the paper's effect was within reach: with a spread of
    /// about 0.5 points over 12 seeds the detectable effect is well under +2.6 points; with a
    /// spread of 10 points over 4 seeds it is far above it.
    @Test func openGainsSayWhetherThePapersEffectWasDetectable() throws {
        let statement = try DeepStatement.parse(yaml: Self.helps.replacingOccurrences(of: ", trend: \"> 0\"", with: ""))
        let tight = (0..<12).map { 0.005 * (Double($0 % 4) - 1.5) }        // mean 0, sd ≈ 0.58 points
        let judged = try DeepJudgement.judge(statement, gains: ["a": tight, "b": tight])
        #expect(judged.verdict == .indeterminate)
        #expect(judged.reason.contains("an effect of +2.6 points would have been detected"), "\(judged.reason)")
        #expect(judged.reason.contains("an effect of +12.0 points would have been detected"), "\(judged.reason)")
        let wide = [0.1, -0.1, 0.05, -0.05]
        let small = try DeepJudgement.judge(statement, gains: ["a": wide, "b": wide])
        #expect(small.reason.contains("too few seeds to detect the paper's +2.6 points"), "\(small.reason)")
    }

    /// A gain compared with the paper's: the interval of the gain minus the paper's value at each
    /// configuration, judged against 0. Gains of +3 points clear +2.6 and fall short of +12.0.
    @Test func gainsAgainstThePapersValues() throws {
        let statement = try DeepStatement.parse(yaml: Self.helps.replacingOccurrences(of: "claim: {gain: \"> 0\", trend: \"> 0\"}", with: "claim: {gain: \">= paper\"}"))
        let three = [0.030, 0.031, 0.029, 0.030, 0.0305, 0.0295]
        let holdsAtA = try DeepJudgement.judge(statement, gains: ["a": three, "b": three.map { $0 + 0.10 }])
        #expect(holdsAtA.verdict == .holds, "\(holdsAtA.reason)")   // +3 ≥ +2.6 and +13 ≥ +12
        let short = try DeepJudgement.judge(statement, gains: ["a": three, "b": three])
        #expect(short.verdict == .violated && short.reason.contains(">= +12.0 (the paper's) violated"), "\(short.reason)")
        // A trend alone needs no gain claim; a paper reference needs the paper's value everywhere.
        let trend = try DeepStatement.parse(yaml: Self.helps.replacingOccurrences(of: "claim: {gain: \"> 0\", trend: \"> 0\"}", with: "claim: {trend: \">= 0\"}"))
        let grows = try DeepJudgement.judge(trend, gains: ["a": three, "b": three.map { $0 + 0.1 }])
        #expect(trend.gain == nil && grows.verdict == .holds, "\(grows.reason)")
        #expect(throws: ConfigError.self) {
            try DeepStatement.parse(yaml: Self.helps.replacingOccurrences(of: "claim: {gain: \"> 0\", trend: \"> 0\"}", with: "claim: {gain: \">= paper\"}")
                .replacingOccurrences(of: "paper: {a: 2.6, b: 12.0}", with: "paper: {a: 2.6}"))
        }
        #expect(throws: ConfigError.self) {
            try DeepStatement.parse(yaml: Self.helps.replacingOccurrences(of: "claim: {gain: \"> 0\", trend: \"> 0\"}", with: "claim: {trend: \">= paper\"}"))
        }
    }

    @Test(arguments: [("claim: {gain: \"> 0\", trend: \"> 0\"}", "claim: {gain: \">> 0\"}", "claim.gain"),
                      ("paper: {a: 2.6, b: 12.0}", "paper: {c: 1}", "paper.c"),
                      ("axis: sample_ratio", "axis: depth", "axis"),
                      ("provenance: paper", "provenance: folklore", "provenance"),
                      ("title: t", "title: t\nextra: 1", "extra")])
    func refusesBadFiles(original: String, replacement: String, field: String) {
        do {
            _ = try DeepStatement.parse(yaml: Self.helps.replacingOccurrences(of: original, with: replacement))
            Issue.record("accepted \(replacement)")
        } catch let error as ConfigError {
            #expect(error.field == field, "\(error)")
        } catch { Issue.record("\(error)") }
    }

    /// The shipped statements load, and every configuration they name is in both shipped suites.
    @Test func shippedSuitesCoverTheStatements() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let statements = try DeepStatement.load(directory: root.appendingPathComponent("proofs/deep"))
        #expect(Set(statements.map(\.id)) == ["deep-transfer-helps", "deep-robust-to-target-noise", "deep-vit-late-blocks", "deep-negative-transfer",
                                               "deep-gain-at-paper-scale", "deep-gain-grows-with-ratio"])
        // Sign and trend claims are the paper's; the magnitude claim is a number at the paper's scale.
        #expect(statements.allSatisfy { $0.provenance == ($0.id == "deep-gain-at-paper-scale" ? .paperClaim : .paper) })
        for name in ["deep-quick", "deep-full"] {
            let suite = try DeepSuite.load(from: root.appendingPathComponent("validation/\(name).yaml"))
            let labels = Set(suite.configurations.map(\.label))
            for s in statements { #expect(s.configurations.allSatisfy(labels.contains), "\(name): \(s.id)") }
            #expect(suite.configurations.first { $0.label == "ratio-4" }?.sampleRatio == 4)
            #expect(suite.configurations.first { $0.label == "ratio-2" }?.sampleRatio == 2)
        }
        // The curves suite judges the ResNet statements on configurations that are also curve points.
        let curves = try DeepSuite.load(from: root.appendingPathComponent("validation/deep-curves.yaml"))
        let labels = Set(curves.configurations.map(\.label))
        for s in statements where curves.statements?.contains(s.id) == true { #expect(s.configurations.allSatisfy(labels.contains), "deep-curves: \(s.id)") }
        #expect(curves.curves.map(\.axis) == [.downstreamSamples, .sampleRatio, .labelNoise, .alpha])
        // ratio-4 is the point N₁/N₂ = 4 (and N₂ = 250, noise 0, α = ½), so the store runs it once.
        let own = try #require(curves.configurations.first { $0.label == "ratio-4" })
        for label in ["sample_ratio-4", "downstream_samples-250", "label_noise-0", "alpha-0.5"] {
            let point = try #require(curves.configurations.first { $0.label == label })
            #expect(point.runsLike(own), "\(label)")
        }
    }
}

struct DeepSuiteTests {
    static let suite = """
    kind: deep
    seeds: [0, 1]
    upstream: {classes: [0, 1], train_samples: 200}
    downstream: {classes: [2, 3], train_samples: 50}
    transfer: {layers: [stem.], alpha: 0.5}
    configurations:
      - {label: a}
      - {label: b, downstream: {label_noise: 0.2}}
    """

    /// A configuration's keys override the suite's defaults and keep the rest.
    @Test func configurationsOverrideDefaults() throws {
        let suite = try DeepSuite.parse(yaml: Self.suite)
        #expect(suite.configurations[1].downstream.labelNoise == 0.2 && suite.configurations[1].downstream.classes == [2, 3])
        #expect(suite.configurations[0].sampleRatio == 4 && suite.configurations[1].transfer.alpha == 0.5)
    }

    @Test(arguments: [("{label: b, downstream: {label_noise: 0.2}}", "{label: b, downstream: {label_noise: 1.5}}", "configurations[1].downstream.label_noise"),
                      ("kind: deep", "kind: shallow", "kind"),
                      ("seeds: [0, 1]", "seeds: [0]", "seeds"),
                      ("alpha: 0.5", "alpha: 2", "transfer.alpha"),
                      ("{label: a}", "{label: b}", "configurations[1].label"),
                      ("{label: a}", "{label: a, transfer: {layers: [blocks.3-1]}}", "configurations[0].transfer.layers[0]")])
    func refusesBadSuites(original: String, replacement: String, field: String) {
        do {
            _ = try DeepSuite.parse(yaml: Self.suite.replacingOccurrences(of: original, with: replacement))
            Issue.record("accepted \(replacement)")
        } catch let error as ConfigError {
            #expect(error.field == field, "\(error)")
        } catch { Issue.record("\(error)") }
    }

    /// A suite runs into the store; a second run finds every run there and trains nothing,
    /// with the same judgements; two configurations with one downstream task share the
    /// scratch run.
    @Test func resumesFromTheStore() async throws {
        var suite = try DeepSuite.parse(yaml: Self.suite)
        for k in suite.configurations.indices {
            suite.configurations[k].upstream = SyntheticImages.upstream
            suite.configurations[k].downstream = SyntheticImages.downstream
        }
        suite.configurations[1].upstream.trainSamples = 100
        let statement = try DeepStatement.parse(yaml: DeepStatementTests.helps)
        let validation = try DeepValidation(suite: suite, statements: [statement], workers: 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("deep-store-\(UUID().uuidString).sqlite")
        let store = try SweepStore(url: url)
        var lines: [String] = []
        let first = try await validation.run(images: SyntheticImages.images, store: store) { lines.append($0) }
        #expect(lines.first?.contains("10 distinct runs, 10 to run") == true, "\(lines.first ?? "")")  // 4 upstream, 4 transfer, 2 scratch
        lines = []
        let second = try await validation.run(images: SyntheticImages.images, store: try SweepStore(url: url)) { lines.append($0) }
        #expect(lines.count == 1 && lines[0].contains("0 to run"), "\(lines)")
        #expect(first.outcomes.map(\.gain) == second.outcomes.map(\.gain))
        #expect(first.judgements.map(\.verdict) == second.judgements.map(\.verdict))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deep-report-\(UUID().uuidString)")
        try second.write(to: folder)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any])
        #expect((summary["configurations"] as? [[String: Any]])?.count == 2)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("figures/energy-a.svg").path))
    }
}

/// Gain curves (docs/theory.md §9e): each point is the suite's own configuration with one
/// setting moved, plus its shuffled-upstream control.
struct GainCurveTests {
    static let suite = """
    kind: deep
    seeds: [0, 1, 2]
    upstream: {model: {block: basic, stem: 4, stages: [{blocks: 1, width: 4, stride: 2}, {blocks: 1, width: 8, stride: 2}]}, classes: [0, 1, 2, 3], train_samples: 160, test_samples: 100, epochs: 2, batch_size: 16}
    downstream: {model: {block: basic, stem: 4, stages: [{blocks: 1, width: 4, stride: 2}, {blocks: 1, width: 8, stride: 2}]}, classes: [4, 5, 6, 7], train_samples: 40, test_samples: 100, epochs: 2, batch_size: 16}
    transfer: {layers: shared, alpha: 0.5}
    curves:
      - {axis: downstream_samples, values: [40, 80]}
      - {axis: sample_ratio, values: [1, 2.5]}
      - {axis: label_noise, values: [0, 0.3]}
      - {axis: alpha, values: [0.25, 1]}
    """

    /// The settings each axis moves, by hand from the suite above (N₁/N₂ = 160/40 = 4).
    @Test func eachPointMovesOneSettingAndHasAControl() throws {
        let suite = try DeepSuite.parse(yaml: Self.suite)
        #expect(suite.configurations.count == 16 && suite.curves.map(\.points.count) == [2, 2, 2, 2])
        func config(_ label: String) throws -> DeepSuite.Configuration { try #require(suite.configurations.first { $0.label == label }) }
        #expect(try config("downstream_samples-80").downstream.trainSamples == 80 && config("downstream_samples-80").upstream.trainSamples == 320)
        #expect(try config("sample_ratio-2.5").upstream.trainSamples == 100 && config("sample_ratio-2.5").downstream.trainSamples == 40)
        #expect(try config("label_noise-0.3").downstream.labelNoise == 0.3 && config("label_noise-0.3").upstream.trainSamples == 160)
        #expect(try config("alpha-0.25").transfer.alpha == 0.25 && config("alpha-0.25").downstream.labelNoise == 0)
        for curve in suite.curves {
            for point in curve.points {
                let (real, control) = (try config(point.label), try config(point.control))
                #expect(!real.upstream.shuffleLabels && control.upstream.shuffleLabels)
                var unshuffled = control
                unshuffled.upstream.shuffleLabels = false
                #expect(unshuffled.runsLike(real))
                #expect(curve.axis.value(real) == point.x)
            }
        }
        #expect(suite.curves[1].points.map(\.x) == [1, 2.5])
    }

    @Test(arguments: [("axis: alpha, values: [0.25, 1]", "axis: none, values: [0.25, 1]", "curves[3].axis"),
                      ("axis: alpha, values: [0.25, 1]", "axis: width, values: [0.25, 1]", "curves[3].axis"),
                      ("axis: alpha, values: [0.25, 1]", "axis: alpha, values: [0.25]", "curves[3].values"),
                      ("axis: alpha, values: [0.25, 1]", "axis: alpha", "curves[3].values"),
                      ("axis: alpha, values: [0.25, 1]", "axis: alpha, values: [0.25, 0.25]", "curves[3].values[1]"),
                      ("axis: alpha, values: [0.25, 1]", "axis: alpha, values: [0.25, 1.5]", "curves[3].values[1]"),
                      ("axis: label_noise, values: [0, 0.3]", "axis: label_noise, values: [0, 1]", "curves[2].values[1]"),
                      ("axis: sample_ratio, values: [1, 2.5]", "axis: sample_ratio, values: [1, 0]", "curves[1].values[1]"),
                      ("axis: sample_ratio, values: [1, 2.5]", "axis: sample_ratio, values: [1, 0.001]", "curves[1].values[1]"),
                      ("axis: sample_ratio, values: [1, 2.5]", "axis: sample_ratio, values: [1, 2.5], step: 1", "curves[1].step"),
                      ("train_samples: 160,", "train_samples: 160, shuffle_labels: true,", "upstream.shuffle_labels"),
                      ("transfer: {layers: shared, alpha: 0.5}\n", "transfer: {layers: shared, alpha: 0.5}\nconfigurations: [{label: alpha-1}]\n", "curves[3].values[1]")])
    func refusesBadCurves(original: String, replacement: String, field: String) {
        let text = Self.suite.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.suite, "the replacement did not apply")
        do {
            _ = try DeepSuite.parse(yaml: text)
            Issue.record("accepted \(replacement)")
        } catch let error as ConfigError {
            #expect(error.field == field, "\(error)")
        } catch { Issue.record("\(error)") }
    }

    /// A curve suite trains and reports: per point the gain and the control's, and their
    /// difference equal to transfer(trained) − transfer(shuffled) accuracy computed here from the
    /// raw outcomes (the scratch run is shared, so it cancels).
    @Test func curvesAreReportedWithTheirControls() async throws {
        let text = Self.suite.replacingOccurrences(of: "  - {axis: downstream_samples, values: [40, 80]}\n", with: "")
            .replacingOccurrences(of: "  - {axis: sample_ratio, values: [1, 2.5]}\n", with: "")
            .replacingOccurrences(of: "  - {axis: label_noise, values: [0, 0.3]}\n", with: "")
        let suite = try DeepSuite.parse(yaml: text)
        let statement = try DeepStatement.parse(yaml: DeepStatementTests.helps.replacingOccurrences(of: "[a, b]", with: "[alpha-0.25, alpha-1]")
            .replacingOccurrences(of: "paper: {a: 2.6, b: 12.0}", with: "paper: {alpha-0.25: 2.6, alpha-1: 12.0}"))
        let validation = try DeepValidation(suite: suite, statements: [statement], workers: 2)
        let store = try SweepStore(url: FileManager.default.temporaryDirectory.appendingPathComponent("deep-curve-\(UUID().uuidString).sqlite"))
        let result = try await validation.run(images: SyntheticImages.images, store: store) { _ in }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deep-curve-report-\(UUID().uuidString)")
        try result.write(to: folder)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("figures/curve-alpha.svg").path))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any])
        let curve = try #require((summary["curves"] as? [[String: Any]])?.first)
        #expect(curve["axis"] as? String == "alpha")
        let points = try #require(curve["points"] as? [[String: Any]])
        #expect(points.map { $0["x"] as? Double } == [0.25, 1])
        for point in points {
            func accuracies(_ label: String) -> [Double] {
                let k = suite.configurations.firstIndex { $0.label == label }!
                return result.outcomes.filter { $0.configuration == k }.map(\.transfer.testAccuracy)
            }
            let real = accuracies(point["configuration"] as! String), control = accuracies(point["control"] as! String)
            let expected = zip(real, control).map { $0 - $1 }.reduce(0, +) / Double(real.count)
            let learning = try #require((point["upstream_learning"] as? [String: Any])?["mean"] as? Double)
            #expect(abs(learning - expected) <= 1e-12, "\(learning) against \(expected)")
            #expect(point["minimum_detectable_effect"] is Double)
        }
        let page = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("Gain curves") && page.contains("trained − shuffled upstream") && page.contains("Before the first downstream step"))
        // Every point and its control is a pair of starting points.
        let starts = try #require(summary["starting_points"] as? [[String: Any]])
        #expect(starts.map { $0["control"] as? String } == ["alpha-0.25-shuffled", "alpha-1-shuffled"])
        // The starting network is the one the transfer run trained from: its input layer's
        // energies against the class-mean span equal the run's own epoch-0 record.
        let unit = try #require(validation.units.first { suite.configurations[$0.configuration].label == "alpha-0.25" })
        let upstream = try #require(try DeepValidation.upstreamArrays(of: unit.transfer, in: store))
        let (train, _) = SyntheticImages.images.task(unit.transfer.config, side: .downstream, seed: unit.seed)
        let (network, inherited) = try unit.transfer.startingNetwork(for: train, upstream: upstream)
        let input = unit.transfer.config.model.inputLayer
        let weight = try #require(network.parameters.first { $0.name == input.weight }?.parameter.value)
        let rows = try #require(inherited[input.weight])
        let energy = SignalSubspace(task: train, kernel: input.kernel, stride: input.stride).meanEnergies(of: weight, rows: rows)
        let recorded = try #require(result.outcomes.first { $0.configuration == unit.configuration && $0.seed == unit.seed }?.transfer.epochs.first?.inputLayer[.inherited])
        #expect(energy == recorded)
        #expect(result.outcomes.allSatisfy { $0.start?.contrast[.inherited] != nil })
    }
}
