import Foundation
import TransferModel
import Yams
import Vocabulary

/// A sweep: a base config, a grid of values for some config keys (the cells are the Cartesian
/// product of the lists, in the order the keys are written, last key fastest), and seeds; every
/// cell runs once per seed.
///
/// ```yaml
/// base: {N1: 100, N2: 10, T1: 150, T2: 150}   # any config keys (README "Config reference")
/// grid:
///   d: [200, 400, 800]
///   u_norm: [0.5, 1, 2]
/// seeds: [0, 1, 2]
/// ```
public struct SweepGrid: Sendable {
    /// One grid axis: a config key and its values as written (YAML scalars).
    public struct Axis: Sendable, Equatable {
        public let key: String
        public let values: [String]
    }

    public let base: ExperimentConfig
    public let axes: [Axis]
    public let seeds: [UInt64]
    /// Every (cell, seed) run, cells in grid order, seeds in list order within a cell.
    public let jobs: [SweepJob]

    /// Number of cells (product of the axis lengths).
    /// The most runs (cells × seeds) a grid may hold.
    public static let maximumRuns = 1_000_000

    public var cellCount: Int { axes.reduce(1) { $0 * $1.values.count } }

    public static let topLevelKeys = ["base", "grid", "seeds"]

    /// Read a grid file.
    public static func load(from url: URL) throws -> SweepGrid {
        try parse(yaml: YAMLInput.text(of: url, field: "grid file"))
    }

    /// Parse grid YAML. Errors name the field: `base.d`, `grid.u_norm[2]`, `seeds[1]`, ….
    public static func parse(yaml text: String) throws -> SweepGrid {
        guard let mapping = try YAMLInput.compose(text, field: "grid file")?.mapping else {
            throw ConfigError(field: "grid file", "expected a mapping with keys base, grid, seeds")
        }
        var sections: [String: Node] = [:]
        for (name, value) in try YAMLInput.entries(mapping, field: "") {
            guard topLevelKeys.contains(name) else {
                throw ConfigError(field: name, "unknown key (allowed: base, grid, seeds)")
            }
            sections[name] = value
        }

        // base: a config mapping (may be absent: every key at its default).
        var baseValues: [(String, Node)] = []
        if let node = sections["base"] {
            guard let m = node.mapping else { throw ConfigError(field: "base", "expected a mapping of config keys to values") }
            for (name, value) in try YAMLInput.entries(m, field: "base") {
                if name == "seed" { throw ConfigError(field: "base.seed", "not allowed here: list the seeds under 'seeds'") }
                baseValues.append((name, value))
            }
        }
        let base: ExperimentConfig
        do { base = try ExperimentConfig(values: Dictionary(uniqueKeysWithValues: baseValues)) } catch let error as ConfigError {
            throw ConfigError(field: "base.\(error.field)", error.problem)
        }

        // grid: key → non-empty list of scalars.
        guard let gridNode = sections["grid"] else { throw ConfigError(field: "grid", "missing: give a mapping of config keys to lists of values") }
        guard let gridMapping = gridNode.mapping, gridMapping.count > 0 else {
            throw ConfigError(field: "grid", "expected a non-empty mapping of config keys to lists of values")
        }
        var axes: [Axis] = []
        for (key, value) in gridMapping {
            guard let name = key.string else { throw ConfigError(field: "grid", "keys must be strings") }
            guard ExperimentConfig.keys.contains(name), name != "constants" else {
                throw ConfigError(field: "grid.\(name)", "unknown or non-scalar config key (allowed: \(ExperimentConfig.keys.filter { $0 != "constants" }.joined(separator: ", ")))")
            }
            if name == "seed" { throw ConfigError(field: "grid.seed", "not allowed here: list the seeds under 'seeds'") }
            guard let list = value.sequence, list.count > 0 else {
                throw ConfigError(field: "grid.\(name)", "expected a non-empty list of values")
            }
            var texts: [String] = []
            for (index, item) in list.enumerated() {
                guard let text = item.scalar?.string else { throw ConfigError(field: "grid.\(name)[\(index)]", "expected a scalar value") }
                if texts.contains(text) { throw ConfigError(field: "grid.\(name)[\(index)]", "duplicate value '\(InputText.excerpt(text))'") }
                texts.append(text)
            }
            axes.append(Axis(key: name, values: texts))
        }

        // seeds: non-empty list of distinct integers in [0, 2^64).
        guard let seedsNode = sections["seeds"] else { throw ConfigError(field: "seeds", "missing: give a list of integers in [0, 2^64)") }
        let seeds = try YAMLInput.seeds(seedsNode)

        // Cells: Cartesian product, last axis fastest; each validated as a config.
        var jobs: [SweepJob] = []
        var baseNodes = Dictionary(uniqueKeysWithValues: baseValues)
        // Counted before anything is expanded, without overflow.
        var cellCount = 1, overflow = false
        for axis in axes where !overflow {
            (cellCount, overflow) = cellCount.multipliedReportingOverflow(by: axis.values.count)
        }
        let runs = cellCount.multipliedReportingOverflow(by: seeds.count)
        guard !overflow, !runs.overflow, runs.partialValue <= SweepGrid.maximumRuns else {
            throw ConfigError(field: "grid", "\(overflow || runs.overflow ? "more than 2^63" : String(runs.partialValue)) runs (cells × seeds); at most \(SweepGrid.maximumRuns)")
        }
        for cell in 0..<cellCount {
            var rest = cell
            var indices = [Int](repeating: 0, count: axes.count)
            for a in axes.indices.reversed() {
                indices[a] = rest % axes[a].values.count
                rest /= axes[a].values.count
            }
            var cellValues: [String: String] = [:]
            for (a, axis) in axes.enumerated() {
                cellValues[axis.key] = axis.values[indices[a]]
                baseNodes[axis.key] = Node.scalar(.init(axis.values[indices[a]]))
            }
            for seed in seeds {
                var nodes = baseNodes
                nodes["seed"] = Node.scalar(.init(String(seed)))
                let config: ExperimentConfig
                do { config = try ExperimentConfig(values: nodes) } catch let error as ConfigError {
                    if let a = axes.firstIndex(where: { $0.key == error.field }) {
                        throw ConfigError(field: "grid.\(error.field)[\(indices[a])]", error.problem)
                    }
                    throw ConfigError(field: "base.\(error.field)", error.problem)
                }
                jobs.append(SweepJob(cell: cell, seed: seed, config: config, gridValues: cellValues))
            }
        }
        return SweepGrid(base: base, axes: axes, seeds: seeds, jobs: jobs)
    }
}

