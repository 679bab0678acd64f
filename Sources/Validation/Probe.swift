import Foundation
import TransferModel
import Vocabulary

/// The random elements of one run for a concentration lemma: each value with its exact law.
package struct ElementSample: Sendable {
    /// The measured identifier the elements are values of (e.g. `noise_norm_sq`).
    public var identifier: String
    public var values: [Double]
    public var laws: [ElementLaw]
}

/// One unit of evidence a probe extracts at one configuration: a run-phase-group for the
/// dynamics lemmas, a run-phase for the concentration lemmas, the pooled seeds for the
/// statistical claims, a family of configurations for the monotonicity corollary.
package struct ProbeInstance: Sendable {
    /// Human-readable, e.g. "seed 1 · transfer · inherited".
    public var label: String
    /// The task whose aliases (n, σ_p, ‖μ‖, T*) the claim is evaluated with.
    public var task: Int
    /// Measured identifiers → values (intervals for statistical measurements).
    public var values: [String: Measurement]
    /// For concentration lemmas: the run's elements.
    public var elements: ElementSample?
}

/// How a probe's instances are judged (docs/theory.md §8).
package enum ProbeKind: String, Sendable {
    /// Deterministic claims that must hold at every instance (dynamics lemmas).
    case everyInstance = "every instance"
    /// "With probability ≥ 1 − δ": the fraction of runs with a violating element is compared
    /// with δ, and the exact law gives a union bound.
    case highProbability = "probability ≥ 1 − δ"
    /// Claims on measured error rates or slopes with confidence intervals: judged at the
    /// interval's ends, never at the point estimate.
    case statistical = "confidence interval"
}

/// A named measurement that judges one statement of docs/theory.md §7 on recorded runs.
public struct Probe: Sendable {
    public var name: String
    package var kind: ProbeKind
    /// What it measures, for the report.
    public var summary: String
    /// Instances at one configuration from its runs (all seeds). `all` gives every run of the
    /// suite with its configuration, for probes that compare configurations.
    package var extract: @Sendable (_ configuration: ValidationSuite.Configuration, _ runs: [RunMeasurements],
                                   _ all: [(ValidationSuite.Configuration, [RunMeasurements])]) throws -> [ProbeInstance]
    /// Whether `all` holds only the configurations inside the statement's hypotheses at the
    /// suite's C, for a measurement across configurations that must not mix in runs the
    /// statement does not speak of.
    package var peersInsideHypotheses = false
    /// For a probe whose instance at a configuration compares it with others (a family, or the
    /// whole suite), the labels of the configurations that instance needs, itself included; nil
    /// when each configuration's instances need its own runs only. The ladder lifts and runs
    /// them together (docs/theory.md §8b).
    package var comparedConfigurations: (@Sendable (_ configuration: ValidationSuite.Configuration,
                                                   _ all: [ValidationSuite.Configuration]) -> [String])? = nil
}

