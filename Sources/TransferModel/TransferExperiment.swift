import Foundation
import NumericsCore
import Vocabulary

/// The three training phases of one experiment (docs/theory.md §4).
public enum Phase: String, Sendable, CaseIterable {
    /// Task 1, N₁ samples, T₁ steps, from a fresh initialisation.
    case upstream
    /// Task 2, N₂ samples, T₂ steps, from the Algorithm-1 initialisation.
    case transfer
    /// Task 2, same data and fresh draw as `transfer`, with nothing inherited (α = 0).
    case scratch
}

/// One finished phase: its data, its training run and its test score.
public struct PhaseOutcome: Sendable {
    public let phase: Phase
    public let distribution: TaskDistribution
    public let train: Dataset
    /// Fresh samples from the same task (`n_test` of them), in the reduced representation of
    /// ``TestSet`` (``TestSet/materialised()`` gives them in ℝᵈ). Transfer and scratch share one.
    public let test: TestSet
    /// f(W, x_t) of the final filters on every test sample.
    public let testOutputs: [Double]
    public let run: TrainingRun
    /// Loss and errors of the final filters on `test`.
    public let testScore: Score
    /// What Algorithm 1 inherited (transfer phase only).
    public let inheritance: TransferredInitialisation?
}

extension PhaseOutcome {
    /// The names of a phase's metrics, as in `metrics.json` and the sweep store's columns.
    public static let metricNames = ["train_loss", "train_error", "test_error", "clean_test_error", "test_loss",
                                     "n_test", "steps", "seconds", "decomposition_max_rel_error"]

    /// The phase's metrics by ``metricNames`` (`n_test` and `steps` are whole numbers).
    public var metrics: [String: Double] {
        ["train_loss": run.trainScore.loss, "train_error": run.trainScore.error,
         "test_error": testScore.error, "clean_test_error": testScore.cleanError, "test_loss": testScore.loss,
         "n_test": Double(test.count), "steps": Double(run.steps), "seconds": run.seconds,
         "decomposition_max_rel_error": run.snapshots.map(\.decompositionRelativeError).max() ?? 0]
    }
}

/// Runs upstream training, Algorithm 1 and the scratch baseline for one configuration.
///
/// Every random choice comes from a named stream of the config's seed: "signals",
/// "upstream-train", "upstream-test", "upstream-init", "downstream-train", "downstream-test",
/// "downstream-init", "transfer-choice", and "upstream-test-complement",
/// "downstream-test-complement" for the parts of materialised test vectors that no score sees.
/// Transfer and scratch share the downstream data, the fresh initialisation and the test set, so
/// they differ only by the inherited filters, and α = 0 reproduces scratch bit for bit.
///
/// Test sets are drawn in the reduced representation of ``TestSet`` (docs/theory.md §2, §5): the
/// spanning vectors are, upstream, the initial filters and the training noises; downstream, the
/// fresh draw, every Algorithm-1 row that differs from it (computed even when only scratch runs,
/// so scratch never depends on which phases ran) and the downstream training noises.
public struct TransferExperiment: Sendable {
    public let config: ExperimentConfig
    /// Where the vectors live and how the Gaussian ones are drawn (`sampler`; theory §2a).
    public let space: SampleSpace
    public let geometry: SignalGeometry
    public let probes: SignalVectors
    /// Use a second core within the run: the downstream data are drawn on another thread while
    /// upstream trains, and a ``SpinningWorker`` takes half of each large product. Every draw
    /// comes from its own stream and products are split the same way either way, so results are
    /// identical bit for bit; worth it for a single run on a multi-core machine (`ptv train`),
    /// not inside a parallel sweep.
    public var parallelWithinRun = false

    /// How test sets are drawn, for manifests.
    public static let testSetDescription = "test noise drawn in the reduced representation: a_t = σ L z_t, z_t ~ N(0, I), G = L Lᵀ the Gram matrix of the projected spanning vectors (initial filters incl. transferred rows, training noises; downstream factored fresh filters and noises first, inherited rows' z from '<task>-test-extra'); ℝᵈ vectors (saved arrays, weight engine) add σ P_⊥ g_t from the '<task>-test-complement' stream; direct d-dimensional draws when r ≥ d − 2"

