import Foundation
import Platform
import TransferModel
import Vocabulary

/// One share of a grid's runs (`ptv sweep --shard i/N`; README "Sweeps on a cluster"): the
/// cells whose key, read as a number, is i modulo N. A deterministic function of the cell keys,
/// so a resubmitted task redoes exactly its share, and every seed of a cell lands in one shard.
package struct SweepShard: Sendable, Equatable, CustomStringConvertible {
    package let index: Int
    package let count: Int

    /// The most shards a grid may be cut into.
    package static let largestCount = 100_000

    package init(index: Int, count: Int) throws {
        guard (1...Self.largestCount).contains(count) else {
            throw ConfigError(field: "shard", "\(count) shards is outside the allowed range: an integer in [1, \(Self.largestCount)]")
        }
        guard (0..<count).contains(index) else { throw ConfigError(field: "shard", "\(index) is outside the allowed range: an integer in [0, \(count - 1)]") }
        self.index = index
        self.count = count
    }

    /// "i/N".
    package init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ConfigError(field: "shard", "'\(InputText.excerpt(text))' is not i/N (e.g. 0/4)")
        }
        try self.init(index: i, count: n)
    }

    package var description: String { "\(index)/\(count)" }

    /// The shard of a cell: its key's first 15 hexadecimal digits, modulo `count`.
    package static func shard(ofCell cellKey: String, count: Int) -> Int {
        Int(UInt64(cellKey.prefix(15), radix: 16) ?? 0) % count
    }

    /// Where the task of shard `index` writes: `S.shards/<index>.sqlite` beside the store `S.sqlite`.
    package static func folder(of store: URL) -> URL {
        store.deletingPathExtension().appendingPathExtension("shards")
    }

    /// The same share of a list of runs (suites: by position, not by cell key).
    package var share: WorkShare { WorkShare(index: index, count: count) }

    package func url(beside store: URL) -> URL { Self.folder(of: store).appendingPathComponent("\(index).sqlite") }

    /// ``stores(in:)``, refused (naming `field`) when there is none.
    package static func requiredStores(in folder: URL, field: String) throws -> [(index: Int, url: URL)] {
        let stores = stores(in: folder)
        guard !stores.isEmpty else { throw ConfigError(field: field, "no shard stores in \(folder.path)") }
        return stores
    }

    /// The shard stores `<i>.sqlite` in `folder`, by shard index (none when the folder is missing).
    package static func stores(in folder: URL) -> [(index: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap { name in
            guard name.hasSuffix(".sqlite"), let i = Int(name.dropLast(".sqlite".count)) else { return nil }
            return (i, folder.appendingPathComponent(name))
        }.sorted { $0.index < $1.index }
    }
}