/// One run of a sweep: a cell of the grid with one seed.
public struct SweepJob: Sendable {
    /// Index of the cell in grid order.
    public let cell: Int
    public let seed: UInt64
    /// The effective config (base, then the cell's values, then the seed).
    public let config: ExperimentConfig
    /// The cell's grid values as written, by key.
    public let gridValues: [String: String]
    /// The store key: SHA-256 of the canonical effective config (see ``RunKey``).
    public let key: String
    /// SHA-256 of the canonical config without the seed: equal for all seeds of a cell.
    public let cellKey: String

    public init(cell: Int, seed: UInt64, config: ExperimentConfig, gridValues: [String: String]) {
        self.cell = cell
        self.seed = seed
        self.config = config
        self.gridValues = gridValues
        key = RunKey.key(config)
        cellKey = RunKey.key(config, includingSeed: false)
    }
}

/// The identity of a run's results: its effective config, written canonically.
///
/// Canonical form: the JSON object of `ExperimentConfig.jsonObject` (every key, defaults filled
/// in) without `engine` — both engines give the same results to rounding error, so a sweep
/// re-run with another engine reuses finished cells — with sorted keys and no whitespace.
/// The key is the SHA-256 of its UTF-8 bytes.
public enum RunKey {
    public static func canonicalJSON(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        var object = config.jsonObject
        object["engine"] = nil
        if !includingSeed { object["seed"] = nil }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public static func key(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        SHA256.hex(canonicalJSON(config, includingSeed: includingSeed).utf8)
    }
}
