import Foundation
import GRDB
import NumericsCore
import Platform
import TransferModel
import Vocabulary

/// The results of one finished (cell, seed) run, as the store keeps them.
package struct SweepResult: Sendable {
    package struct PhaseMetrics: Sendable {
        package let phase: String
        /// `PhaseOutcome.metrics` (the names of `metrics.json`).
        package let values: [String: Double]
        /// The phase's trajectory summary (the CSV of `ptv train`'s trajectory-<phase>.csv); empty
        /// for `record: final`.
        let trajectoryCSV: String

        package init(phase: String, values: [String: Double], trajectoryCSV: String) {
            self.phase = phase
            self.values = values
            self.trajectoryCSV = trajectoryCSV
        }
    }

    package let key: String
    package let cellKey: String
    package let seed: UInt64
    /// Canonical JSON of the effective config (see ``RunKey``).
    let configJSON: String
    /// The cell's grid values as written.
    package let gridValues: [String: String]
    /// `gridValues` as the store writes them (JSON, sorted keys).
    let gridJSON: String
    /// The engine that trained each phase.
    package let engines: [String: String]
    package let seconds: Double
    package let phases: [PhaseMetrics]

    /// The metric names stored for every phase, in column order.
    package static var metricNames: [String] { PhaseOutcome.metricNames }

    package init(key: String, cellKey: String, seed: UInt64, configJSON: String, gridValues: [String: String], gridJSON: String,
                 engines: [String: String], seconds: Double, phases: [PhaseMetrics]) {
        (self.key, self.cellKey, self.seed, self.configJSON) = (key, cellKey, seed, configJSON)
        (self.gridValues, self.gridJSON, self.engines, self.seconds, self.phases) = (gridValues, gridJSON, engines, seconds, phases)
    }
}

/// A stored run, read back for export and phase diagrams.
package struct StoredRun: Sendable {
    package let key: String
    package let cellKey: String
    package let seed: UInt64
    /// The effective config as JSON values (numbers, strings, the constants mapping).
    package let config: [String: ConfigValue]
    package let gridValues: [String: String]
    package let engines: [String: String]
    package let seconds: Double
    /// phase → metric → value.
    package let metrics: [String: [String: Double]]
    /// For a seed added after the grid's own (`ptv sweep --adaptive`), the look of its cell's
    /// schedule that it completes; nil for the grid's seeds.
    package var addedAtLook: Int? = nil

    /// A numeric config value (nil for strings and missing keys).
    package func number(_ key: String) -> Double? { config[key]?.number }

    /// A phase's metric (names as `PhaseOutcome.metricNames`), nil when not stored.
    package func metric(_ phase: Phase, _ name: String) -> Double? { metrics[phase.rawValue]?[name] }
}

/// A config value as stored: a number or a string (constants are flattened to `constants.NAME`).
package enum ConfigValue: Sendable, Equatable {
    case number(Double)
    case text(String)

    package var number: Double? { if case .number(let x) = self { return x } else { return nil } }
    package var description: String {
        switch self {
        case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
        case .text(let s): return s
        }
    }
}

