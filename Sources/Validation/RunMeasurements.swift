import Foundation
import NumericsCore
import Platform
import TransferModel
import Vocabulary

/// The dynamics of one group of filters over a whole training phase (docs/theory.md §5, §7).
package struct GroupDynamics: Codable, Sendable {
    /// `all`, `inherited` or `fresh`.
    public var group: String
    var filterCount: Int
    /// Extremes over every recorded step, filter of the group and training sample.
    public var rhoBarMax: Double
    public var rhoBarMin: Double
    public var rhoUnderMax: Double
    public var rhoUnderMin: Double
    /// Extremes of γ over steps, filters and signal patches.
    public var gammaMax: Double
    public var gammaMin: Double
    /// Mean over filters with Σ_i ρ̄ > 0 of γ_k / Σ_i ρ̄_{k,i} at the last step (first signal patch).
    var gammaOverRhoSum: Double?
    /// max_k ‖w_k − rebuilt w_k‖/‖w_k‖ over steps (all filters of the phase).
    var decompositionMax: Double
    /// β = 2 max{|⟨w_k⁽⁰⁾, μ⟩|, |⟨w_k⁽⁰⁾, ξ_i⟩|} over the group's filters and the training samples.
    public var beta: Double
    /// One point per recorded step (for the figures).
    public var trajectory: [TrajectoryPoint]
}

/// The extremes of one group's coefficients at one recorded step (docs/theory.md §5). Stored as
/// the array [t, max γ, max ρ̄, min ρ̲, max j⟨w,u⟩, max |⟨w,ξ⟩|], the form of recorded runs.
package struct TrajectoryPoint: Codable, Sendable, Equatable {
    /// Gradient step t.
    package var step: Double
    /// max over filters and signal patches of γ.
    package var gammaMax: Double
    /// max over filters and samples of ρ̄ (own class).
    package var rhoBarMax: Double
    /// min over filters and samples of ρ̲ (other class).
    package var rhoUnderMin: Double
    /// max over filters of j⟨w_{j,r}, u⟩.
    package var universalInnerMax: Double
    /// max over filters and samples of |⟨w, ξ_i⟩|.
    package var noiseInnerMax: Double

    package init(step: Double, gammaMax: Double, rhoBarMax: Double, rhoUnderMin: Double, universalInnerMax: Double, noiseInnerMax: Double) {
        (self.step, self.gammaMax, self.rhoBarMax, self.rhoUnderMin) = (step, gammaMax, rhoBarMax, rhoUnderMin)
        (self.universalInnerMax, self.noiseInnerMax) = (universalInnerMax, noiseInnerMax)
    }

    package init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        var values: [Double] = []
        while !c.isAtEnd && values.count <= 6 { values.append(try c.decode(Double.self)) }
        guard values.count == 6 else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a trajectory point has 6 numbers, not \(values.count)\(c.isAtEnd ? "" : "+")")
        }
        self.init(step: values[0], gammaMax: values[1], rhoBarMax: values[2], rhoUnderMin: values[3],
                  universalInnerMax: values[4], noiseInnerMax: values[5])
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        for v in [step, gammaMax, rhoBarMax, rhoUnderMin, universalInnerMax, noiseInnerMax] { try c.encode(v) }
    }
}