extension Probe {
    /// Every probe, by name (= the id of the statement it judges).
    public static let catalog: [String: Probe] = {
        var probes: [Probe] = [
            concentration("lemma-noise-norm", "‖ξ_i‖² of every training sample, upstream and downstream", MeasuredQuantity.noiseNormSq.id) { phase, _ in
                phase.noiseNormsSq.map { ($0, .scaledChiSquared(scale: phase.sigmaP * phase.sigmaP, degreesOfFreedom: Double(phase.d - 2))) }
            },
            concentration("lemma-noise-correlation", "|⟨ξ_i, ξ_i′⟩| of every pair of training samples", MeasuredQuantity.noiseCorr.id) { phase, _ in
                var out: [(Double, ElementLaw)] = []
                var index = 0
                for i in 0..<phase.n {
                    // Given ξ_i, ⟨ξ_i, ξ_i′⟩ ~ N(0, σ_p²‖ξ_i‖²) exactly (ξ_i lies in the projected subspace).
                    let sd = phase.sigmaP * phase.noiseNormsSq[i].squareRoot()
                    for _ in (i + 1)..<phase.n {
                        out.append((abs(phase.noiseCorrelations[index]), .absoluteNormal(standardDeviation: sd)))
                        index += 1
                    }
                }
                return out
            },
            concentration("lemma-init-norm", "‖w⁽⁰⁾‖² of every Gaussian-initialised filter", MeasuredQuantity.initNormSq.id) { phase, config in
                phase.initNormsSq.map { ($0, .scaledChiSquared(scale: config.sigma0 * config.sigma0, degreesOfFreedom: Double(config.d))) }
            },
            concentration("lemma-init-signal", "|⟨w⁽⁰⁾, μ⟩| of every Gaussian-initialised filter", MeasuredQuantity.initSignal.id) { phase, config in
                phase.initSignal.map { (abs($0), .absoluteNormal(standardDeviation: config.sigma0 * phase.muNorm)) }
            },
            concentration("lemma-init-noise", "|⟨w⁽⁰⁾, ξ_i⟩| of every Gaussian-initialised filter and training sample", MeasuredQuantity.initNoise.id) { phase, config in
                zip(phase.initNoise, phase.initNoiseSampleNorms).map { (abs($0), .absoluteNormal(standardDeviation: config.sigma0 * $1)) }
            },
        ]
        probes += [
            dynamics("lemma-rho-bar", "ρ̄ over every recorded step, filter and sample") {
                [MeasuredQuantity.rhoBarMin.id: $0.rhoBarMin, MeasuredQuantity.rhoBarMax.id: $0.rhoBarMax]
            },
            dynamics("lemma-rho-under", "ρ̲ over every recorded step, filter and sample; β from the initial filters") {
                [MeasuredQuantity.rhoUnderMin.id: $0.rhoUnderMin, MeasuredQuantity.rhoUnderMax.id: $0.rhoUnderMax, MeasuredQuantity.beta.id: $0.beta]
            },
            dynamics("lemma-gamma-growth", "γ over every recorded step and filter") {
                [MeasuredQuantity.gammaMin.id: $0.gammaMin, MeasuredQuantity.gammaMax.id: $0.gammaMax]
            },
            dynamics("lemma-signal-noise-ratio", "mean over filters of γ/Σ_i ρ̄ at the last step") { group in
                group.gammaOverRhoSum.map { [MeasuredQuantity.signalNoiseRatio.id: $0] } ?? [:]
            },
            dynamics("lemma-decomposition", "largest relative error of the rebuilt filters over the recorded steps") {
                [MeasuredQuantity.relError.id: $0.decompositionMax]
            },
            Probe(name: "lemma-training-converges", kind: .everyInstance, summary: "training loss after the steps run, per phase") { _, runs, _ in
                runs.flatMap { run in run.phases.map { phase in
                    ProbeInstance(label: "seed \(run.seed) · \(phase.phase)", task: phase.task,
                                  values: [MeasuredQuantity.trainLoss.id: .exact(phase.trainLoss)], elements: nil)
                } }
            },
        ]
        probes += [
            phaseVariable("lambda-agreement", phases: [.upstream, .scratch],
                          "Γ̂ of the test margins of the phases trained from scratch (upstream: task 1, scratch: task 2), per seed"),
            phaseVariable("gamma-agreement", phases: [.transfer], "Γ̂ of the transfer phase's test margins, per seed"),
            Probe(name: "gamma-ordering", kind: .statistical,
                  summary: "Spearman ρ between Γ(α) and the median transfer Γ̂ over the configurations inside the hypotheses, with a bootstrap-over-seeds interval",
                  extract: GammaOrderingProbe.extract, peersInsideHypotheses: true,
                  comparedConfigurations: { _, all in all.map(\.label) }),
            marginShare("inherited-signal-share", MeasuredQuantity.inheritedSignalShare, kind: "signal", statistic: "mean",
                        "inherited filters' share of the transfer phase's signal-patch margin mean, per seed"),
            marginShare("inherited-noise-share", MeasuredQuantity.inheritedNoiseShare, kind: "noise", statistic: "var",
                        "inherited filters' share of the transfer phase's noise-patch margin variance, per seed"),
        ]
        probes += [
            pooledError("theorem-4.2-benign", "transfer test error pooled over seeds (Clopper–Pearson)"),
            pooledError("theorem-4.2-harmful", "transfer test error pooled over seeds (Clopper–Pearson)"),
            pooledError("theorem-scratch-benign", "scratch test error pooled over seeds (Clopper–Pearson)"),
            pooledError("theorem-scratch-harmful", "scratch test error pooled over seeds (Clopper–Pearson)"),
            pooledError("proposition-negative-transfer", "transfer and scratch test errors pooled over seeds (Clopper–Pearson)"),
            Probe(name: "corollary-monotone", kind: .statistical,
                  summary: "slope of transfer test error against α, N₁, ‖u‖, σ_{p,1} within families of configurations that differ in that key only (mean of per-seed least-squares slopes ± Student t)",
                  extract: MonotonicityProbe.extract, comparedConfigurations: MonotonicityProbe.family),
        ]
        return Dictionary(uniqueKeysWithValues: probes.map { ($0.name, $0) })
    }()

