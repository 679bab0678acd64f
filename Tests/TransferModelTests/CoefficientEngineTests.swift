@testable import NumericsCore
@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The coefficient-space engine against the weight-space engine (docs/theory.md §3, §5): same
/// filters (≤ 1e-9 relative), same activation patterns, same test predictions, same recordings.
struct CoefficientEngineTests {
    static let cases: [String] = [
        "layout: combined\n", "layout: separate\n", "layout: combined\np: 0.2\n",
        "layout: separate\np: 0.3\nv_overlap: 0.5\n", "variant: weight\n", "variant: frozen\n",
        "variant: rescaled\nrescale: 2.5\n", "variant: random_slots\n", "alpha: 0\n", "alpha: 1\nlayout: separate\n",
        "layout: separate\nu_norm: 0\n", "eta: 3\nsigma0: 0.1\nrecord_every: 7\n",
    ]

    static func relativeError(_ a: Matrix, _ b: Matrix) -> Double {
        var diff = 0.0, norm = 0.0
        for e in a.storage.indices { diff += (a.storage[e] - b.storage[e]) * (a.storage[e] - b.storage[e]); norm += b.storage[e] * b.storage[e] }
        return (diff / max(norm, .leastNormalMagnitude)).squareRoot()
    }

    static func maxRelative(_ a: [Double], _ b: [Double]) -> Double {
        let scale = max(b.map(abs).max() ?? 0, 1e-300)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// A run using a second core (downstream draws on another thread, banded products on a
    /// worker) gives the same filters, recordings and test outputs, bit for bit. With 2m = 40 and
    /// K = 201 the per-step product (1.6·10⁶ multiply–adds) is above the banding threshold.
    @Test(arguments: ["engine: coefficients\n", "engine: coefficients\nlayout: separate\nvariant: frozen\n"])
    func secondCoreChangesNothing(extra: String) async throws {
        let config = Fixtures.config(extra + "d: 500\nN1: 200\nN2: 20\nm: 20\nT1: 30\nT2: 30\nn_test: 300\n")
        let sequential = TransferExperiment(config: config)
        var parallel = sequential
        parallel.parallelWithinRun = true
        for (a, b) in zip(try await sequential.run(), try await parallel.run()) {
            #expect(a.run.final.weights == b.run.final.weights, "\(a.phase)")
            #expect(a.testOutputs == b.testOutputs && a.run.trainScore == b.run.trainScore, "\(a.phase)")
            #expect(zip(a.run.snapshots, b.run.snapshots).allSatisfy {
                $0.rhoBar == $1.rhoBar && $0.gamma == $1.gamma && $0.innerNoise == $1.innerNoise
            }, "\(a.phase)")
        }
    }

    @Test(arguments: cases)
    func enginesAgree(extra: String) async throws {
        let weightRuns = try await TransferExperiment(config: Fixtures.config(extra + "engine: weights\n")).run()
        let coefficientExperiment = TransferExperiment(config: Fixtures.config(extra + "engine: coefficients\n"))
        #expect(coefficientExperiment.engine(for: .upstream) == .coefficients)
        let coefficientRuns = try await coefficientExperiment.run()
        #expect(weightRuns.count == 3 && coefficientRuns.count == 3)
        for (w, c) in zip(weightRuns, coefficientRuns) {
            let label = "\(extra.replacingOccurrences(of: "\n", with: " "))\(w.phase)"
            // Same initialisation (the transferred one inherits upstream filters, equal to rounding).
            let initialError = Self.relativeError(c.run.initial.weights, w.run.initial.weights)
            #expect(initialError <= 1e-9, "\(label): initialisations differ by \(initialError)")
            let rel = Self.relativeError(c.run.final.weights, w.run.final.weights)
            #expect(rel <= 1e-9, "\(label): final filters differ by \(rel)")
            // Activation patterns of the final filters, on the training and the test set.
            let testVectors = w.test.materialised()
            for data in [w.train, testVectors] {
                let zw = w.run.final.preactivations(data).storage.map { $0 > 0 }
                let zc = c.run.final.preactivations(data).storage.map { $0 > 0 }
                #expect(zw == zc, "\(label): activation patterns differ")
            }
            // Test predictions and scores.
            let fw = w.testOutputs.map { $0 > 0 }
            let fc = c.testOutputs.map { $0 > 0 }
            #expect(fc == c.run.final.outputs(testVectors).map { $0 > 0 }, "\(label): reduced and ℝᵈ test outputs differ")
            #expect(fw == fc, "\(label): test predictions differ")
            #expect(w.testScore.error == c.testScore.error && w.testScore.cleanError == c.testScore.cleanError, "\(label)")
            #expect(abs(w.testScore.loss - c.testScore.loss) <= 1e-9 * max(1, w.testScore.loss), "\(label)")
            #expect(w.run.trainScore.error == c.run.trainScore.error, "\(label)")
            // The recordings: same steps, same coefficients and inner products.
            #expect(w.run.snapshots.map(\.step) == c.run.snapshots.map(\.step), "\(label)")
            for (a, b) in zip(w.run.snapshots, c.run.snapshots) {
                #expect(b.decompositionRelativeError <= 1e-9, "\(label) step \(b.step): \(b.decompositionRelativeError)")
                #expect(abs(a.trainLoss - b.trainLoss) <= 1e-9 * max(1, a.trainLoss))
                #expect(a.trainError == b.trainError)
                for s in a.gamma.indices { #expect(Self.maxRelative(b.gamma[s], a.gamma[s]) <= 1e-9, "\(label) γ step \(a.step)") }
                #expect(Self.maxRelative(b.rhoBar.storage, a.rhoBar.storage) <= 1e-9, "\(label) ρ̄ step \(a.step)")
                #expect(Self.maxRelative(b.rhoUnder.storage, a.rhoUnder.storage) <= 1e-9, "\(label) ρ̲ step \(a.step)")
                #expect(Self.maxRelative(b.innerNoise.storage, a.innerNoise.storage) <= 1e-9, "\(label) ⟨w,ξ⟩ step \(a.step)")
                for (x, y) in [(b.innerU, a.innerU), (b.innerV1, a.innerV1), (b.innerV2, a.innerV2)] {
                    #expect(Self.maxRelative(x, y) <= 1e-9, "\(label) ⟨w,signal⟩ step \(a.step)")
                }
            }
        }
    }

    @Test func autoPicksTheCheaperEngine() throws {
        let small = Fixtures.config("d: 2000\nN1: 50\n")
        #expect(TransferExperiment(config: small).engine(for: .upstream) == .coefficients)
        // n ≫ d: the Gram matrix is larger than the weight-space work.
        let wide = Fixtures.config("d: 5\nN1: 400\nm: 1\nT1: 3\n")
        #expect(TransferExperiment(config: wide).engine(for: .upstream) == .weights)
        #expect(TransferExperiment(config: Fixtures.config("T1: 0\n")).engine(for: .upstream) == .weights)
        let forced = Fixtures.config("engine: coefficients\nd: 5\nN1: 400\nm: 1\nT1: 3\n")
        #expect(TransferExperiment(config: forced).engine(for: .upstream) == .coefficients)
    }

    @Test func engineKeyIsValidated() {
        #expect(throws: ConfigError.self) { try ExperimentConfig.parse(yaml: "engine: gpu\n") }
        do { _ = try ExperimentConfig.parse(yaml: "engine: gpu\n") } catch let error as ConfigError {
            #expect(error.field == "engine" && error.description.contains("weights, coefficients, auto"))
        } catch { Issue.record("unexpected \(error)") }
        #expect((try? ExperimentConfig.parse(yaml: "engine: weights\n"))?.engine == .weights)
        #expect(ExperimentConfig().engine == .auto)
    }
}

