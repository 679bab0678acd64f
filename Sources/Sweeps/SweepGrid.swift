import Bounds
import Foundation
import Platform
import RunStore
import TransferModel
import Vocabulary
import Yams

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
/// regime: {C: 1, margin: 2, clock: 1e5}   # optional: place each cell inside the hypotheses
/// ```
///
/// Loading never stores the expanded grid. It counts the runs with overflow-checked arithmetic,
/// checks every axis value on the base config, refuses values that are equal once read (`20`,
/// `20.0` and `2e1` for `d`), then builds each cell's config once, in turn, to check the keys
/// across each other and find the largest memory estimate; runs are built again, one at a time,
/// by `job(at:previous:)` as the sweep reaches them.
public struct SweepGrid: Sendable {
    /// One grid axis: a config key and its values as written (YAML scalars).
    public struct Axis: Sendable, Equatable {
        public let key: String
        public let values: [String]
    }

    public let base: ExperimentConfig
    public let axes: [Axis]
    public let seeds: [UInt64]
    /// The largest memory estimate of any run (a sweep saves no arrays).
    public internal(set) var largestEstimate: ResourceEstimate
    /// Per-cell placement inside the hypotheses (`regime: {C, margin, clock}`), if asked for.
    public var regime: RegimePlacement? = nil
    /// The cells that cannot be placed, with the reason: they are skipped, the rest runs.
    public var unplaced: [Int: String] = [:]
    /// Each placed cell's values, found once when the grid is read (every seed of a cell uses them).
    var placed: [Int: RegimePlacement.Placed] = [:]

    /// Every key at its default, except `record`: a sweep records the final step only unless its
    /// base (or an axis) asks for `record: trajectories` (docs/theory.md §6d).
    package static let sweepDefaults: ExperimentConfig = {
        var config = ExperimentConfig()
        config.record = .final
        return config
    }()

    /// The most runs (cells × seeds) a grid may hold.
    static let maximumRuns = 1_000_000

    /// Number of cells (product of the axis lengths; at most `maximumRuns`).
    public var cellCount: Int { axes.reduce(1) { $0 * $1.values.count } }
    /// Number of runs: cells × seeds.
    public var runCount: Int { cellCount * seeds.count }

