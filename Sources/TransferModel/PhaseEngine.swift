import NumericsCore

/// One implementation of the gradient descent of docs/theory.md §3 for a training phase (config
/// key `engine`; `TrainingEngine` chooses): it trains a filter bank and scores the trained
/// filters on a test set. Both give the same filters, recordings and test predictions to
/// rounding error (tested).
protocol PhaseEngine: Sendable {
    func train(_ descent: GradientDescent, _ initial: FilterBank, on data: Dataset, task: TaskDistribution,
               probes: SignalVectors, frozen: [Bool]?, progress: ((Int) -> Void)?) -> TrainedPhase

    /// ⟨w_k, x_t^{(q)}⟩ of the trained filters for every test sample and patch (row t·P + q,
    /// column k); `filterIndex[k]` is filter k's spanning row of the test set, `materialised` the
    /// test vectors in the phase's space.
    func testPreactivations(of trained: TrainedPhase, on test: TestSet, filterIndex: [Int], materialised: () -> Dataset) -> Matrix
}

/// A trained phase, and the engine that trained it (which scores it).
struct TrainedPhase: Sendable {
    let run: TrainingRun
    /// The coefficient-space form of the run, when that engine trained it.
    let coefficients: CoefficientRun?
    let engine: any PhaseEngine
}

/// Gradient descent on the 2m filters in the sample space (``GradientDescent/train``).
struct WeightSpaceEngine: PhaseEngine {
    func train(_ descent: GradientDescent, _ initial: FilterBank, on data: Dataset, task: TaskDistribution,
               probes: SignalVectors, frozen: [Bool]?, progress: ((Int) -> Void)?) -> TrainedPhase {
        TrainedPhase(run: descent.train(initial, on: data, distribution: task, probes: probes, frozen: frozen, progress: progress),
                     coefficients: nil, engine: self)
    }

    func testPreactivations(of trained: TrainedPhase, on test: TestSet, filterIndex: [Int], materialised: () -> Dataset) -> Matrix {
        trained.run.final.preactivations(materialised())
    }
}

/// The same descent in the exact coordinates of the decomposition (docs/theory.md §5;
/// ``GradientDescent/trainInCoefficients``), on a basis and inner products computed once per
/// training set; scores in the test set's reduced representation.
struct CoefficientSpaceEngine: PhaseEngine {
    let basis: CoefficientBasis
    /// ⟨w_k⁽⁰⁾, b⟩ of the phase's initial filters with every basis vector.
    let initialInner: Matrix

    func train(_ descent: GradientDescent, _ initial: FilterBank, on data: Dataset, task: TaskDistribution,
               probes: SignalVectors, frozen: [Bool]?, progress: ((Int) -> Void)?) -> TrainedPhase {
        let result = descent.trainInCoefficients(initial, on: data, basis: basis, distribution: task, probes: probes,
                                                 frozen: frozen, initialInner: initialInner, progress: progress)
        return TrainedPhase(run: result.run, coefficients: result, engine: self)
    }

    func testPreactivations(of trained: TrainedPhase, on test: TestSet, filterIndex: [Int], materialised: () -> Dataset) -> Matrix {
        trained.coefficients!.testPreactivations(test, filterIndex: filterIndex)   // trained by this engine
    }
}
