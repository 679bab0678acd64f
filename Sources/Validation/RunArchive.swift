import Foundation
import Platform
import RunStore
import TransferModel

/// Finished runs kept across invocations (the sweep store), keyed by the effective config
/// (the rule included) and the seed, so an interrupted audit resumes.
public protocol RunArchive: Sendable {
    /// The run of `config` (seed included), if one was recorded.
    func recorded(_ config: ExperimentConfig) throws -> RunMeasurements?
    /// Record a finished run of `config` (one transaction; no partial rows).
    func record(_ run: RunMeasurements, of config: ExperimentConfig) throws
}

/// The sweep store as the audit's archive: whole recorded runs keyed by the effective config
/// (the rule and the seed included).
public struct StoreArchive: RunArchive {
    package let store: SweepStore

    package init(store: SweepStore) { self.store = store }

    public func recorded(_ config: ExperimentConfig) throws -> RunMeasurements? {
        guard let data = try store.recordedRun(key: RunKey.key(config)) else { return nil }
        return try RunMeasurements.decoder().decode(RunMeasurements.self, from: data)
    }

    public func record(_ run: RunMeasurements, of config: ExperimentConfig) throws {
        try store.insertRecordedRun(key: RunKey.key(config), json: RunMeasurements.encoder().encode(run))
    }
}

/// The shard stores of a suite run on a cluster (`<out>/shards/*.sqlite`), read together: a run
/// is taken from the first shard that holds it. Runs trained while judging stay in the report's
/// runs/ only.
public struct ShardArchive: RunArchive {
    let stores: [StoreArchive]

    public init(folder: URL) throws {
        stores = try SweepShard.requiredStores(in: folder, field: "from-shards").map { StoreArchive(store: try SweepStore(url: $0.url, create: false)) }
    }

    public func recorded(_ config: ExperimentConfig) throws -> RunMeasurements? {
        for store in stores { if let run = try store.recorded(config) { return run } }
        return nil
    }

    public func record(_ run: RunMeasurements, of config: ExperimentConfig) throws {}
}
