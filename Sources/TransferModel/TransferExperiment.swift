import Foundation
import NumericsCore

/// The three training phases of one experiment (THEORY.md §4).
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
    /// Fresh samples from the same task (`n_test` of them).
    public let test: Dataset
    public let run: TrainingRun
    /// Loss and errors of the final filters on `test`.
    public let testScore: Score
    /// What Algorithm 1 inherited (transfer phase only).
    public let inheritance: TransferredInitialisation?
}

/// Runs upstream training, Algorithm 1 and the scratch baseline for one configuration.
///
/// Every random choice comes from a named stream of the config's seed: "signals",
/// "upstream-train", "upstream-test", "upstream-init", "downstream-train", "downstream-test",
/// "downstream-init", "transfer-choice". Transfer and scratch share the downstream data and
/// the fresh initialisation, so they differ only by the inherited filters, and α = 0
/// reproduces scratch bit for bit.
public struct TransferExperiment: Sendable {
    public let config: ExperimentConfig
    public let geometry: SignalGeometry
    public let probes: SignalVectors
    /// Draw the test sets and the downstream data on other threads while upstream trains.
    /// Every draw comes from its own stream, so results are identical either way; worth it for a
    /// single run on a multi-core machine (`ptv train`), not inside a parallel sweep.
    public var parallelDataGeneration = false

    public init(config: ExperimentConfig) {
        self.config = config
        geometry = SignalGeometry(d: config.d, overlap: config.v_overlap, seed: config.seed)
        probes = SignalVectors(config: config, geometry: geometry)
    }

    public func distribution(task: Int) -> TaskDistribution {
        TaskDistribution(task: task, config: config, geometry: geometry)
    }

    /// The engine that trains `phase` (`config.engine` with `auto` resolved; see `TrainingEngine`).
    public func engine(for phase: Phase) -> TrainingEngine {
        let upstream = phase == .upstream
        return config.engine.resolved(n: upstream ? config.N1 : config.N2, d: config.d, m: config.m,
                                      patchCount: config.patchCount, steps: upstream ? config.T1 : config.T2)
    }

    private func stream(_ name: String) -> SeededGenerator { SeededGenerator(seed: config.seed, stream: name) }

    /// Run the phases in order, handing each to `onPhase` as soon as it finishes (so a caller
    /// can write it to disk before the next starts). `progress` receives (phase, step).
    @discardableResult
    public func run(phases: [Phase] = Phase.allCases,
                    progress: ((Phase, Int) -> Void)? = nil,
                    onPhase: (PhaseOutcome) throws -> Void = { _ in }) throws -> [PhaseOutcome] {
        var outcomes: [PhaseOutcome] = []
        let task1 = distribution(task: 1), task2 = distribution(task: 2)

        let config = self.config
        let downstreamNeeded = phases.contains(.transfer) || phases.contains(.scratch)
        let upstreamTest = Deferred(startingNow: parallelDataGeneration) {
            var rng = SeededGenerator(seed: config.seed, stream: "upstream-test")
            return task1.sample(config.n_test, using: &rng)
        }
        let downstreamData = Deferred(startingNow: parallelDataGeneration && downstreamNeeded) {
            var rng = SeededGenerator(seed: config.seed, stream: "downstream-train")
            let train = task2.sample(config.N2, using: &rng)
            rng = SeededGenerator(seed: config.seed, stream: "downstream-test")
            let test = task2.sample(config.n_test, using: &rng)
            rng = SeededGenerator(seed: config.seed, stream: "downstream-init")
            return (train, test, FilterBank.gaussian(m: config.m, d: config.d, sigma0: config.sigma0, using: &rng))
        }

        var rng = stream("upstream-train"); let train1 = task1.sample(config.N1, using: &rng)
        rng = stream("upstream-init")
        let init1 = FilterBank.gaussian(m: config.m, d: config.d, sigma0: config.sigma0, using: &rng)
        let upstream = phase(.upstream, task1, train1, upstreamTest.value, init1, nil, progress, basis: nil, initialInner: nil)
        try onPhase(upstream); outcomes.append(upstream)
        guard downstreamNeeded else { return outcomes }

        let (train2, test2, fresh) = downstreamData.value
        // Coefficient space: transfer and scratch share the basis of the downstream training set
        // and the inner products of the fresh rows with it (computed once).
        var basis: CoefficientBasis?
        var freshInner: Matrix?
        if engine(for: .transfer) == .coefficients {
            let b = CoefficientBasis(distribution: task2, data: train2, probes: probes)
            basis = b
            freshInner = b.innerProducts(of: fresh.weights)
        }
        if phases.contains(.transfer) {
            rng = stream("transfer-choice")
            let inheritance = TransferPlan(config: config).apply(upstream: upstream.run.final, fresh: fresh, using: &rng)
            var transferInner: Matrix?
            if let basis, let freshInner, config.variant != .weight {
                // Only the inherited rows differ from the fresh draw.
                var inner = freshInner
                let rows = inheritance.sources.keys.sorted()
                if !rows.isEmpty {
                    var inherited = Matrix(rows: rows.count, cols: config.d)
                    for (a, k) in rows.enumerated() { inherited.setRow(a, inheritance.filters.weights.row(k)) }
                    let products = basis.innerProducts(of: inherited)
                    for (a, k) in rows.enumerated() { inner.setRow(k, products.row(a)) }
                }
                transferInner = inner
            }
            let transfer = phase(.transfer, task2, train2, test2, inheritance.filters, inheritance, progress,
                                 basis: basis, initialInner: transferInner)
            try onPhase(transfer); outcomes.append(transfer)
        }
        if phases.contains(.scratch) {
            let scratch = phase(.scratch, task2, train2, test2, fresh, nil, progress, basis: basis, initialInner: freshInner)
            try onPhase(scratch); outcomes.append(scratch)
        }
        return outcomes
    }

    private func phase(_ phase: Phase, _ task: TaskDistribution, _ train: Dataset, _ testSet: @autoclosure () -> Dataset,
                       _ initial: FilterBank, _ inheritance: TransferredInitialisation?,
                       _ progress: ((Phase, Int) -> Void)?, basis: CoefficientBasis?,
                       initialInner: Matrix?) -> PhaseOutcome {
        let steps = phase == .upstream ? config.T1 : config.T2
        if engine(for: phase) == .coefficients {
            let descent = CoefficientSpaceDescent(eta: config.eta, steps: steps, recordEvery: config.record_every)
            let result = descent.train(initial, on: train, basis: basis ?? CoefficientBasis(distribution: task, data: train, probes: probes),
                                       distribution: task, probes: probes, frozen: inheritance?.frozen,
                                       initialInner: initialInner,
                                       progress: progress.map { report in { report(phase, $0) } })
            let test = testSet()
            return PhaseOutcome(phase: phase, distribution: task, train: train, test: test, run: result.run,
                                testScore: result.testScore(test), inheritance: inheritance)
        }
        let descent = GradientDescent(eta: config.eta, steps: steps, recordEvery: config.record_every)
        let run = descent.train(initial, on: train, distribution: task, probes: probes, frozen: inheritance?.frozen,
                                progress: progress.map { report in { report(phase, $0) } })
        let test = testSet()
        let score = Score(outputs: run.final.outputs(test), data: test)
        return PhaseOutcome(phase: phase, distribution: task, train: train, test: test, run: run,
                            testScore: score, inheritance: inheritance)
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
