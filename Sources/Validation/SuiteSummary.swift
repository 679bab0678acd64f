import Bounds
import Foundation
import NumericsCore
import TransferModel

/// Per-configuration facts shown in the report: the theory's predictions next to the
/// measured errors (pooled over seeds).
package struct ConfigurationSummary: Sendable {
    public var label: String
    public var split: String
    public var config: ExperimentConfig
    /// Γ(α), Γ(0) = Λ₂ and the predicted regime ("benign", "harmful", "between").
    public var gamma: Double
    var gammaScratch: Double
    public var regime: String
    public var transferError: Measurement?
    public var scratchError: Measurement?
    var transferCleanError: Measurement?
    var scratchCleanError: Measurement?
    public var seeds: Int

    /// Predictions from the Bounds module and pooled errors from the runs.
    public init(_ configuration: ValidationSuite.Configuration, runs: [RunMeasurements], constants: [String: Double]) throws {
        label = configuration.label
        split = configuration.split.rawValue
        config = configuration.config
        let env = Environment.theory(configuration: config.numericValues,
                                     constants: config.constants.merging(constants) { _, s in s }, task: 2)
        gamma = try Formula.variable("Gamma").evaluate(in: env).value
        gammaScratch = try Formula.variable("Gamma_scratch").evaluate(in: env).value
        let c1 = env.values["C1"]?.value ?? 1, c3 = env.values["C3"]?.value ?? 1
        regime = gamma >= c1 ? "benign" : gamma <= c3 ? "harmful" : "between"
        transferError = try runs.pooledTestError(.transfer)
        scratchError = try runs.pooledTestError(.scratch)
        transferCleanError = try runs.pooledTestError(.transfer, clean: true)
        scratchCleanError = try runs.pooledTestError(.scratch, clean: true)
        seeds = runs.count
    }
}