    static let topLevelKeys = ["base", "grid", "seeds", "regime"]

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
                throw ConfigError(field: name, "unknown key (allowed: \(topLevelKeys.joined(separator: ", ")))")
            }
            sections[name] = value
        }

        // base: a config mapping (may be absent: every key at its default).
        var baseValues: [String: Node] = [:]
        if let node = sections["base"] {
            guard let m = node.mapping else { throw ConfigError(field: "base", "expected a mapping of config keys to values") }
            baseValues = try YAMLInput.dictionary(m, field: "base")
            if baseValues["seed"] != nil { throw ConfigError(field: "base.seed", "not allowed here: list the seeds under 'seeds'") }
        }
        let base: ExperimentConfig
        do { base = try ExperimentConfig(values: baseValues, base: sweepDefaults) } catch let error as ConfigError {
            throw ConfigError(field: "base.\(error.field)", error.problem)
        }

        // grid: key → non-empty list of distinct scalars, each checked on the base config.
        guard let gridNode = sections["grid"] else { throw ConfigError(field: "grid", "missing: give a mapping of config keys to lists of values") }
        guard let gridMapping = gridNode.mapping, gridMapping.count > 0 else {
            throw ConfigError(field: "grid", "expected a non-empty mapping of config keys to lists of values")
        }
        var axes: [Axis] = []
        for (name, value) in try YAMLInput.entries(gridMapping, field: "grid") {
            guard let key = ConfigKey(rawValue: name), key != .constants else {
                throw ConfigError(field: "grid.\(name)", "unknown or non-scalar config key (allowed: \(ExperimentConfig.keys.filter { $0 != "constants" }.joined(separator: ", ")))")
            }
            if key == .seed { throw ConfigError(field: "grid.seed", "not allowed here: list the seeds under 'seeds'") }
            guard let list = value.sequence, list.count > 0 else {
                throw ConfigError(field: "grid.\(name)", "expected a non-empty list of values")
            }
            let texts = try ExperimentConfig.axisValues(key, Array(list), base: base, field: "grid.\(name)")
            axes.append(Axis(key: name, values: texts))
        }

        // seeds: non-empty list of distinct integers in [0, 2^64).
        guard let seedsNode = sections["seeds"] else { throw ConfigError(field: "seeds", "missing: give a list of integers in [0, 2^64)") }
        let seeds = try YAMLInput.seeds(seedsNode)

        // Counted before anything is built, without overflow.
        var cells = 1, overflow = false
        for axis in axes where !overflow {
            (cells, overflow) = cells.multipliedReportingOverflow(by: axis.values.count)
        }
        let runs = cells.multipliedReportingOverflow(by: seeds.count)
        guard !overflow, !runs.overflow, runs.partialValue <= SweepGrid.maximumRuns else {
            throw ConfigError(field: "grid", "\(overflow || runs.overflow ? "more than 2^63" : String(runs.partialValue)) runs (cells × seeds); at most \(SweepGrid.maximumRuns)")
        }
        var grid = SweepGrid(base: base, axes: axes, seeds: seeds, largestEstimate: ResourceEstimate(base))
        grid.regime = try sections["regime"].map(readRegime)
        var largest: ResourceEstimate?
        for cell in 0..<cells {
            let unplacedConfig = try grid.unplacedConfig(cell: cell)
            if let regime = grid.regime {
                do { grid.placed[cell] = try regime.place(unplacedConfig.numericValues, constants: unplacedConfig.effectiveConstants) } catch let error as ConfigError {
                    grid.unplaced[cell] = error.problem
                    continue
                }
            }
            let estimate = ResourceEstimate(try grid.placing(unplacedConfig, cell: cell))
            if estimate.bytes > largest?.bytes ?? -1 { largest = estimate }
        }
        if let largest { grid.largestEstimate = largest }
        return grid
    }

    /// `regime: {C: 1, margin: 2, clock: 1e5}`; errors name `regime.<key>`.
    static func readRegime(_ node: Node) throws -> RegimePlacement {
        guard let mapping = node.mapping else { throw ConfigError(field: "regime", "expected a mapping with C, margin, clock") }
        var values: [String: Double] = [:]
        for (key, value) in try YAMLInput.entries(mapping, field: "regime") {
            guard RegimePlacement.keys.contains(key) else {
                throw ConfigError(field: "regime.\(key)", "unknown key (allowed: \(RegimePlacement.keys.joined(separator: ", ")))")
            }
            guard let x = Double(try YAMLInput.numberText(value, field: "regime.\(key)", expected: "a finite number")), x.isFinite else {
                throw ConfigError(field: "regime.\(key)", "expected a finite number")
            }
            values[key] = x
        }
        guard let clock = values["clock"] else { throw ConfigError(field: "regime.clock", "required: η_k·σ_p²·d·T_k, the noise clock every cell runs") }
        let placement = RegimePlacement(constant: values["C"] ?? 1, margin: values["margin"] ?? 2, clock: clock)
        guard placement.constant > 0 else { throw ConfigError(field: "regime.C", "\(placement.constant) is outside the allowed range: > 0") }
        guard placement.margin >= 1 else { throw ConfigError(field: "regime.margin", "\(placement.margin) is outside the allowed range: ≥ 1") }
        guard placement.clock > 0 else { throw ConfigError(field: "regime.clock", "\(placement.clock) is outside the allowed range: > 0") }
        return placement
    }

    /// The labels of the unplaced cells with their reasons, in grid order.
    public var unplacedCells: [(label: String, reason: String)] {
        unplaced.keys.sorted().map { (label(cell: $0), unplaced[$0]!) }
    }

    /// A cell's grid values as written, in axis order.
    public func values(cell: Int) -> [(key: String, value: String)] {
        zip(axes, indices(cell: cell)).map { ($0.key, $0.values[$1]) }
    }

    /// A cell's label, its grid values as `d=1000,u_norm=5`.
    public func label(cell: Int) -> String { values(cell: cell).map { "\($0.key)=\($0.value)" }.joined(separator: ",") }

    /// The axis value indices of a cell (last axis fastest).
    public func indices(cell: Int) -> [Int] {
        var rest = cell
        var indices = [Int](repeating: 0, count: axes.count)
        for a in axes.indices.reversed() {
            indices[a] = rest % axes[a].values.count
            rest /= axes[a].values.count
        }
        return indices
    }

    /// A cell's config from the base and its grid values, before any placement; errors name
    /// `grid.<key>[i]`.
    func unplacedConfig(cell: Int) throws -> ExperimentConfig {
        let indices = indices(cell: cell)
        var nodes: [String: Node] = [:]
        for (a, axis) in axes.enumerated() { nodes[axis.key] = Node.scalar(.init(axis.values[indices[a]])) }
        do { return try ExperimentConfig(values: nodes, base: base) } catch let error as ConfigError {
            let cellText = zip(axes, indices).map { "\($0.key)[\($1)]" }.joined(separator: ", ")
            throw ConfigError(field: "grid", "the cell \(cellText): \(error.field): \(error.problem)")
        }
    }

    /// The effective config of a cell without its seed: with `regime:`, its placed values
    /// (a cell that could not be placed is refused, naming why).
    func config(cell: Int) throws -> ExperimentConfig {
        try placing(try unplacedConfig(cell: cell), cell: cell)
    }

    /// `config` (the cell's ``unplacedConfig(cell:)``) with the cell's placed values, when the grid places.
    func placing(_ config: ExperimentConfig, cell: Int) throws -> ExperimentConfig {
        var config = config
        guard let regime else { return config }
        guard let placed = placed[cell] else { throw ConfigError(field: "regime", unplaced[cell] ?? "the cell was not placed") }
        config.constants["C"] = regime.constant
        config.sigma0 = placed.sigma0
        config.eta = placed.eta
        config.eta2 = placed.eta2
        config.T1 = placed.T1
        config.T2 = placed.T2
        // About 100 snapshots of the longer phase (docs/theory.md §6d): a tenth of the shorter one
        // recorded thousands at large d (1.2 MB of trajectory per run at d = 4.6·10⁷).
        config.record_every = max(1, max(placed.T1, placed.T2) / 100)
        return config
    }

    /// Run `index` (cells in grid order, seeds in list order within a cell), built on demand.
    /// `previous`, a job built before, is reused when it is of the same cell: only the seed differs
    /// (measured: building the config and its identity texts anew took a fifth of a small sweep).
    package func job(at index: Int, previous: SweepJob? = nil) throws -> SweepJob {
        let cell = index / seeds.count, seed = seeds[index % seeds.count]
        if let previous, previous.cell == cell { return previous.reseeded(seed) }
        var config = try config(cell: cell)
        config.seed = seed
        return SweepJob(cell: cell, seed: seed, config: config,
                        gridValues: Dictionary(uniqueKeysWithValues: values(cell: cell).map { ($0.key, $0.value) }))
    }

    /// Every run, built at once (for small grids and tests; a sweep builds them one at a time).
    package var jobs: [SweepJob] {
        get throws { try (0..<runCount).map { try job(at: $0) } }
    }
}

