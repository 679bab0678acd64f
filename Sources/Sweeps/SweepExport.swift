import Foundation
import Platform
import RunStore
import TransferModel
import Vocabulary

/// Flat tables of a store: one row per (cell, seed) with the effective config keys and the
/// metrics of each phase.
///
/// Columns: `key` (the run's SHA-256 key), `cell`, the config keys of the README's config
/// reference in its order except `engine` (`constants` flattened to `constants.NAME`), `seconds`, then for
/// each phase p ∈ upstream, transfer, scratch the metrics of `metrics.json`: `p_train_loss`,
/// `p_train_error`, `p_test_error`, `p_clean_test_error`, `p_test_loss`, `p_n_test`,
/// `p_steps`, `p_seconds`, `p_decomposition_max_rel_error`, and `p_engine`.
public enum SweepExport {
    public enum Format: String, CaseIterable, Sendable {
        case csv
        case json
    }

    /// The column names for these runs.
    package static func columns(_ runs: [StoredRun]) -> [String] {
        var columns = ["key", "cell"]
        for key in ExperimentConfig.keys where key != "constants" && key != "engine" { columns.append(key) }
        let constants = Set(runs.flatMap { $0.config.keys.filter { $0.hasPrefix("constants.") } }).sorted()
        columns += constants
        columns.append("seconds")
        for phase in Phase.allCases {
            for name in SweepResult.metricNames { columns.append("\(phase.rawValue)_\(name)") }
            columns.append("\(phase.rawValue)_engine")
        }
        return columns
    }

    /// One run's row as column → value (missing cells absent).
    package static func row(_ run: StoredRun) -> [String: ConfigValue] {
        var row = run.config
        row["key"] = .text(run.key)
        row["cell"] = .text(run.cellKey)
        row["seed"] = .text(String(run.seed))  // exact for every UInt64
        row["seconds"] = .number(run.seconds)
        for (phase, values) in run.metrics {
            for (name, value) in values { row["\(phase)_\(name)"] = .number(value) }
        }
        for (phase, engine) in run.engines { row["\(phase)_engine"] = .text(engine) }
        return row
    }

    package static func csv(_ runs: [StoredRun]) -> String {
        let columns = columns(runs)
        var text = columns.joined(separator: ",") + "\n"
        for run in runs {
            let row = row(run)
            text += columns.map { column in
                guard let value = row[column] else { return "" }
                switch value {
                case .number(let x): return x.isFinite ? ConfigValue.number(x).description : ""
                case .text(let s): return s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
                }
            }.joined(separator: ",") + "\n"
        }
        return text
    }

    /// A JSON list of flat objects (numbers as numbers; the seed as an integer).
    package static func json(_ runs: [StoredRun]) throws -> String {
        let columns = columns(runs)
        let objects: [JSONValue] = runs.map { run in
            let row = row(run)
            var object: [String: JSONValue] = [:]
            for column in columns {
                guard let value = row[column] else { continue }
                switch value {
                case .number(let x): object[column] = x.json   // null when not finite
                case .text(let s): object[column] = s.json
                }
            }
            object["seed"] = run.seed.json
            return .object(object)
        }
        return JSONOutput.text(.array(objects))
    }

    package static func export(_ runs: [StoredRun], format: Format) throws -> String {
        switch format {
        case .csv: return csv(runs)
        case .json: return try json(runs)
        }
    }
}