    /// A concentration lemma over the upstream and downstream training draws (the transfer phase
    /// shares the downstream data and fresh draw with scratch, so it is not counted twice).
    static func concentration(_ name: String, _ summary: String, _ identifier: String,
                              _ elements: @escaping @Sendable (PhaseMeasurements, ExperimentConfig) -> [(Double, ElementLaw)]) -> Probe {
        Probe(name: name, kind: .highProbability, summary: summary) { configuration, runs, _ in
            runs.flatMap { run in
                run.phases.filter { $0.phase != Phase.transfer.rawValue }.map { phase in
                    let pairs = elements(phase, configuration.config)
                    return ProbeInstance(label: "seed \(run.seed) · \(phase.phase)", task: phase.task, values: [:],
                                         elements: ElementSample(identifier: identifier, values: pairs.map(\.0), laws: pairs.map(\.1)))
                }
            }
        }
    }

    /// A dynamics lemma per (seed, phase, filter group).
    static func dynamics(_ name: String, _ summary: String,
                         _ values: @escaping @Sendable (GroupDynamics) -> [String: Double]) -> Probe {
        Probe(name: name, kind: .everyInstance, summary: summary) { _, runs, _ in
            runs.flatMap { run in
                run.phases.flatMap { phase in
                    phase.groups.filter { phase.groups.count == 1 || $0.group != FilterGroup.all.rawValue }.compactMap { group in
                        let measured = values(group)
                        guard !measured.isEmpty else { return nil }
                        return ProbeInstance(label: "seed \(run.seed) · \(phase.phase) · \(group.group)", task: phase.task,
                                             values: measured.mapValues { .exact($0) }.merging(["T_star": .exact(Double(phase.steps))]) { a, _ in a },
                                             elements: nil)
                    }
                }
            }
        }
    }

    /// The measured phase variable Γ̂ (docs/theory.md §6b) of the given phases, one instance per
    /// run and phase (runs recorded before margins were measured give none).
    static func phaseVariable(_ name: String, phases: [Phase], _ summary: String) -> Probe {
        Probe(name: name, kind: .everyInstance, summary: summary) { _, runs, _ in
            runs.flatMap { run in
                phases.compactMap { phaseName -> ProbeInstance? in
                    guard let phase = run.phase(phaseName), let value = phase.margins?[MeasuredQuantity.gammaHat.id], value.isFinite else { return nil }
                    return ProbeInstance(label: "seed \(run.seed) · \(phase.phase)", task: phase.task,
                                         values: [MeasuredQuantity.gammaHat.id: .exact(value)], elements: nil)
                }
            }
        }
    }

    /// The inherited group's share of one margin part of the transfer phase (docs/theory.md §6b):
    /// inherited / (inherited + fresh) of the part's `statistic` (mean or var), one instance per
    /// run that inherited whole filters.
    static func marginShare(_ name: String, _ quantity: MeasuredQuantity, kind: String, statistic: String, _ summary: String) -> Probe {
        Probe(name: name, kind: .everyInstance, summary: summary) { _, runs, _ in
            runs.compactMap { run -> ProbeInstance? in
                guard let phase = run.phase(.transfer), let margins = phase.margins,
                      let inherited = margins["margin_\(FilterGroup.inherited.rawValue)_\(kind)_\(statistic)"],
                      let fresh = margins["margin_\(FilterGroup.fresh.rawValue)_\(kind)_\(statistic)"] else { return nil }
                let share = inherited / (inherited + fresh)
                guard share.isFinite else { return nil }
                return ProbeInstance(label: "seed \(run.seed) · transfer", task: phase.task, values: [quantity.id: .exact(share)], elements: nil)
            }
        }
    }

    /// Test errors of the downstream phases pooled over seeds: `test_error` and
    /// `clean_test_error` (transfer), `scratch_test_error` (scratch).
    static func pooledError(_ name: String, _ summary: String) -> Probe {
        Probe(name: name, kind: .statistical, summary: summary) { _, runs, _ in
            var values: [String: Measurement] = [:]
            values[MeasuredQuantity.testError.id] = try runs.pooledTestError(.transfer)
            values[MeasuredQuantity.cleanTestError.id] = try runs.pooledTestError(.transfer, clean: true)
            values[MeasuredQuantity.scratchTestError.id] = try runs.pooledTestError(.scratch)
            return [ProbeInstance(label: "\(runs.count) seeds pooled", task: 2, values: values, elements: nil)]
        }
    }
}
