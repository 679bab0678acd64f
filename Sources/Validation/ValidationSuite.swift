import Foundation
import Platform
import TransferModel
import Vocabulary
import Yams

/// A suite: configurations × seeds to run, the statements to judge, and the constants the
/// hypotheses are checked with (docs/theory.md §8). YAML:
///
/// ```yaml
/// name: quick
/// description: text
/// seeds: [0, 1, 2]
/// base: {d: 400, ...}              # config keys shared by every configuration
/// constants: {C: 0.001, C1: 1}     # fixed constants; fitted ones are calibrated per statement
/// statements: all                  # or a list of statement ids
/// configurations:
///   - {label: benign, split: calibration, u_norm: 3}
///   - {label: harmful, split: held-out, u_norm: 0.2, d: 2000}
/// grid: {d: [200, 800], u_norm: [0.5, 2]}   # optional: the Cartesian product, added as configurations
/// ladder: [2, 4, 8]                # optional: rungs of C to chase failures up (docs/theory.md §8b)
/// ```
///
/// Grid cells are labelled `d=200,u_norm=0.5` and split like a checkerboard: a cell is
/// `calibration` when the sum of its value indices is even, `held-out` otherwise, so both splits
/// cover the whole grid.
///
/// `split` is `calibration` (constants are fitted here) or `held-out` (judged with them);
/// every suite needs at least one of each when a judged statement has a fitted constant.
public struct ValidationSuite: Sendable {
    public enum Split: String, Sendable, Codable { case calibration, heldOut = "held-out" }

    public struct Configuration: Sendable {
        public var label: String
        public var split: Split
        public var config: ExperimentConfig
        /// The grid values of a configuration from `grid:` (axis key and value as written), in
        /// axis order; empty for a listed configuration.
        public var cell: [(key: String, value: String)] = []

        public init(label: String, split: Split, config: ExperimentConfig, cell: [(key: String, value: String)] = []) {
            self.label = label
            self.split = split
            self.config = config
            self.cell = cell
        }
    }

    public var name: String
    public var description: String
    public var seeds: [UInt64]
    public var constants: [String: Double]
    /// nil means every statement in the proofs folder.
    public var statements: [String]?
    public var configurations: [Configuration]
    /// The rungs of C above the suite's at which failing statements are chased (docs/theory.md
    /// §8b); empty when the suite names none.
    public var ladder: [Double] = []

    public init(name: String, description: String = "", seeds: [UInt64], constants: [String: Double] = [:],
                statements: [String]? = nil, configurations: [Configuration]) {
        self.name = name
        self.description = description
        self.seeds = seeds
        self.constants = constants
        self.statements = statements
        self.configurations = configurations
    }

    /// Load a suite file; errors name the field (`configurations[2].alpha`, `seeds`, …).
    public static func load(from url: URL) throws -> ValidationSuite {
        try parse(yaml: YAMLInput.text(of: url, field: "suite"), name: url.deletingPathExtension().lastPathComponent)
    }

