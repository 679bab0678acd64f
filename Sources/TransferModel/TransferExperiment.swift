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
    /// The test margins ŷ_t·f(W, x_t) split by filter group and patch, and Γ̂ (docs/theory.md §6b).
    public let margins: MarginDecomposition
    /// The training margins ŷ_i·f(W, x_i) at the last recorded step, from the recorded inner
    /// products (nil when nothing was recorded).
    public let trainMargins: MarginDecomposition?
    /// What Algorithm 1 inherited (transfer phase only).
    public let inheritance: TransferredInitialisation?
}

extension PhaseOutcome {
    /// The names of a phase's metrics, as in `metrics.json` and the sweep store's columns.
    public static let metricNames = ["train_loss", "train_error", "test_error", "clean_test_error", "test_loss",
                                     "n_test", "steps", "seconds", "decomposition_max_rel_error",
                                     "margin_mean", "margin_var", "Gamma_hat"] + MarginDecomposition.partMetricNames
                                     + ["train_margin_mean", "train_margin_var", "train_Gamma_hat"]

    /// The phase's metrics by ``metricNames`` (`n_test` and `steps` are whole numbers).
    public var metrics: [String: Double] {
        ["train_loss": run.trainScore.loss, "train_error": run.trainScore.error,
         "test_error": testScore.error, "clean_test_error": testScore.cleanError, "test_loss": testScore.loss,
         "n_test": Double(test.count), "steps": Double(run.steps), "seconds": run.seconds,
         "decomposition_max_rel_error": run.snapshots.map(\.decompositionRelativeError).max() ?? 0]
            .merging(margins.metrics) { first, _ in first }
            .merging(trainMargins?.trainingMetrics ?? [:]) { first, _ in first }
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
    /// Where the vectors live and how the Gaussian ones are drawn (`sampler`; docs/theory.md §2a).
    public let space: SampleSpace
    let geometry: SignalGeometry
    package let probes: SignalVectors
    /// Use a second core within the run: the downstream data are drawn on another thread while
    /// upstream trains, and a `SpinningWorker` takes half of each large product. Every draw
    /// comes from its own stream and products are split the same way either way, so results are
    /// identical bit for bit; worth it for a single run on a multi-core machine (`ptv train`),
    /// not inside a parallel sweep.
    public var parallelWithinRun = false
    /// A transfer rule written in Swift, used instead of the config's `variant` (README,
    /// "Transfer rules"). A rule that acts on single coordinates needs `sampler: vectors`.
    public var rule: (any TransferRule)?

    /// How test sets are drawn, for manifests.
    static let testSetDescription = "test noise drawn in the reduced representation: a_t = σ L z_t, z_t ~ N(0, I), G = L Lᵀ the Gram matrix of the projected spanning vectors (initial filters incl. transferred rows, training noises; downstream factored fresh filters and noises first, inherited rows' z from '<task>-test-extra'); ℝᵈ vectors (saved arrays, weight engine) add σ P_⊥ g_t from the '<task>-test-complement' stream; direct d-dimensional draws when r ≥ d − 2"

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

    /// Run the phases in order, handing each to `onPhase` (on the calling task) once it is
    /// trained and scored and before the next phase trains, so a caller can write it to disk
    /// first. `progress` receives (phase, step).
    ///
    /// The steps: draw (both tasks' training sets and initialisations), train upstream, score
    /// upstream, plan the transfer (Algorithm 1), set up the downstream pair, hand upstream over,
    /// train transfer and scratch, score them. With ``parallelWithinRun``, independent steps
    /// overlap as child tasks (``ParallelRuns/pair(concurrently:_:_:)``); results are the same
    /// either way, since every step draws from its own stream.
    @discardableResult
    public func run(phases: [Phase] = Phase.allCases,
                    progress: (@Sendable (Phase, Int) -> Void)? = nil,
                    onPhase: (PhaseOutcome) throws -> Void = { _ in }) async throws -> [PhaseOutcome] {
        // Every run computes with single-threaded BLAS, so its results never depend on how
        // OpenBLAS was configured before (its threaded kernels split sums differently).
        BLAS.useSingleThread()
        let parallel = parallelWithinRun
        let worker = parallel ? SpinningWorker() : nil
        defer { worker?.stop() }
        let task1 = distribution(task: 1), task2 = distribution(task: 2)
        let identity = Array(0..<(2 * config.m))
        let downstreamNeeded = phases.contains(.transfer) || phases.contains(.scratch)

        // Draw and train upstream; the downstream data are drawn alongside.
        let (upstreamTrained, downstreamDraw) = await ParallelRuns.pair(concurrently: parallel && downstreamNeeded, {
            let (train1, init1) = draw(task1, worker: worker)
            let setup1 = coefficientSetup(.upstream, task1, train1, filters: init1.weights, worker: worker)
            return (train1, init1, setup1, train(.upstream, task1, train1, init1, nil, progress, setup: setup1, worker: worker))
        }, { downstreamNeeded ? self.draw(task2, worker: nil) : nil })
        let (train1, init1, setup1, upstreamRun) = upstreamTrained
        let scoreUpstream = { @Sendable in
            let test1 = self.testSet(task1, train: train1, filters: init1.weights, setup: setup1)
            return self.outcome(.upstream, upstreamRun, task1, train1, test1, identity, nil)
        }
        guard let (train2, fresh) = downstreamDraw else {
            let upstream = scoreUpstream()
            try onPhase(upstream)
            return [upstream]
        }

        // Plan the transfer and set up the downstream pair, which shares data, fresh draw, test set
        // and (in coefficient space) the basis and the fresh rows' inner products; upstream is
        // scored alongside, and handed over before the downstream phases train, so an interrupted
        // run keeps it.
        let ((plan, setup2), upstream) = await ParallelRuns.pair(concurrently: parallel, {
            let plan = planTransfer(upstream: upstreamRun.run.final, fresh: fresh, signal: task1.mu, recording: upstreamRun.run.snapshots.last)
            return (plan, coefficientSetup(.transfer, task2, train2, filters: plan.spanFilters, worker: worker))
        }, scoreUpstream)
        try onPhase(upstream)
        var outcomes = [upstream]

        // Fresh filters and training noises lead the factorisation, so scratch's test draw does not
        // depend on what was inherited.
        let twoM = 2 * config.m, n2 = train2.count, f2 = plan.spanFilters.rows
        let drawTest2 = { @Sendable in
            self.testSet(task2, train: train2, filters: plan.spanFilters, setup: setup2,
                         order: Array(0..<twoM) + Array(f2..<(f2 + n2)) + Array(twoM..<f2), leading: twoM + n2)
        }
        var materialised2: Dataset?  // the test vectors in the sample space, made once if a weight-engine phase needs them
        func materialised(_ test2: TestSet) -> Dataset {
            if let materialised2 { return materialised2 }
            let made = test2.materialised()
            materialised2 = made
            return made
        }

        // Train the pair. Scratch needs nothing from transfer: with a second core it trains
        // alongside (without the worker, which transfer's task holds; its bands are then taken
        // in turn, same result), and transfer is handed over as soon as it is scored.
        let (test2, scratchTrained) = try await ParallelRuns.pair(concurrently: parallel && phases.contains(.scratch) && phases.contains(.transfer), {
            guard phases.contains(.transfer) else { return drawTest2() }
            let (trained, test2) = await ParallelRuns.pair(concurrently: parallel, {
                train(.transfer, task2, train2, plan.inheritance.filters, plan.inheritance, progress,
                      setup: setup2?.rows(plan.transferIndex), worker: worker)
            }, drawTest2)
            let transfer = outcome(.transfer, trained, task2, train2, test2, plan.transferIndex, plan.inheritance,
                                   materialisedTest: materialised(test2))
            try onPhase(transfer); outcomes.append(transfer)
            return test2
        }, {
            phases.contains(.scratch) ? self.train(.scratch, task2, train2, fresh, nil, progress, setup: setup2?.rows(identity), worker: nil) : nil
        })
        if let scratchTrained {
            let scratch = outcome(.scratch, scratchTrained, task2, train2, test2, identity, nil, materialisedTest: materialised(test2))
            try onPhase(scratch); outcomes.append(scratch)
        }
        return outcomes
    }

    // MARK: The steps

    /// A task's training set and its Gaussian initialisation (fresh draw), each from its own
    /// stream and block of the sample space.
    private func draw(_ task: TaskDistribution, worker: SpinningWorker?) -> (Dataset, FilterBank) {
        let upstream = task.task == 1
        var rng = stream(upstream ? .upstreamTrain : .downstreamTrain)
        let train = task.sample(upstream ? config.N1 : config.N2, using: &rng,
                                gaussians: space.rows(upstream ? .upstreamNoise : .downstreamNoise), worker: worker)
        rng = stream(upstream ? .upstreamInit : .downstreamInit)
        let initial = FilterBank.gaussian(m: config.m, sigma0: config.sigma0,
                                          rows: space.rows(upstream ? .upstreamInitialFilters : .downstreamFreshFilters), using: &rng)
        return (train, initial)
    }

    /// The coefficient engine's set-up for one training set: its basis and ⟨filter, b⟩ for the
    /// given filter rows (nil when the weight engine trains the phase; see ``PhaseEngine``).
    private struct CoefficientSetup: Sendable {
        let basis: CoefficientBasis
        let inner: Matrix

        /// The same basis with the inner products of `rows` only, in that order.
        func rows(_ rows: [Int]) -> CoefficientSetup {
            var selected = Matrix(rows: rows.count, cols: basis.count)
            for (k, row) in rows.enumerated() { selected.setRow(k, inner.row(row)) }
            return CoefficientSetup(basis: basis, inner: selected)
        }
    }

    private func coefficientSetup(_ phase: Phase, _ task: TaskDistribution, _ data: Dataset, filters: Matrix,
                                  worker: SpinningWorker?) -> CoefficientSetup? {
        guard engine(for: phase) == .coefficients else { return nil }
        let basis = CoefficientBasis(distribution: task, data: data, probes: probes, worker: worker)
        return CoefficientSetup(basis: basis, inner: basis.innerProducts(of: filters, worker: worker))
    }

    /// Algorithm 1's downstream initialisation (stream "transfer-choice"), and the downstream
    /// spanning filters: the fresh draw, then each transferred row that differs from it;
    /// `transferIndex[k]` is the spanning row of the transfer phase's filter k.
    private struct TransferArrangement: Sendable {
        let inheritance: TransferredInitialisation
        let spanFilters: Matrix
        let transferIndex: [Int]
    }

    private func planTransfer(upstream: FilterBank, fresh: FilterBank, signal: [Double], recording: CoefficientSnapshot?) -> TransferArrangement {
        var rng = stream(.transferChoice)
        let plan = rule.map { TransferPlan(alpha: config.alpha, rule: $0, noise: config.transfer_noise) } ?? TransferPlan(config: config)
        let inheritance = plan.apply(upstream: upstream, fresh: fresh, upstreamSignal: signal, upstreamRecording: recording, using: &rng)
        let twoM = 2 * config.m, d = space.dimension
        let changed = (0..<twoM).filter { k in
            inheritance.filters.weights.storage[(k * d)..<((k + 1) * d)] != fresh.weights.storage[(k * d)..<((k + 1) * d)]
        }
        var spanStorage = fresh.weights.storage
        var transferIndex = Array(0..<twoM)
        for (a, k) in changed.enumerated() {
            spanStorage += inheritance.filters.weights.row(k)
            transferIndex[k] = twoM + a
        }
        return TransferArrangement(inheritance: inheritance, spanFilters: Matrix(rows: twoM + changed.count, cols: d, storage: spanStorage),
                                   transferIndex: transferIndex)
    }

    /// The test set of one task (`n_test` samples, its task's test streams), spanned by `filters`
    /// (rows) and the training noises; with a coefficient set-up, G is assembled from its Gram
    /// matrix and inner products (⟨filter, b⟩ for every basis vector b).
    private func testSet(_ task: TaskDistribution, train: Dataset, filters: Matrix,
                         setup: CoefficientSetup?, order: [Int]? = nil, leading: Int? = nil) -> TestSet {
        let gram = setup.map { TestSet.spanningGram(filters: filters, filterInner: $0.inner, basis: $0.basis, distribution: task) }
        let streams = RandomStream.testStreams(upstream: task.task == 1)
        var rng = stream(streams.test)
        return TestSet.draw(config.n_test, of: task, spanning: filters, trainingNoise: train, gram: gram,
                            order: order, leading: leading, extraStream: streams.extra.rawValue, using: &rng,
                            complementSeed: config.seed, complementStream: streams.complement.rawValue)
    }

    private func train(_ phase: Phase, _ task: TaskDistribution, _ data: Dataset, _ initial: FilterBank,
                       _ inheritance: TransferredInitialisation?, _ progress: (@Sendable (Phase, Int) -> Void)?,
                       setup: CoefficientSetup?, worker: SpinningWorker?) -> TrainedPhase {
        let steps = phase == .upstream ? config.T1 : config.T2
        var descent = GradientDescent(eta: config.eta(task: phase == .upstream ? 1 : 2), steps: steps, recordEvery: config.record_every, worker: worker)
        descent.recording = config.record
        let engine: any PhaseEngine = setup.map { CoefficientSpaceEngine(basis: $0.basis, initialInner: $0.inner) } ?? WeightSpaceEngine()
        return engine.train(descent, initial, on: data, task: task, probes: probes, frozen: inheritance?.frozen,
                            progress: progress.map { report in { (step: Int) in report(phase, step) } })
    }

    /// The phase's outcome: its run scored on `test`.
    private func outcome(_ phase: Phase, _ trained: TrainedPhase, _ task: TaskDistribution, _ data: Dataset, _ test: TestSet,
                         _ filterIndex: [Int], _ inheritance: TransferredInitialisation?,
                         materialisedTest: @autoclosure () -> Dataset? = nil) -> PhaseOutcome {
        // Coefficient space scores in the test set's reduced representation; weight space on the
        // test vectors in the sample space (the same draws, to rounding).
        let z = trained.engine.testPreactivations(of: trained, on: test, filterIndex: filterIndex) {
            materialisedTest() ?? test.materialised()
        }
        let filters = trained.run.final
        let outputs = filters.outputs(fromPreactivations: z, patchCount: data.patchCount)
        // Inherited rows split the margin when whole filters were inherited (not α = 0, not the
        // weight-level variant).
        let inherited = inheritance.map { plan in (0..<(2 * filters.m)).map(plan.isInherited(row:)) }
            .flatMap { $0.contains(true) ? $0 : nil }
        return PhaseOutcome(phase: phase, distribution: task, train: data, test: test, testOutputs: outputs, run: trained.run,
                            testScore: Score(outputs: outputs, labels: test.labels, trueLabels: test.trueLabels),
                            margins: MarginDecomposition(preactivations: z, patchCount: data.patchCount, m: filters.m,
                                                         trueLabels: test.trueLabels, inherited: inherited),
                            trainMargins: trained.run.snapshots.last.map { last in
                                MarginDecomposition(preactivations: MarginDecomposition.trainingPreactivations(last, task: task, trueLabels: data.trueLabels),
                                                    patchCount: data.patchCount, m: filters.m, trueLabels: data.trueLabels, inherited: nil)
                            },
                            inheritance: inheritance)
    }
}