/// Everything the probes need from one phase of one run, kept small enough to store as JSON.
package struct PhaseMeasurements: Codable, Sendable {
    public var phase: String
    public var task: Int
    public var n: Int
    /// Patch dimension d.
    public var d: Int
    public var steps: Int
    /// σ_{p,k} and ‖μ_k‖ = ‖u + v_k‖ of the phase's task.
    package var sigmaP: Double
    var muNorm: Double
    /// ‖ξ_i‖² of the training noises.
    public var noiseNormsSq: [Double]
    /// ⟨ξ_i, ξ_i′⟩ for i < i′.
    var noiseCorrelations: [Double]
    /// ‖w_k⁽⁰⁾‖² of the Gaussian-initialised filters (inherited ones excluded).
    var initNormsSq: [Double]
    /// ⟨w_k⁽⁰⁾, μ⟩ of the Gaussian-initialised filters.
    public var initSignal: [Double]
    /// ⟨w_k⁽⁰⁾, ξ_i⟩ of the Gaussian-initialised filters, all samples, and the matching ‖ξ_i‖.
    public var initNoise: [Double]
    var initNoiseSampleNorms: [Double]
    /// Groups `all` (and in the transfer phase `inherited`, `fresh`).
    public var groups: [GroupDynamics]
    public var trainLoss: Double
    public var trainError: Double
    /// Misclassified test samples against y and against ŷ, out of `nTest`.
    var testWrong: Int
    var testCleanWrong: Int
    public var nTest: Int
    /// Per test sample: 1 when misclassified against y (for pairing transfer with scratch).
    var testMistakes: [UInt8]
    /// The measured phase variables of the test margins (`MarginDecomposition.metrics`:
    /// margin_mean, margin_var, Gamma_hat and the parts; docs/theory.md §6b) and of the training
    /// margins (train_margin_mean, train_margin_var, train_Gamma_hat). Absent in runs recorded
    /// before they were measured.
    public var margins: [String: Double]?

    public var testError: Double { Double(testWrong) / Double(nTest) }

    /// Whether the counts and the arrays agree (a run read back from a file is checked before
    /// the probes index into it).
    var isConsistent: Bool {
        n >= 1 && nTest >= 1 && noiseNormsSq.count == n && noiseCorrelations.count == n * (n - 1) / 2
            && testMistakes.count == nTest && (0...nTest).contains(testWrong) && (0...nTest).contains(testCleanWrong)
            && initNoise.count == initNoiseSampleNorms.count && initNormsSq.count == initSignal.count
    }
}

/// One (configuration, seed) run of a suite: the config and its three phases' measurements.
public struct RunMeasurements: Codable, Sendable {
    public var label: String
    public var seed: UInt64
    package var phases: [PhaseMeasurements]

    package func phase(_ name: Phase) -> PhaseMeasurements? { phases.first { $0.phase == name.rawValue } }

    /// The JSON form of recorded runs (report `runs/`, the sweep store): `RecordCoding`'s,
    /// where Γ̂'s +∞ or undefined (every test margin equal, variance 0) is written as text.
    public static func encoder() -> JSONEncoder { RecordCoding.encoder() }

    /// Reads what ``encoder()`` writes.
    public static func decoder() -> JSONDecoder { RecordCoding.decoder() }
}

extension PhaseMeasurements {
    /// Extract the measurements from a finished phase.
    public init(_ outcome: PhaseOutcome) {
        let run = outcome.run
        let m = run.initial.m
        let data = outcome.train
        phase = outcome.phase.rawValue
        task = outcome.distribution.task
        n = data.count
        d = outcome.distribution.nominalDimension
        steps = run.steps
        sigmaP = outcome.distribution.noiseStandardDeviation
        let mu = outcome.distribution.mu
        muNorm = BLAS.norm(mu)
        noiseNormsSq = run.noiseNormsSq
        let gram = BLAS.product(data.noise, data.noise, transB: true)
        let count = data.count
        noiseCorrelations = (0..<count).flatMap { i in ((i + 1)..<count).map { gram[i, $0] } }
        let gaussianRows = (0..<(2 * m)).filter { outcome.inheritance?.isInherited(row: $0) != true }
        let isWeightLevel = outcome.inheritance.map { $0.inheritedCoordinates[0] > 0 && $0.sources.isEmpty } ?? false
        let initRows = isWeightLevel ? [] : gaussianRows
        let w0 = run.initial.weights
        initNormsSq = initRows.map { k in w0.row(k).reduce(0) { $0 + $1 * $1 } }
        initSignal = initRows.map { BLAS.dot(w0.row($0), mu) }
        let first = run.snapshots[0].innerNoise
        initNoise = initRows.flatMap { first.row($0) }
        let noiseNorms = noiseNormsSq.map { $0.squareRoot() }
        initNoiseSampleNorms = initRows.flatMap { _ in noiseNorms }

        groups = FilterGroup.rows(m: m, inheritance: outcome.inheritance).filter { !$0.rows.isEmpty }.map {
            GroupDynamics(name: $0.group.rawValue, rows: $0.rows, run: run, m: m, task: outcome.distribution.task)
        }
        trainLoss = run.trainScore.loss
        trainError = run.trainScore.error
        let f = outcome.testOutputs
        testMistakes = zip(f, outcome.test.labels).map { $0 * $1 <= 0 ? 1 : 0 }
        testWrong = testMistakes.reduce(0) { $0 + Int($1) }
        testCleanWrong = zip(f, outcome.test.trueLabels).filter { $0 * $1 <= 0 }.count
        nTest = outcome.test.count
        margins = outcome.margins.metrics.merging(outcome.trainMargins?.trainingMetrics ?? [:]) { first, _ in first }
    }
}