    public init(config: ExperimentConfig) {
        self.config = config
        space = SampleSpace(config: config)
        geometry = space.geometry(overlap: config.v_overlap, seed: config.seed)
        probes = SignalVectors(config: config, geometry: geometry)
    }

    public func distribution(task: Int) -> TaskDistribution {
        TaskDistribution(task: task, config: config, geometry: geometry)
    }

    /// The engine that trains `phase` (`config.engine` with `auto` resolved; see `TrainingEngine`).
    public func engine(for phase: Phase) -> TrainingEngine {
        let upstream = phase == .upstream
        return config.engine.resolved(n: upstream ? config.N1 : config.N2, d: space.dimension, m: config.m,
                                      patchCount: config.patchCount, steps: upstream ? config.T1 : config.T2)
    }

    private func stream(_ name: RandomStream) -> SeededGenerator { SeededGenerator(seed: config.seed, stream: name.rawValue) }

    /// Run the phases in order, handing each to `onPhase` (on the calling thread) once it is
    /// trained and scored and before the next phase trains, so a caller can write it to disk
    /// first. `progress` receives (phase, step).
    @discardableResult
    public func run(phases: [Phase] = Phase.allCases,
                    progress: (@Sendable (Phase, Int) -> Void)? = nil,
                    onPhase: (PhaseOutcome) throws -> Void = { _ in }) throws -> [PhaseOutcome] {
        // Every run computes with single-threaded BLAS, so its results never depend on how
        // OpenBLAS was configured before (its threaded kernels split sums differently).
        BLAS.useSingleThread()
        var outcomes: [PhaseOutcome] = []
        let worker = parallelWithinRun ? SpinningWorker() : nil
        defer { worker?.stop() }
        let task1 = distribution(task: 1), task2 = distribution(task: 2)

        let config = self.config
        let downstreamNeeded = phases.contains(.transfer) || phases.contains(.scratch)
        let space = self.space
        let downstreamData = Deferred(startingNow: parallelWithinRun && downstreamNeeded) {
            var rng = SeededGenerator(seed: config.seed, stream: RandomStream.downstreamTrain.rawValue)
            let train = task2.sample(config.N2, using: &rng, gaussians: space.rows(.downstreamNoise))
            rng = SeededGenerator(seed: config.seed, stream: RandomStream.downstreamInit.rawValue)
            return (train, FilterBank.gaussian(m: config.m, sigma0: config.sigma0, rows: space.rows(.downstreamFreshFilters), using: &rng))
        }

        var rng = stream(.upstreamTrain)
        let train1 = task1.sample(config.N1, using: &rng, gaussians: space.rows(.upstreamNoise), worker: worker)
        rng = stream(.upstreamInit)
        let init1 = FilterBank.gaussian(m: config.m, sigma0: config.sigma0, rows: space.rows(.upstreamInitialFilters), using: &rng)
        var basis1: CoefficientBasis?, inner1: Matrix?
        if engine(for: .upstream) == .coefficients {
            let b = CoefficientBasis(distribution: task1, data: train1, probes: probes, worker: worker)
            basis1 = b
            inner1 = b.innerProducts(of: init1.weights, worker: worker)
        }
        let identity = Array(0..<(2 * config.m))
        let upstreamRun = train(.upstream, task1, train1, init1, nil, progress, basis: basis1, initialInner: inner1, worker: worker)
        // Scoring needs the test set (drawn from the same inner products); with a second core
        // both are done there while the downstream phases are set up.
        let upstream = Deferred(startingNow: parallelWithinRun && downstreamNeeded) { [basis1, inner1] in
            let test1 = self.testSet(task1, train: train1, filters: init1.weights, basis: basis1, filterInner: inner1)
            return self.outcome(.upstream, upstreamRun, task1, train1, test1, identity, nil)
        }
        guard downstreamNeeded else {
            try onPhase(upstream.value)
            return [upstream.value]
        }

        let (train2, fresh) = downstreamData.value
        rng = stream(.transferChoice)
        let inheritance = TransferPlan(config: config).apply(upstream: upstreamRun.run.final, fresh: fresh, using: &rng)
        // Spanning filters: the fresh draw, then each transferred row that differs from it.
        let twoM = 2 * config.m, d = space.dimension
        let changed = (0..<twoM).filter { k in
            inheritance.filters.weights.storage[(k * d)..<((k + 1) * d)] != fresh.weights.storage[(k * d)..<((k + 1) * d)]
        }
        var spanStorage = fresh.weights.storage
        var transferIndex = identity
        for (a, k) in changed.enumerated() {
            spanStorage += inheritance.filters.weights.row(k)
            transferIndex[k] = twoM + a
        }
        let spanFilters = Matrix(rows: twoM + changed.count, cols: d, storage: spanStorage)
        // Coefficient space: transfer and scratch share the basis of the downstream training set
        // and the inner products of the fresh rows with it (computed once).
        var basis2: CoefficientBasis?, spanInner2: Matrix?, freshInner: Matrix?, transferInner: Matrix?
        if engine(for: .transfer) == .coefficients {
            let b = CoefficientBasis(distribution: task2, data: train2, probes: probes, worker: worker)
            basis2 = b
            let all = b.innerProducts(of: spanFilters, worker: worker)
            spanInner2 = all
            var rowsFresh = Matrix(rows: twoM, cols: b.count), rowsTransfer = Matrix(rows: twoM, cols: b.count)
            for k in 0..<twoM {
                rowsFresh.setRow(k, all.row(k))
                rowsTransfer.setRow(k, all.row(transferIndex[k]))
            }
            freshInner = rowsFresh
            transferInner = rowsTransfer
        }
        // Fresh filters and training noises lead the factorisation, so scratch's test draw does not
        // depend on what was inherited.
        let n2 = train2.count, f2 = spanFilters.rows
        let order2 = Array(0..<twoM) + Array(f2..<(f2 + n2)) + Array(twoM..<f2)
        let test2 = Deferred(startingNow: parallelWithinRun) { [basis2, spanInner2] in
            self.testSet(task2, train: train2, filters: spanFilters, basis: basis2, filterInner: spanInner2,
                         order: order2, leading: twoM + n2)
        }
        let materialised2 = Deferred(startingNow: false) { test2.value.materialised() }
        // Hand upstream over before the downstream phases train, so an interrupted run keeps it.
        try onPhase(upstream.value); outcomes.append(upstream.value)
        // Scratch needs nothing from transfer: with a second core it trains alongside (without the
        // worker, which transfer's thread holds; its bands are then taken in turn, same result).
        let scratchTrained = Deferred(startingNow: parallelWithinRun && phases.contains(.scratch) && phases.contains(.transfer)) {
            [basis2, freshInner] in
            self.train(.scratch, task2, train2, fresh, nil, progress, basis: basis2, initialInner: freshInner, worker: nil)
        }
        if phases.contains(.transfer) {
            let trained = train(.transfer, task2, train2, inheritance.filters, inheritance, progress, basis: basis2,
                                initialInner: transferInner, worker: worker)
            let transfer = outcome(.transfer, trained, task2, train2, test2.value, transferIndex, inheritance,
                                   materialisedTest: materialised2.value)
            try onPhase(transfer); outcomes.append(transfer)
        }
        if phases.contains(.scratch) {
            let scratch = outcome(.scratch, scratchTrained.value, task2, train2, test2.value, identity, nil,
                                  materialisedTest: materialised2.value)
            try onPhase(scratch); outcomes.append(scratch)
        }
        return outcomes
    }

