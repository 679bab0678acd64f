import Foundation
import NumericsCore
import Vocabulary

/// The outcome of training one filter bank.
public struct TrainingRun: Sendable {
    public let initial: FilterBank
    public let final: FilterBank
    /// Snapshots at t = 0, every `record_every` steps, and at the last step.
    public let snapshots: [CoefficientSnapshot]
    /// Loss and errors on the training set at the final weights.
    package let trainScore: Score
    public let steps: Int
    public let seconds: Double
    /// ‖ξ_i‖² of the training noises (needed by the lemmas about ρ).
    public let noiseNormsSq: [Double]
}

/// Full-batch gradient descent on the logistic loss (docs/theory.md §3, `predecessor`), with the
/// coefficient recorder of §5 updated on every step.
public struct GradientDescent: Sendable {
    public let eta: Double
    public let steps: Int
    let recordEvery: Int
    /// A second thread for the coefficient engine's per-step product Z⁽⁰⁾ + C G (rows split in
    /// two bands; results do not depend on it). Nil unless a run has a core to spare.
    public var worker: SpinningWorker?
    /// `trajectories`: a snapshot every `recordEvery` steps, the recorder updated on every step;
    /// `final`: the last step only (the coefficient engine then skips the recorder and reads
    /// γ, ρ̄, ρ̲ off its exact coordinates).
    public var recording = Recording.trajectories

    public init(eta: Double, steps: Int, recordEvery: Int, worker: SpinningWorker? = nil) {
        self.eta = eta
        self.steps = steps
        self.recordEvery = recordEvery
        self.worker = worker
    }

    /// Train `initial` on `data` for `steps` steps. Rows flagged in `frozen` never move.
    /// `progress` is called with the step count from time to time (for long runs).
    package func train(_ initial: FilterBank, on data: Dataset, distribution: TaskDistribution,
                      probes: SignalVectors, frozen: [Bool]? = nil,
                      progress: ((Int) -> Void)? = nil) -> TrainingRun {
        let start = Date()
        var recorder = CoefficientRecorder(distribution: distribution, data: data, m: initial.m, probes: probes)
        var filters = initial
        var pass = filters.forward(data)
        let frozenMask = frozen?.contains(true) == true ? frozen : nil
        let progressEvery = max(1, steps / 10)
        for t in 0...steps {
            if t > 0 { pass = filters.forward(data) }
            if isRecorded(t) {
                recorder.record(step: t, pass: pass, filters: filters, initial: initial, data: data)
            }
            if t == steps { break }
            recorder.accumulate(pass, data: data, eta: eta, frozen: frozenMask)
            filters.descend(data, pass: pass, eta: eta, frozen: frozenMask)
            if let progress, (t + 1) % progressEvery == 0 { progress(t + 1) }
        }
        return TrainingRun(initial: initial, final: filters, snapshots: recorder.snapshots, trainScore: pass.score,
                           steps: steps, seconds: Date().timeIntervalSince(start), noiseNormsSq: recorder.noiseNormsSq)
    }

    /// Whether step t is snapshotted: every `recordEvery` steps with trajectories, and the last.
    func isRecorded(_ t: Int) -> Bool {
        t == steps || (recording == .trajectories && t % recordEvery == 0)
    }
}
