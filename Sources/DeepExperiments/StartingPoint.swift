import DeepNetworks
import Foundation

/// What a transfer run starts from, before its first downstream step (docs/theory.md §9b):
/// recordings meant to tell an upstream network that learned something useful from one that did
/// not (its shuffled-label control), measured on the network exactly as Algorithm 1 leaves it.
///
/// - `probeAccuracy`: linear-probe test accuracy on the downstream task (true labels) of the last
///   hidden layer's inherited and fresh units at epoch 0 (fraction of the test images);
/// - `contrast`: the input layer's inherited and fresh filters against the span of the
///   downstream task's class-mean *differences* (``SignalSubspace/init(task:kernel:stride:contrasts:)``),
///   mean signal and noise energies (squared weight) and mean signal fraction; isotropic filters
///   have fraction `contrastDimension / patchDimension`.
package struct StartingPoint: Sendable, Codable, Equatable {
    package var probeAccuracy: [ChannelGroup: Double]
    package var probeUnits: [ChannelGroup: Int]
    package var contrast: [ChannelGroup: FilterEnergy]
    package var contrastDimension: Int
    package var patchDimension: Int

    /// The store key of a transfer run's starting point (beside the run's own record).
    static func key(of run: DeepRun) -> String { "start-" + run.key }

    /// Rebuild `run`'s starting network (same draw, same inherited rows) and record it.
    static func measure(_ run: DeepRun, images: TaskImages, upstream: [String: Tensor<Float>]) throws -> StartingPoint {
        let (train, test) = images.task(run.config, side: run.side, seed: run.seed)
        let (network, inherited) = try run.startingNetwork(for: train, upstream: upstream)
        let (probeAccuracy, probeUnits) = run.probes(of: network, inherited: inherited, train: train, test: test)
        let input = run.config.model.inputLayer
        let subspace = SignalSubspace(task: train, kernel: input.kernel, stride: input.stride, contrasts: true)
        let contrast = network.parameters.first(where: { $0.name == input.weight })
            .map { subspace.groupEnergies(of: $0.parameter.value, inherited: inherited[input.weight] ?? []) } ?? [:]
        return StartingPoint(probeAccuracy: probeAccuracy, probeUnits: probeUnits, contrast: contrast,
                             contrastDimension: subspace.basis.count, patchDimension: subspace.dimension)
    }
}