/// `record: final` (a sweep's default) skips the per-step recorder and reads γ, ρ̄, ρ̲ off the
/// coordinates at the end: the training itself is the same computation, so test errors, Γ̂
/// and every metric of the test margins are equal bit for bit, and the final γ, ρ̄, ρ̲ equal the
/// recorder's to 1e-9 relative (the decomposition's tolerance: the recorder sums the same
/// increments in its own order). Only the last step is recorded.
struct FinalRecordingTests {
    @Test(arguments: ["", "layout: separate\np: 0.2\n", "variant: frozen\nalpha: 1\n", "p: 0.1\nvariant: top_snr\n"])
    func finalRecordingChangesNoResult(extra: String) async throws {
        let yaml = extra + "engine: coefficients\nd: 600\nN1: 30\nN2: 12\nm: 6\nT1: 80\nT2: 80\nrecord_every: 8\nn_test: 300\nseed: 3\n"
        let trajectories = try await TransferExperiment(config: Fixtures.config(yaml)).run()
        let final = try await TransferExperiment(config: Fixtures.config(yaml + "record: final\n")).run()
        for (a, b) in zip(trajectories, final) {
            #expect(a.testOutputs == b.testOutputs && a.run.trainScore == b.run.trainScore, "\(a.phase)")
            for name in ["test_error", "clean_test_error", "Gamma_hat", "margin_mean", "margin_var", "train_Gamma_hat"] {
                #expect(a.metrics[name] == b.metrics[name], "\(a.phase) \(name)")
            }
            #expect(a.run.snapshots.count == 80 / 8 + 1 && b.run.snapshots.count == 1, "\(a.phase)")
            let (x, y) = (a.run.snapshots.last!, b.run.snapshots.last!)
            #expect(x.step == y.step)
            #expect(CoefficientEngineTests.relativeError(y.rhoBar, x.rhoBar) <= 1e-9, "\(a.phase) ρ̄")
            #expect(CoefficientEngineTests.relativeError(y.rhoUnder, x.rhoUnder) <= 1e-9, "\(a.phase) ρ̲")
            for (g, h) in zip(y.gamma, x.gamma) { #expect(CoefficientEngineTests.maxRelative(g, h) <= 1e-9, "\(a.phase) γ") }
            #expect(y.innerNoise == x.innerNoise && y.innerU == x.innerU)
        }
    }
}
