import Foundation
import RunStore
import TransferModel

extension SweepShard {
    /// Whether a job's cell belongs to this shard.
    package func contains(_ job: SweepJob) -> Bool { Self.shard(ofCell: job.cellKey, count: count) == index }
}

extension SweepGrid {
    /// The grid's identity: SHA-256 of its base config (canonical form), its axes with their
    /// values as written, and its seeds. Shards of one grid carry it, and a merge refuses a shard
    /// whose identity differs from the store's.
    public var identity: String {
        let axes = self.axes.map { "\($0.key)=\($0.values.joined(separator: ","))" }.joined(separator: ";")
        return RunHash.hex(Array("\(RunKey.canonicalJSON(base, includingSeed: false))\n\(axes)\n\(seeds.map(String.init).joined(separator: ","))".utf8))
    }

    /// The number of runs of shard `shard`.
    package func runCount(in shard: SweepShard) throws -> Int {
        try (0..<cellCount).reduce(0) { total, cell in
            guard unplaced[cell] == nil else { return total }
            return total + (SweepShard.shard(ofCell: try job(at: cell * seeds.count).cellKey, count: shard.count) == shard.index ? seeds.count : 0)
        }
    }

    /// The runs of the cells that can be placed (all of them without `regime:`).
    public var placedRunCount: Int { (cellCount - unplaced.count) * seeds.count }
}