    /// The test set of one task (`n_test` samples, stream "<name>-test"), spanned by `filters`
    /// (rows) and the training noises; with a coefficient basis, G is assembled from its Gram
    /// matrix and `filterInner` (⟨filter, b⟩ for every basis vector b).
    private func testSet(_ task: TaskDistribution, train: Dataset, filters: Matrix,
                         basis: CoefficientBasis?, filterInner: Matrix?, order: [Int]? = nil, leading: Int? = nil) -> TestSet {
        var gram: Matrix?
        if let basis, let filterInner {
            gram = TestSet.spanningGram(filters: filters, filterInner: filterInner, basis: basis, distribution: task)
        }
        let streams = RandomStream.testStreams(upstream: task.task == 1)
        var rng = stream(streams.test)
        return TestSet.draw(config.n_test, of: task, spanning: filters, trainingNoise: train, gram: gram,
                            order: order, leading: leading, extraStream: streams.extra.rawValue, using: &rng,
                            complementSeed: config.seed, complementStream: streams.complement.rawValue)
    }

    /// One phase's training run, and its coefficient-space form when that engine trained it.
    private struct TrainedPhase: Sendable {
        let run: TrainingRun
        let coefficients: CoefficientRun?
    }

    private func train(_ phase: Phase, _ task: TaskDistribution, _ data: Dataset, _ initial: FilterBank,
                       _ inheritance: TransferredInitialisation?, _ progress: (@Sendable (Phase, Int) -> Void)?,
                       basis: CoefficientBasis?, initialInner: Matrix?, worker: SpinningWorker?) -> TrainedPhase {
        let steps = phase == .upstream ? config.T1 : config.T2
        let descent = GradientDescent(eta: config.eta(task: phase == .upstream ? 1 : 2), steps: steps, recordEvery: config.record_every, worker: worker)
        let report = progress.map { report in { (step: Int) in report(phase, step) } }
        if engine(for: phase) == .coefficients {
            let result = descent.trainInCoefficients(
                initial, on: data, basis: basis ?? CoefficientBasis(distribution: task, data: data, probes: probes),
                distribution: task, probes: probes, frozen: inheritance?.frozen, initialInner: initialInner, progress: report)
            return TrainedPhase(run: result.run, coefficients: result)
        }
        return TrainedPhase(run: descent.train(initial, on: data, distribution: task, probes: probes, frozen: inheritance?.frozen,
                                               progress: report), coefficients: nil)
    }

