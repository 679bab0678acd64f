import DeepNetworks
import Foundation
import NumericsCore
import Platform
import RunStore
import Vocabulary

/// One run of a deep experiment, as a value: its role, its config (with the suite's seed), and
/// for a transfer run the plan and the upstream run it inherits from. Its key identifies it in
/// the store: two configurations that share a run (two transfer runs share their scratch run
/// when their downstream tasks agree) share the key, and the run is done once.
public struct DeepRun: Sendable {
    package let role: DeepRole
    public let config: DeepConfig
    public let seed: UInt64
    public let plan: DeepTransferPlan?
    package let upstreamKey: String?
    public let key: String

    /// The format version of recorded runs: a change of what a run records changes every key.
    static let format = "deep-run-2"

    package init(role: DeepRole, config: DeepConfig, seed: UInt64, plan: DeepTransferPlan? = nil, upstreamKey: String? = nil) {
        var config = config
        config.plan.seed = seed
        self.role = role
        self.config = config
        self.seed = seed
        self.plan = plan
        self.upstreamKey = upstreamKey
        var description: [String: JSONValue] = ["format": Self.format.json, "role": role.rawValue.json, "config": config.changedJSON.json]
        if let plan { description["transfer"] = plan.jsonObject.json }
        if let upstreamKey { description["upstream"] = upstreamKey.json }
        key = "deep-" + RunHash.hex(JSONValue.object(description).canonicalText.utf8).prefix(32)
    }

    /// The side of the data this run's task draws from.
    var side: TaskImages.Side { role == .upstream ? .upstream : .downstream }

    /// Train the run. A transfer run needs its upstream network's arrays; `progress` gets
    /// (epoch, batch, batches). Returns the record and, for an upstream run, its network's
    /// arrays as a safetensors checkpoint.
    public func execute(images: TaskImages, upstream: [String: Tensor<Float>]? = nil,
                        progress: (Int, Int, Int) -> Void = { _, _, _ in }) throws -> (record: DeepRunRecord, checkpoint: Data?) {
        let clock = ContinuousClock(), start = clock.now
        let (train, test) = images.task(config, side: side, seed: seed)
        let (network, inherited) = try startingNetwork(for: train, upstream: upstream)
        let input = config.model.inputLayer
        let subspace = role == .upstream ? nil : SignalSubspace(task: train, kernel: input.kernel, stride: input.stride)
        let inputWeight = network.parameters.first { $0.name == input.weight }?.parameter
        func energies() -> [ChannelGroup: FilterEnergy] {
            guard let subspace, let weight = inputWeight?.value else { return [:] }
            return subspace.groupEnergies(of: weight, inherited: inherited[input.weight] ?? [])
        }
        var epochs = [DeepEpoch(epoch: 0, trainLoss: .nan, trainAccuracy: .nan, seconds: 0, inputLayer: energies())]
        let trainer = DeepTrainer(network: network, plan: config.plan)
        _ = try trainer.train(train, test: nil, progress: progress) { record in
            epochs.append(DeepEpoch(epoch: record.epoch, trainLoss: record.trainLoss, trainAccuracy: record.trainAccuracy,
                                    seconds: record.seconds, inputLayer: energies()))
        }
        let evaluation = trainer.evaluate(test)
        let (probeAccuracy, probeUnits) = role == .upstream ? ([:], [:]) : probes(of: network, inherited: inherited, train: train, test: test)
        let elapsed = start.duration(to: clock.now)
        let record = DeepRunRecord(
            role: role, key: key, epochs: epochs, testAccuracy: evaluation.accuracy, testLoss: evaluation.loss, inherited: inherited,
            signalDimension: subspace?.basis.count ?? 0, patchDimension: subspace?.dimension ?? 0,
            probeAccuracy: probeAccuracy, probeUnits: probeUnits,
            parameterCount: network.parameters.reduce(0) { $0 + $1.parameter.value.count },
            seconds: elapsed.inSeconds)
        return (record, role == .upstream ? try Checkpoint.encode(Checkpoint.arrays(of: network)) : nil)
    }

    /// The network as training finds it: the fresh draw (one stream per side, shared by the
    /// transfer and scratch runs of a seed) with, for a transfer run, the plan's rows taken from
    /// `upstream`. Returns it with the rows inherited per weight.
    func startingNetwork(for train: ImageDataset, upstream: [String: Tensor<Float>]?) throws -> (Sequential<Float>, [String: [Int]]) {
        var draw = SeededGenerator(seed: seed, stream: "deep-init-\(side.rawValue)")
        let network = config.model.network(channels: train.images.shape[1], side: train.images.shape[2], classes: train.classCount, using: &draw)
        guard role == .transfer, let plan else { return (network, [:]) }
        guard let upstream else { throw ConfigError(field: "transfer", "the transfer run has no upstream network") }
        var choice = SeededGenerator(seed: seed, stream: "deep-transfer")
        return (network, try plan.transfer.apply(upstream: upstream, into: network, field: "transfer.layers", using: &choice))
    }

    /// Linear-probe test accuracy of the last hidden layer's inherited and fresh units (a group
    /// without units is absent), and the number of units in each.
    func probes(of network: Sequential<Float>, inherited: [String: [Int]], train: ImageDataset, test: ImageDataset)
        -> ([ChannelGroup: Double], [ChannelGroup: Int]) {
        let body = Sequential(Array(network.layers.dropLast()))
        let trainFeatures = Self.features(body, train), testFeatures = Self.features(body, test)
        let width = trainFeatures.count / max(1, train.count)
        let rows = Set(inherited[config.model.representationWeight] ?? [])
        let groups: [ChannelGroup: [Int]] = [.inherited: (0..<width).filter { rows.contains($0) }, .fresh: (0..<width).filter { !rows.contains($0) }]
        var accuracy: [ChannelGroup: Double] = [:], units: [ChannelGroup: Int] = [:]
        for (group, members) in groups where !members.isEmpty {
            units[group] = members.count
            accuracy[group] = LinearProbe.accuracy(train: trainFeatures, trainLabels: train.trueLabels, test: testFeatures,
                                                   testLabels: test.trueLabels, width: width, units: members, classes: train.classCount)
        }
        return (accuracy, units)
    }

    /// The last hidden layer's values for every image of `data` (evaluation mode), row-major.
    static func features(_ body: Sequential<Float>, _ data: ImageDataset, batch: Int = 256) -> [Float] {
        var rng = SeededGenerator(seed: 0, stream: "unused")
        var out: [Float] = []
        for start in stride(from: 0, to: data.count, by: batch) {
            let (x, _) = data.batch(Array(start..<min(start + batch, data.count)), using: &rng)
            out += body.forward(x, training: false).storage
        }
        return out
    }
}