    public static func parse(yaml text: String, name defaultName: String = "suite") throws -> ValidationSuite {
        guard let mapping = try YAMLInput.compose(text, field: "suite")?.mapping else {
            throw ConfigError(field: "suite", "a suite must be a mapping")
        }
        var fields: [String: Node] = [:]
        for (k, v) in try YAMLInput.entries(mapping, field: "") { fields[k] = v }
        let allowed = ["name", "description", "seeds", "base", "constants", "statements", "configurations", "grid", "ladder"]
        for key in fields.keys where !allowed.contains(key) {
            throw ConfigError(field: key, "unknown suite key (allowed: \(allowed.joined(separator: ", ")))")
        }
        var base = ExperimentConfig()
        if let node = fields["base"] {
            guard let m = node.mapping else { throw ConfigError(field: "base", "expected a mapping of config keys") }
            if m["seed"] != nil { throw ConfigError(field: "base.seed", "not allowed here: every configuration runs at the suite's seeds; list them under 'seeds'") }
            do { base = try ExperimentConfig(values: YAMLInput.dictionary(m, field: "base")) } catch let error as ConfigError {
                throw error.field.hasPrefix("base") ? error : ConfigError(field: "base.\(error.field)", error.problem)
            }
        }
        var seeds: [UInt64] = [0]
        if let node = fields["seeds"] { seeds = try YAMLInput.seeds(node) }
        var constants: [String: Double] = [:]
        if let node = fields["constants"] {
            guard let m = node.mapping else { throw ConfigError(field: "constants", "expected a mapping of names to numbers > 0") }
            for (name, v) in try YAMLInput.entries(m, field: "constants") {
                guard TheoryConstant(rawValue: name) != nil else {
                    throw ConfigError(field: "constants.\(name)", "unknown constant (known: \(TheoryConstant.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard let x = Double(try YAMLInput.numberText(v, field: "constants.\(name)", expected: "a number > 0")), x > 0, x.isFinite else {
                    throw ConfigError(field: "constants.\(name)", "expected a number > 0")
                }
                constants[name] = x
            }
            try TheoryConstant.checkThresholds(constants, field: "constants")
        }
        var statements: [String]? = nil
        if let node = fields["statements"], node.string != "all" {
            guard let list = node.sequence, !list.isEmpty else {
                throw ConfigError(field: "statements", "expected 'all' or a non-empty list of statement ids")
            }
            statements = try list.enumerated().map { index, item in
                guard let id = item.scalar?.string else { throw ConfigError(field: "statements[\(index)]", "expected a statement id") }
                return id
            }
        }
        let list = fields["configurations"]?.sequence ?? []
        if fields["configurations"] != nil && fields["configurations"]?.sequence == nil {
            throw ConfigError(field: "configurations", "expected a list of configurations")
        }
        var configurations: [Configuration] = []
        if let grid = fields["grid"] {
            configurations += try gridConfigurations(grid, base: base)
        }
        guard !list.isEmpty || !configurations.isEmpty else {
            throw ConfigError(field: "configurations", "expected a non-empty list of configurations (or a grid)")
        }
        for (index, node) in list.enumerated() {
            guard let m = node.mapping else { throw ConfigError(field: "configurations[\(index)]", "expected a mapping") }
            var values = try YAMLInput.dictionary(m, field: "configurations[\(index)]")
            if values["seed"] != nil {
                throw ConfigError(field: "configurations[\(index)].seed", "not allowed here: every configuration runs at the suite's seeds; list them under 'seeds'")
            }
            let labelNode = values.removeValue(forKey: "label")
            if let labelNode, labelNode.scalar == nil {
                throw ConfigError(field: "configurations[\(index)].label", "expected a text label, got a \(labelNode.mapping != nil ? "mapping" : "list")")
            }
            let label = labelNode?.scalar?.string ?? "config-\(index)"
            guard Self.isSafeLabel(label) else {
                throw ConfigError(field: "configurations[\(index)].label", "'\(InputText.excerpt(label))' is not a safe file name: use letters, digits and . _ - = , + (not starting with '.'), at most 100 characters")
            }
            let splitText = values.removeValue(forKey: "split")?.string ?? "held-out"
            guard let split = Split(rawValue: splitText) else {
                throw ConfigError(field: "configurations[\(index)].split", "'\(InputText.excerpt(splitText))' is not allowed (calibration, held-out)")
            }
            do {
                configurations.append(Configuration(label: label, split: split, config: try ExperimentConfig(values: values, base: base)))
            } catch let error as ConfigError {
                throw ConfigError(field: "configurations[\(index)].\(error.field)", error.problem)
            }
        }
        // The dynamics lemmas speak of every step: a suite's runs record trajectories.
        if let final = configurations.firstIndex(where: { $0.config.record == .final }) {
            let field = base.record == .final ? "base.record" : configurations[final].cell.isEmpty ? "configurations[\(final - (configurations.count - list.count))].record" : "grid.record"
            throw ConfigError(field: field, "final is not allowed in a suite: the statements are judged on every recorded step, so its runs record trajectories")
        }
        let labels = configurations.map(\.label)
        if let duplicate = labels.first(where: { l in labels.filter { $0 == l }.count > 1 }) {
            throw ConfigError(field: "configurations", "label '\(InputText.excerpt(duplicate))' is used twice; labels must be unique")
        }
        var suite = ValidationSuite(name: fields["name"]?.string ?? defaultName, description: fields["description"]?.string ?? "",
                                    seeds: seeds, constants: constants, statements: statements, configurations: configurations)
        if let node = fields["ladder"] {
            guard let list = node.sequence else { throw ConfigError(field: "ladder", "expected a list of values of C, e.g. [2, 4, 8]") }
            suite.ladder = try list.enumerated().map { index, item in
                guard let c = Double(try YAMLInput.numberText(item, field: "ladder[\(index)]", expected: "a number")), c.isFinite else {
                    throw ConfigError(field: "ladder[\(index)]", "expected a finite number, got '\(InputText.excerpt(item.scalar?.string ?? ""))'")
                }
                return c
            }
            try ConstantLadder(rungs: suite.ladder).check(above: constants["C"] ?? TheoryConstant.defaults["C"] ?? 1, field: "ladder")
        }
        return suite
    }

    /// Labels name run files (`runs/<label>-seed<k>.json`): letters, digits and `. _ - = , +`,
    /// not starting with a dot, at most 100 characters — so no label can leave the output folder.
    static func isSafeLabel(_ label: String) -> Bool {
        !label.isEmpty && label.count <= 100 && !label.hasPrefix(".")
            && label.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-=,+".unicodeScalars.contains($0) }
    }

    /// The most configurations a suite's `grid:` may expand to (each is run at every seed).
    static let maximumGridCells = 10_000

    /// The cells of `grid:` (a mapping from config keys to lists of values), checkerboard-split.
    private static func gridConfigurations(_ node: Node, base: ExperimentConfig) throws -> [Configuration] {
        guard let mapping = node.mapping, !mapping.isEmpty else {
            throw ConfigError(field: "grid", "expected a mapping from config keys to lists of values")
        }
        var axes: [(String, [Node])] = []
        for (key, v) in try YAMLInput.entries(mapping, field: "grid") {
            guard let configKey = ConfigKey(rawValue: key), configKey != .constants else {
                throw ConfigError(field: "grid.\(key)", "unknown or non-scalar config key (allowed: \(ExperimentConfig.keys.filter { $0 != "constants" }.joined(separator: ", ")))")
            }
            if configKey == .seed { throw ConfigError(field: "grid.seed", "not allowed here: every configuration runs at the suite's seeds; list them under 'seeds'") }
            guard let values = v.sequence, !values.isEmpty else {
                throw ConfigError(field: "grid.\(key)", "expected a non-empty list of values")
            }
            _ = try ExperimentConfig.axisValues(configKey, Array(values), base: base, field: "grid.\(key)")
            axes.append((key, Array(values)))
        }
        // Counted before anything is expanded, without overflow.
        var count = 1, overflow = false
        for (_, values) in axes where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: values.count) }
        guard !overflow, count <= maximumGridCells else {
            throw ConfigError(field: "grid", "\(overflow ? "more than 2^63" : String(count)) cells (the product of the axis lengths); at most \(maximumGridCells)")
        }
        var cells: [[Int]] = [[]]
        for (_, values) in axes { cells = cells.flatMap { cell in values.indices.map { cell + [$0] } } }
        return try cells.map { indices in
            var values: [String: Node] = [:]
            var label: [String] = []
            for ((key, options), i) in zip(axes, indices) {
                values[key] = options[i]
                label.append("\(key)=\(options[i].string ?? "?")")
            }
            do {
                let config = try ExperimentConfig(values: values, base: base)
                return Configuration(label: label.joined(separator: ","), split: indices.reduce(0, +) % 2 == 0 ? .calibration : .heldOut,
                                     config: config, cell: zip(axes, indices).map { ($0.0, $0.1[$1].string ?? "?") })
            } catch let error as ConfigError {
                throw ConfigError(field: "grid.\(error.field)", error.problem)
            }
        }
    }

}