/// The embedded SQLite store of a sweep (one file), through GRDB.
///
/// Tables: `run` (one row per finished (cell, seed): `key` = SHA-256 of the canonical
/// effective config, primary key; `cell`, `seed`, `config` JSON, `grid` JSON, `engines` JSON,
/// `seconds`, `finished`) and `phase` (one row per run and phase: the metrics of
/// `metrics.json` and the trajectory CSV). A run's rows are written in one transaction (with
/// the other runs of its batch), so a process killed at any moment (SIGKILL included) leaves either all of a run or none of it;
/// the primary keys make duplicates impossible. Write-ahead logging keeps readers and the
/// writer apart.
package struct SweepStore: Sendable {
    package let url: URL
    private let queue: DatabaseQueue

    /// The store's SQLite application id, "ptvs": set when a store is created, checked when one is
    /// opened (a store written before it existed has 0 and is checked by its tables alone).
    static let applicationID: Int32 = 0x7074_7673

    /// The tables and columns every store has after its migrations (checked on opening, so a
    /// damaged or foreign file is refused up front instead of failing part-way).
    static var expectedColumns: [String: [String]] {
        ["run": ["key", "cell", "seed", "config", "grid", "engines", "seconds", "finished"],
         "phase": ["run_key", "phase"] + SweepResult.metricNames + ["trajectory"],
         "recorded_run": ["key", "json", "finished"], "deep_run": ["key", "json", "arrays", "finished"], "meta": ["name", "value"],
         "added_seed": ["run_key", "look", "reason"]]
    }

    /// Open (creating if needed) the store at `url`; errors name `field`. The path must be absent
    /// or a regular file (a device, a FIFO or a link is refused: SQLite would write a journal
    /// beside it), and an existing file must be a store: its application id and every table and
    /// column are checked.
    package init(url: URL, create: Bool = true, field: String = "store") throws {
        self.url = url
        if !create && !FileManager.default.fileExists(atPath: url.path) {
            throw ConfigError(field: field, "no store at \(url.path)")
        }
        do { try SystemFile.checkWritable(url.path) } catch {
            throw ConfigError(field: field, "cannot use \(url.path) as a store: \(error.reason)")
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        do {
            try Self.checkOwnership(url)
            queue = try DatabaseQueue(path: url.path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE run (
                        key TEXT PRIMARY KEY NOT NULL,
                        cell TEXT NOT NULL,
                        seed TEXT NOT NULL,
                        config TEXT NOT NULL,
                        grid TEXT NOT NULL,
                        engines TEXT NOT NULL,
                        seconds REAL NOT NULL,
                        finished TEXT NOT NULL
                    );
                    CREATE INDEX run_cell ON run(cell);
                    CREATE TABLE phase (
                        run_key TEXT NOT NULL REFERENCES run(key) ON DELETE CASCADE,
                        phase TEXT NOT NULL,
                        train_loss REAL, train_error REAL, test_error REAL, clean_test_error REAL, test_loss REAL,
                        n_test REAL, steps REAL, seconds REAL, decomposition_max_rel_error REAL,
                        trajectory TEXT NOT NULL,
                        PRIMARY KEY (run_key, phase)
                    );
                    """)
            }
            // v2: the measured phase variables (margin moments, Γ̂ and the margin parts).
            migrator.registerMigration("v2") { db in
                for name in ["margin_mean", "margin_var", "Gamma_hat"] + MarginDecomposition.partMetricNames {
                    try db.execute(sql: "ALTER TABLE phase ADD COLUMN \(name) REAL")
                }
            }
            // v3: the training margins' moments.
            migrator.registerMigration("v3") { db in
                for name in ["train_margin_mean", "train_margin_var", "train_Gamma_hat"] {
                    try db.execute(sql: "ALTER TABLE phase ADD COLUMN \(name) REAL")
                }
            }
            // v4: whole recorded runs of audits (RunMeasurements as JSON), keyed like `run`.
            migrator.registerMigration("v4") { db in
                try db.execute(sql: "CREATE TABLE recorded_run (key TEXT PRIMARY KEY NOT NULL, json BLOB NOT NULL, finished TEXT NOT NULL)")
            }
            // v5: deep runs (DeepRunRecord as JSON) and, for upstream runs, the network's arrays.
            migrator.registerMigration("v5") { db in
                try db.execute(sql: "CREATE TABLE deep_run (key TEXT PRIMARY KEY NOT NULL, json BLOB NOT NULL, arrays BLOB, finished TEXT NOT NULL)")
            }
            // v6: facts about the store as a whole: the grid it holds (`grid`), the shard it is.
            migrator.registerMigration("v6") { db in
                try db.execute(sql: "CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
            }
            // v7: seeds added to a cell after the grid's own (`ptv sweep --adaptive`): the look of
            // the cell's schedule they complete, and why the cell got them.
            migrator.registerMigration("v7") { db in
                try db.execute(sql: "CREATE TABLE added_seed (run_key TEXT PRIMARY KEY NOT NULL, look INTEGER NOT NULL, reason TEXT NOT NULL)")
            }
            try migrator.migrate(queue)
            try queue.inDatabase { db in
                for (table, columns) in Self.expectedColumns {
                    let present = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").compactMap { String.fromDatabaseValue($0["name"]) })
                    if let missing = columns.first(where: { !present.contains($0) }) {
                        throw StoreProblem(present.isEmpty ? "it has no table '\(table)'" : "its table '\(table)' has no column '\(missing)'")
                    }
                }
                if try Int32.fetchOne(db, sql: "PRAGMA application_id") == 0 {
                    try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
                }
            }
        } catch let error as DatabaseError {
            throw ConfigError(field: field, "cannot open \(url.path) as a store: \(Self.reason(error))")
        } catch let problem as StoreProblem {
            throw ConfigError(field: field, "\(url.path) is not a usable store: \(problem.reason)")
        }
    }

    /// Refuse, before anything is written to it, a file that is not a ptv store: another
    /// application id, or no id but tables and no `run` table (a store from before ids were set
    /// has one). Opened read-only, so a refused file is left byte for byte as it was.
    static func checkOwnership(_ url: URL) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var configuration = Configuration()
        configuration.readonly = true
        try DatabaseQueue(path: url.path, configuration: configuration).inDatabase { db in
            let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            guard id == 0 || id == Self.applicationID else { throw StoreProblem("its application id \(id) is not a ptv store's") }
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if id == 0 && !tables.isEmpty && !tables.contains("run") {
                throw StoreProblem("it is another program's SQLite database (tables: \(tables.prefix(3).joined(separator: ", ")))")
            }
        }
    }

    /// Why a file is not a store (refused with exit 2 by the caller's ConfigError).
    struct StoreProblem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// SQLite's reason for a failure, as one lower-case line without GRDB's decoration.
    static func reason(_ error: DatabaseError) -> String {
        let text = (error.message ?? "\(error.resultCode)").split(separator: "\n").first.map(String.init) ?? "unknown"
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// A stored value read as `T`, or a `ConfigError` naming the store, the table's row and the
    /// column when the value has another type (a store edited by hand, say) — never a trap.
    static func value<T: DatabaseValueConvertible>(_ row: Row, _ column: String, _ what: String, url: URL) throws -> T? {
        let raw: DatabaseValue = row[column]
        if raw.isNull { return nil }
        guard let value = T.fromDatabaseValue(raw) else {
            throw ConfigError(field: "store", "\(url.path): \(what) has '\(InputText.excerpt(raw.description))' in column \(column), not a \(T.self == Double.self ? "number" : "text")")
        }
        return value
    }

    /// Keys of every finished run.
    package func finishedKeys() throws -> Set<String> {
        try queue.read { db in Set(try String.fetchAll(db, sql: "SELECT CAST(key AS TEXT) FROM run WHERE key IS NOT NULL")) }
    }

    /// Store runs, all their rows in one transaction (a kill leaves all of them or none); keys
    /// already present are left as they are.
    package func insert(_ results: [SweepResult]) throws {
        guard !results.isEmpty else { return }
        let finished = RunManifest.iso8601(Date())
        let engines = results.map(\.engines.json.canonicalText)
        try queue.write { db in  // one transaction
            let insertRun = try db.cachedStatement(sql: SweepStore.insertRun)
            let insertPhase = try db.cachedStatement(sql: SweepStore.insertPhase)
            for (result, engines) in zip(results, engines) {
                try insertRun.execute(arguments: [result.key, result.cellKey, String(result.seed), result.configJSON,
                                                  result.gridJSON, engines, result.seconds, finished])
                guard db.changesCount > 0 else { continue }
                for phase in result.phases {
                    var arguments: [(any DatabaseValueConvertible)?] = [result.key, phase.phase]
                    for name in SweepResult.metricNames { arguments.append(phase.values[name]) }
                    arguments.append(phase.trajectoryCSV)
                    try insertPhase.execute(arguments: StatementArguments(arguments))
                }
            }
        }
    }

    private static let insertRun = """
        INSERT OR IGNORE INTO run (key, cell, seed, config, grid, engines, seconds, finished)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let insertPhase = """
        INSERT INTO phase (run_key, phase, \(SweepResult.metricNames.joined(separator: ", ")), trajectory)
        VALUES (\(Array(repeating: "?", count: SweepResult.metricNames.count + 3).joined(separator: ", ")))
        """

    /// The recorded run (JSON) stored under `key` (``RunKey/key(_:includingSeed:)`` of its
    /// effective config), if any.
    package func recordedRun(key: String) throws -> Data? {
        try queue.read { db in try Data.fetchOne(db, sql: "SELECT CAST(json AS BLOB) FROM recorded_run WHERE key = ? AND json IS NOT NULL", arguments: [key]) }
    }

    /// Store a recorded run under `key` in one transaction; a key already present is left as is.
    package func insertRecordedRun(key: String, json: Data) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO recorded_run (key, json, finished) VALUES (?, ?, ?)",
                           arguments: [key, json, RunManifest.iso8601(Date())])
        }
    }

    /// A fact about the store (`grid`: the identity of the grid its runs belong to; `shard`).
    package func meta(_ name: String) throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT CAST(value AS TEXT) FROM meta WHERE name = ? AND value IS NOT NULL", arguments: [name]) }
    }

    /// Record that the store holds runs of the grid `identity`; a store that already holds
    /// another grid's runs is refused (field `store`), so two grids never mix in one store.
    package func claim(grid identity: String, shard: SweepShard? = nil) throws {
        try queue.write { db in
            if let held = try String.fetchOne(db, sql: "SELECT CAST(value AS TEXT) FROM meta WHERE name = 'grid' AND value IS NOT NULL") {
                guard held == identity else {
                    throw ConfigError(field: "store", "\(url.path) holds runs of another grid (grid identity \(held.prefix(12))…, this grid's \(identity.prefix(12))…)")
                }
            } else {
                try db.execute(sql: "INSERT INTO meta (name, value) VALUES ('grid', ?)", arguments: [identity])
            }
            if let shard { try db.execute(sql: "INSERT OR REPLACE INTO meta (name, value) VALUES ('shard', ?)", arguments: [shard.description]) }
        }
    }

    /// Record the grid whose shards this store merges (a cluster submission does, replacing an
    /// earlier one: a store may hold runs of several grids, its shards of one at a time).
    package func setGrid(_ identity: String) throws {
        try queue.write { db in try db.execute(sql: "INSERT OR REPLACE INTO meta (name, value) VALUES ('grid', ?)", arguments: [identity]) }
    }

    /// Number of finished runs.
    package func runCount() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") ?? 0 }
    }

    /// Fold the shard store at `shard` into this store in one transaction: every run (with its
    /// phases) not yet here is added, the rest left as they are, so a merge run twice adds
    /// nothing the second time. A shard of another grid is refused (field `shard`), and so is
    /// one that is not a sweep store. Returns the runs added and the runs the shard holds.
    @discardableResult
    package func merge(shard: URL) throws -> (added: Int, held: Int) {
        let source = try SweepStore(url: shard, create: false)
        guard let identity = try source.meta("grid") else {
            throw ConfigError(field: "shard", "\(shard.path) records no grid: it was not written by `ptv sweep --shard`")
        }
        do { try claim(grid: identity) } catch let error as ConfigError {
            throw ConfigError(field: "shard", "\(shard.lastPathComponent) is a shard of another grid than the store's: \(error.problem)")
        }
        let held = try source.runCount()
        let added = try copy(from: shard, sql: ["INSERT OR IGNORE INTO main.run SELECT * FROM shard.run",
                                                "INSERT OR IGNORE INTO main.phase SELECT * FROM shard.phase"])
        return (added, held)
    }

    /// Run `sql` with the store at `url` attached as `shard`, in one transaction; returns the
    /// rows the first statement changed. (SQLite attaches only outside a transaction.)
    private func copy(from url: URL, sql: [String]) throws -> Int {
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [url.path])
            defer { try? db.execute(sql: "DETACH DATABASE shard") }
            var changed = 0
            try db.inTransaction {
                for (k, statement) in sql.enumerated() {
                    try db.execute(sql: statement)
                    if k == 0 { changed = db.changesCount }
                }
                return .commit
            }
            return changed
        }
    }

    /// Fold the deep runs of the store at `shard` into this one in one transaction (those
    /// already here are left as they are); returns the runs added.
    @discardableResult
    package func mergeDeepRuns(shard: URL) throws -> Int {
        _ = try SweepStore(url: shard, create: false)  // refuses a file that is not a store, and brings it to this version
        return try copy(from: shard, sql: ["INSERT OR IGNORE INTO main.deep_run SELECT * FROM shard.deep_run"])
    }

    /// The deep run stored under `key`: its record (JSON) and, for an upstream run, its
    /// network's arrays (safetensors).
    package func deepRun(key: String) throws -> (json: Data, arrays: Data?)? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT CAST(json AS BLOB) AS json, CAST(arrays AS BLOB) AS arrays FROM deep_run WHERE key = ? AND json IS NOT NULL", arguments: [key]).map { ($0["json"], $0["arrays"]) }
        }
    }

    /// Store a deep run under `key` in one transaction; a key already present is left as is.
    package func insertDeepRun(key: String, json: Data, arrays: Data?) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO deep_run (key, json, arrays, finished) VALUES (?, ?, ?, ?)",
                           arguments: [key, json, arrays, RunManifest.iso8601(Date())])
        }
    }

    /// Record why the runs `keys` are added to their cells: the look they complete and the
    /// reason (a key recorded before is left as it was, so a resumed plan records nothing twice).
    package func recordAddedSeeds(_ keys: [String], look: Int, reason: String) throws {
        try queue.write { db in
            for key in keys {
                try db.execute(sql: "INSERT OR IGNORE INTO added_seed (run_key, look, reason) VALUES (?, ?, ?)", arguments: [key, look, reason])
            }
        }
    }

    /// Every added seed's run key with its look and reason.
    package func addedSeeds() throws -> [String: (look: Int, reason: String)] {
        try queue.read { db in
            var out: [String: (look: Int, reason: String)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT run_key, look, reason FROM added_seed") {
                guard let key = String.fromDatabaseValue(row["run_key"]), let look = Int.fromDatabaseValue(row["look"]),
                      let reason = String.fromDatabaseValue(row["reason"]) else { continue }
                out[key] = (look, reason)
            }
            return out
        }
    }

    /// Every stored run with its metrics, ordered by config values then seed.
    package func runs() throws -> [StoredRun] {
        let added = try addedSeeds()
        return try queue.read { db in
            var metrics: [String: [String: [String: Double]]] = [:]
            let url = self.url
            func text(_ row: Row, _ column: String, _ what: String) throws -> String {
                guard let value: String = try Self.value(row, column, what, url: url) else {
                    throw ConfigError(field: "store", "\(url.path): \(what) has no \(column)")
                }
                return value
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM phase") {
                let key = try text(row, "run_key", "a phase row"), phase = try text(row, "phase", "a phase row")
                var values: [String: Double] = [:]
                for name in SweepResult.metricNames {
                    if let v: Double = try Self.value(row, name, "run \(key.prefix(12))… phase \(phase)", url: url) { values[name] = v }
                }
                metrics[key, default: [:]][phase] = values
            }
            var runs: [StoredRun] = []
            for row in try Row.fetchAll(db, sql: "SELECT key, cell, seed, config, grid, engines, seconds FROM run") {
                let key = try text(row, "key", "a run row")
                let what = "run \(key.prefix(12))…"
                let seedText = try text(row, "seed", what)
                guard let seed = UInt64(seedText) else {
                    throw ConfigError(field: "store", "\(url.path): \(what) has seed '\(InputText.excerpt(seedText))', not an integer")
                }
                runs.append(StoredRun(key: key, cellKey: try text(row, "cell", what), seed: seed, config: SweepStore.flatten(json: try text(row, "config", what)),
                                      gridValues: SweepStore.strings(json: try text(row, "grid", what)),
                                      engines: SweepStore.strings(json: try text(row, "engines", what)),
                                      seconds: try Self.value(row, "seconds", what, url: url) ?? .nan, metrics: metrics[key] ?? [:],
                                      addedAtLook: added[key]?.look))
            }
            return runs.sorted(by: SweepStore.configOrder)
        }
    }

    /// A JSON object of strings → its members (nothing when the text is not one).
    static func strings(json text: String) -> [String: String] {
        (JSONValue.parse(text)?.object ?? [:]).compactMapValues(\.string)
    }

    /// Config JSON → flat values (`constants` → `constants.NAME`).
    static func flatten(json text: String) -> [String: ConfigValue] {
        var flat: [String: ConfigValue] = [:]
        func value(_ json: JSONValue) -> ConfigValue? {
            if let s = json.string { return .text(s) }
            return json.number.map(ConfigValue.number)
        }
        for (key, member) in JSONValue.parse(text)?.object ?? [:] {
            if let constants = member.object {
                for (name, c) in constants { flat["constants.\(name)"] = value(c) }
            } else {
                flat[key] = value(member)
            }
        }
        return flat
    }

    /// Order by the config keys in documentation order (numbers numerically), then seed.
    static func configOrder(_ a: StoredRun, _ b: StoredRun) -> Bool {
        for key in ExperimentConfig.keys where key != "seed" {
            switch (a.config[key], b.config[key]) {
            case (.number(let x)?, .number(let y)?) where x != y: return x < y
            case (.text(let x)?, .text(let y)?) where x != y: return x < y
            default: continue
            }
        }
        if a.seed != b.seed { return a.seed < b.seed }
        return a.key < b.key
    }
}