/// One run of a sweep: a cell of the grid with one seed.
package struct SweepJob: Sendable {
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
    let cellKey: String

    /// ``RunKey/identityJSON(_:includingSeed:)`` of the config, whose hash is `key`.
    let identityText: String
    /// ``RunKey/canonicalJSON(_:includingSeed:)`` of the config: the store's config column.
    let configJSON: String
    /// `gridValues` as JSON with sorted keys: the store's grid column (the same for every seed).
    let gridJSON: String

    public init(cell: Int, seed: UInt64, config: ExperimentConfig, gridValues: [String: String]) {
        self.init(cell: cell, seed: seed, config: config, gridValues: gridValues,
                  identityText: RunKey.identityJSON(config), cellKey: RunKey.key(config, includingSeed: false),
                  configJSON: RunKey.canonicalJSON(config), gridJSON: gridValues.json.canonicalText)
    }

    private init(cell: Int, seed: UInt64, config: ExperimentConfig, gridValues: [String: String],
                 identityText: String, cellKey: String, configJSON: String, gridJSON: String) {
        self.cell = cell
        self.seed = seed
        self.config = config
        self.gridValues = gridValues
        self.identityText = identityText
        key = RunHash.hex(identityText.utf8)
        self.cellKey = cellKey
        self.configJSON = configJSON
        self.gridJSON = gridJSON
    }

    /// The same cell with another seed: its texts with the seed's value replaced (the seed is the
    /// one key that differs), or built anew when the old value's `"seed":…` is not found exactly once
    /// or either seed is the default (which the identity text leaves out).
    func reseeded(_ seed: UInt64) -> SweepJob {
        var config = self.config
        config.seed = seed
        guard seed != RunKey.defaultSeed && self.seed != RunKey.defaultSeed,
              let identity = RunKey.reseeded(identityText, from: self.seed, to: seed),
              let canonical = RunKey.reseeded(configJSON, from: self.seed, to: seed) else {
            return SweepJob(cell: cell, seed: seed, config: config, gridValues: gridValues)
        }
        return SweepJob(cell: cell, seed: seed, config: config, gridValues: gridValues,
                        identityText: identity, cellKey: cellKey, configJSON: canonical, gridJSON: gridJSON)
    }
}