    /// The phase's outcome: its run scored on `test`.
    private func outcome(_ phase: Phase, _ trained: TrainedPhase, _ task: TaskDistribution, _ data: Dataset, _ test: TestSet,
                         _ filterIndex: [Int], _ inheritance: TransferredInitialisation?,
                         materialisedTest: @autoclosure () -> Dataset? = nil) -> PhaseOutcome {
        // Coefficient space scores in the test set's reduced representation; weight space on the
        // test vectors in ℝᵈ (the same draws, to rounding).
        let outputs = trained.coefficients?.testOutputs(test, filterIndex: filterIndex)
            ?? trained.run.final.outputs(materialisedTest() ?? test.materialised())
        return PhaseOutcome(phase: phase, distribution: task, train: data, test: test, testOutputs: outputs, run: trained.run,
                            testScore: Score(outputs: outputs, labels: test.labels, trueLabels: test.trueLabels),
                            inheritance: inheritance)
    }
}

/// A value computed once: started right away on another thread (`startingNow`), or on first
/// use on the caller's thread.
final class Deferred<Value: Sendable>: @unchecked Sendable {
    // State is written by exactly one producer before `done` is signalled, or under `lock`.
    private var result: Value?
    private let work: @Sendable () -> Value
    private let done = DispatchSemaphore(value: 0)
    private let started: Bool
    private let lock = NSLock()

    init(startingNow: Bool, _ work: @escaping @Sendable () -> Value) {
        self.work = work
        started = startingNow
        if startingNow {
            DispatchQueue.global().async { [self] in
                result = work()
                done.signal()
            }
        }
    }

    var value: Value {
        if started {
            done.wait()
            done.signal()  // later reads do not block
            return result!
        }
        lock.lock(); defer { lock.unlock() }
        if let result { return result }
        let computed = work()
        result = computed
        return computed
    }
}