extension GroupDynamics {
    init(name: String, rows: [Int], run: TrainingRun, m: Int, task: Int) {
        group = name
        filterCount = rows.count
        var rbMax = -Double.infinity, rbMin = Double.infinity, ruMax = -Double.infinity, ruMin = Double.infinity
        var gMax = -Double.infinity, gMin = Double.infinity
        trajectory = []
        for snap in run.snapshots {
            var stepGamma = -Double.infinity, stepRhoBar = -Double.infinity, stepRhoUnder = Double.infinity
            var stepU = -Double.infinity, stepXi = 0.0
            for k in rows {
                for g in snap.gamma { stepGamma = max(stepGamma, g[k]); gMin = min(gMin, g[k]) }
                let bar = snap.rhoBar.row(k), under = snap.rhoUnder.row(k)
                stepRhoBar = max(stepRhoBar, bar.max() ?? 0)
                rbMin = min(rbMin, bar.min() ?? 0)
                stepRhoUnder = min(stepRhoUnder, under.min() ?? 0)
                ruMax = max(ruMax, under.max() ?? 0)
                stepU = max(stepU, (k < m ? 1 : -1) * snap.innerU[k])
                stepXi = max(stepXi, snap.innerNoise.row(k).map(abs).max() ?? 0)
            }
            gMax = max(gMax, stepGamma); rbMax = max(rbMax, stepRhoBar); ruMin = min(ruMin, stepRhoUnder)
            trajectory.append(TrajectoryPoint(step: Double(snap.step), gammaMax: stepGamma, rhoBarMax: stepRhoBar, rhoUnderMin: stepRhoUnder,
                                              universalInnerMax: stepU, noiseInnerMax: stepXi))
        }
        rhoBarMax = rbMax; rhoBarMin = rbMin; rhoUnderMax = ruMax; rhoUnderMin = ruMin
        gammaMax = gMax; gammaMin = gMin
        decompositionMax = run.snapshots.map(\.decompositionRelativeError).max() ?? 0
        let first = run.snapshots[0]
        beta = 2 * rows.map { k in
            max(abs(first.innerU[k] + (task == 1 ? first.innerV1[k] : first.innerV2[k])),
                first.innerNoise.row(k).map(abs).max() ?? 0)
        }.max()!
        let last = run.snapshots[run.snapshots.count - 1]
        let ratios = rows.compactMap { k -> Double? in
            let sum = last.rhoBar.row(k).reduce(0, +)
            return sum > 0 ? last.gamma[0][k] / sum : nil
        }
        gammaOverRhoSum = ratios.isEmpty ? nil : ratios.reduce(0, +) / Double(ratios.count)
    }
}

extension Array where Element == RunMeasurements {
    /// The test error of `phase` pooled over these runs (all seeds of one configuration), with
    /// Clopper–Pearson bounds; against ŷ when `clean`. Nil when no run has the phase.
    func pooledTestError(_ phase: Phase, clean: Bool = false) throws -> Measurement? {
        let phases = compactMap { $0.phase(phase) }
        guard !phases.isEmpty else { return nil }
        return try .proportion(phases.reduce(0) { $0 + (clean ? $1.testCleanWrong : $1.testWrong) },
                               of: phases.reduce(0) { $0 + $1.nTest })
    }
}
