import Foundation
import Platform
import Vocabulary
import Yams

/// The full, validated configuration of one experiment: upstream run, transfer run and
/// scratch baseline. Keys are the identifiers of docs/theory.md §1; every key has a default, so an
/// empty file is a valid (small, fast, benign) experiment.
public struct ExperimentConfig: Equatable, Sendable {
    // Each property is the model's use of one `ConfigKey`; its default, range, unit and
    // meaning are declared there once, and `init()` applies the defaults.
    public var d = 0, m = 0, N1 = 0, N2 = 0
    public var u_norm = 0.0, v1_norm = 0.0, v2_norm = 0.0, v_overlap = 0.0
    public var sigma_p1 = 0.0, sigma_p2 = 0.0, p = 0.0, sigma0 = 0.0
    public var eta = 0.0
    /// η₂; nil means η (docs/theory.md §6: the step-size condition is per task).
    public var eta2: Double?
    public var T1 = 0, T2 = 0
    public var alpha = 0.0, delta = 0.0
    public var layout = PatchLayout.combined
    public var seed: UInt64 = 0
    public var n_test = 0, record_every = 0
    public var variant = TransferVariant.filter
    /// The rule composed under `variant:` (a mapping), which replaces the built-in `variant`.
    package var composedRule: TransferRecipe?
    public var rescale = 0.0
    public var transfer_noise = 0.0
    public var engine = TrainingEngine.auto
    public var sampler = Sampler.auto
    /// What the phases record along the way (`trajectories` or `final`).
    public var record = Recording.trajectories
    /// Values given for the theory's constants (`TheoryConstant`); see ``effectiveConstants``.
    public var constants: [String: Double] = [:]

    /// Every key at its default (`ConfigKey.defaultText`).
    public init() {
        for key in ConfigKey.allCases where key != .constants && key != .eta2 {
            // The defaults are valid values of their keys: checked by the tests.
            try! ExperimentConfig.binding(key).read(&self, key, key.defaultText)
        }
    }

    /// `constants` with the defaults of `TheoryConstant` filled in.
    public var effectiveConstants: [String: Double] {
        TheoryConstant.defaults.merging(constants) { _, given in given }
    }

    /// Number of patches P.
    public var patchCount: Int { layout.patchCount }

    /// η₂, the downstream step size (η when `eta2` is not given).
    public var downstreamEta: Double { eta2 ?? eta }

    /// The step size of task 1 (η) or task 2 (η₂).
    public func eta(task: Int) -> Double { task == 1 ? eta : downstreamEta }

    /// K, the number of Gaussian vectors one experiment draws: N₁ + N₂ training noises and
    /// 2m + 2m initial filters (upstream, downstream fresh) (docs/theory.md §2a).
    public var gaussianVectorCount: Int { N1 + N2 + 4 * m }

    /// The smallest d at which the `gram` sampler is exact: K + 3.
    public var smallestGramDimension: Int { gaussianVectorCount + 3 }

    /// `sampler` with `auto` resolved: `gram` when its space ℝ^{K+3} is smaller than ℝᵈ and the
    /// variant is rotation invariant (the weight-level variant copies coordinates), else `vectors`.
    public var resolvedSampler: Sampler {
        switch sampler {
        case .vectors, .gram: return sampler
        case .auto: return transferRecipe.selection != .coordinates && transfer_noise == 0 && smallestGramDimension < d ? .gram : .vectors
        }
    }

    /// The largest d the `vectors` sampler accepts (its vectors are stored in ℝᵈ).
    static let largestVectorDimension = 10_000_000
}


extension ExperimentConfig {
    /// Every key a config file may contain, in documentation order.
    public static let keys = ConfigKey.allCases.map(\.rawValue)

    /// Read a YAML file (a mapping of the keys above; missing keys take their defaults).
    public static func load(from url: URL) throws -> ExperimentConfig {
        try parse(yaml: YAMLInput.text(of: url, field: "file"))
    }

    /// Parse YAML text.
    public static func parse(yaml text: String) throws -> ExperimentConfig {
        guard let node = try YAMLInput.compose(text, field: "file") else { return ExperimentConfig() }  // empty document
        guard let mapping = node.mapping else {
            throw ConfigError(field: "file", "the config must be a mapping of keys to values")
        }
        return try ExperimentConfig(values: YAMLInput.dictionary(mapping, field: ""))
    }

    /// Build from already-parsed YAML nodes (also used for grid cells and suites); every value is
    /// checked against its `ConfigKey`.
    public init(values: [String: Node], base: ExperimentConfig = ExperimentConfig()) throws {
        self = base
        for name in values.keys where ConfigKey(rawValue: name) == nil {
            throw ConfigError(field: name, "unknown key (allowed: \(ExperimentConfig.keys.joined(separator: ", ")))")
        }
        for key in ConfigKey.allCases {
            guard let node = values[key.rawValue] else { continue }
            if key == .constants {
                try readConstants(node)
                continue
            }
            if key == .variant, node.mapping != nil {
                try readComposedRule(node, given: values)
                continue
            }
            try ExperimentConfig.binding(key).read(&self, key, KeyReader.text(node, field: key.rawValue, kind: key.kind))
        }
        try checkSampler()
        try checkTransferRule()
    }

    /// The transfer rule in force: the composed one, or the built-in variant's.
    package var transferRecipe: TransferRecipe { composedRule ?? .builtIn(variant, rescale: rescale) }

    /// `variant:` as a mapping (docs/theory.md §4a): its `fraction` is `alpha` and its noise
    /// `transfer_noise`, each given once.
    private mutating func readComposedRule(_ node: Node, given values: [String: Node]) throws {
        let (recipe, fraction, noise) = try TransferRecipe.read(node, field: ConfigKey.variant.rawValue)
        for (value, key, path) in [(fraction, ConfigKey.alpha, "fraction"), (noise, ConfigKey.transfer_noise, "transform.noise")] where value != nil {
            if values[key.rawValue] != nil {
                throw ConfigError(field: "variant.\(path)", "given twice: here and as \(key.rawValue); give one")
            }
        }
        composedRule = recipe
        if let fraction { alpha = fraction }
        if let noise { transfer_noise = noise }
    }

    /// Checks across keys that the transfer rule needs.
    package func checkTransferRule() throws {
        if transferRecipe.selection == .top_snr && T1 == 0 {
            throw ConfigError(field: "variant", "\(transferRecipe.name) ranks filters by the upstream recording's γ/Σρ̄ after training, and T1 = 0 records only the initialisation (ρ̄ = 0): give T1 ≥ 1 or another selection")
        }
    }

    /// The values of one grid axis (a sweep's or a suite's grid), each read on `base` as the value
    /// of `key`. Values that read the same (`20`, `20.0` and `2e1` for `d`) would be one run
    /// counted twice, so a repeat is refused. Errors name `field[i]` (`field` is the axis's path,
    /// e.g. `grid.d`), or `base.<key>` when a value breaks a check across keys with the base.
    public static func axisValues(_ key: ConfigKey, _ list: [Node], base: ExperimentConfig, field: String) throws -> [String] {
        var texts: [String] = [], readValues: [String: Int] = [:]
        for (index, item) in list.enumerated() {
            let path = "\(field)[\(index)]"
            guard let text = item.scalar?.string else { throw ConfigError(field: path, "expected a scalar value") }
            let config: ExperimentConfig
            do { config = try ExperimentConfig(values: [key.rawValue: item], base: base) } catch let error as ConfigError {
                throw ConfigError(field: error.field == key.rawValue ? path : "base.\(error.field)", error.problem)
            }
            let canonical = ExperimentConfig.binding(key).json(config).canonicalText
            if let earlier = readValues.updateValue(index, forKey: canonical) {  // a dictionary: linear in the list's length
                throw ConfigError(field: path, "'\(InputText.excerpt(text))' repeats \(field)[\(earlier)] (both read as \(InputText.excerpt(canonical)))")
            }
            texts.append(text)
        }
        return texts
    }

    /// The checks across keys that the sampler needs (docs/theory.md §2a).
    public func checkSampler() throws {
        switch resolvedSampler {
        case .gram:
            if d < smallestGramDimension {
                throw ConfigError(field: "sampler", "gram needs d ≥ K + 3 = \(smallestGramDimension) (K = N1 + N2 + 4m = \(gaussianVectorCount) Gaussian vectors); d is \(d): raise d or use sampler: vectors")
            }
            if transferRecipe.selection == .coordinates {
                throw ConfigError(field: "sampler", "gram cannot run variant '\(transferRecipe.name)' (it copies individual coordinates, which the reduced draw does not have): use sampler: vectors")
            }
            if transfer_noise > 0 {
                throw ConfigError(field: "sampler", "gram cannot add transfer_noise (isotropic noise in ℝᵈ leaves the reduced space): use sampler: vectors")
            }
        case .vectors, .auto:
            if d > ExperimentConfig.largestVectorDimension {
                throw ConfigError(field: "d", "\(d) is too large for sampler vectors (at most \(ExperimentConfig.largestVectorDimension)); sampler: gram draws any d ≥ \(smallestGramDimension) exactly")
            }
        }
    }

    private mutating func readConstants(_ node: Node) throws {
        guard let mapping = node.mapping else {
            throw ConfigError(field: "constants", "expected \(ConfigKey.constants.allowedText)")
        }
        for (name, value) in try YAMLInput.entries(mapping, field: "constants") {
            guard TheoryConstant(rawValue: name) != nil else {
                throw ConfigError(field: "constants.\(name)", "unknown constant (known: \(TheoryConstant.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let text = try YAMLInput.numberText(value, field: "constants.\(name)", expected: "a number > 0")
            constants[name] = try KeyReader.real(text, field: "constants.\(name)", .positive)
        }
        try TheoryConstant.checkThresholds(constants, field: "constants")
    }

    /// The effective configuration as plain JSON-ready values under the docs/theory.md §1 ids.
    package var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for key in ConfigKey.allCases { object[key.rawValue] = ExperimentConfig.binding(key).json(self) }
        return object
    }

    /// Numeric values of the §1 ids (for the Bounds module's environments).
    public var numericValues: [String: Double] {
        var values: [String: Double] = [:]
        for key in ConfigKey.allCases where key.isTheoryValue { values[key.rawValue] = ExperimentConfig.binding(key).number?(self) }
        return values
    }

    /// How each `ConfigKey` reaches its property: read from text (checked against the key's
    /// kind), echoed as JSON, and (for the theory's numbers) as a Double.
    struct Binding: Sendable {
        let read: @Sendable (inout ExperimentConfig, ConfigKey, String) throws -> Void
        let json: @Sendable (ExperimentConfig) -> JSONValue
        let number: (@Sendable (ExperimentConfig) -> Double)?

        static func int(_ path: WritableKeyPath<ExperimentConfig, Int> & Sendable) -> Binding {
            Binding(read: { config, key, text in
                guard case .integer(let range) = key.kind else { return }
                config[keyPath: path] = try KeyReader.integer(text, field: key.rawValue, range)
            }, json: { $0[keyPath: path].json }, number: { Double($0[keyPath: path]) })
        }

        static func real(_ path: WritableKeyPath<ExperimentConfig, Double> & Sendable) -> Binding {
            Binding(read: { config, key, text in
                guard case .real(let domain) = key.kind else { return }
                config[keyPath: path] = try KeyReader.real(text, field: key.rawValue, domain)
            }, json: { $0[keyPath: path].json }, number: { $0[keyPath: path] })
        }

        /// η₂: absent means η (echoed and evaluated as η then).
        static let downstreamEta = Binding(read: { config, key, text in
            guard case .optionalReal(let domain) = key.kind else { return }
            config.eta2 = try KeyReader.real(text, field: key.rawValue, domain)
        }, json: { $0.downstreamEta.json }, number: { $0.downstreamEta })

        static func choice<E: RawRepresentable & Sendable>(_ path: WritableKeyPath<ExperimentConfig, E> & Sendable) -> Binding
            where E.RawValue == String {
            Binding(read: { config, key, text in
                guard let value = E(rawValue: text) else {
                    throw ConfigError(field: key.rawValue, "'\(InputText.excerpt(text))' is not allowed (\(key.allowedText))")
                }
                config[keyPath: path] = value
            }, json: { $0[keyPath: path].rawValue.json }, number: nil)
        }

        /// A built-in variant by name (a composed rule is read from its mapping instead); echoed
        /// as the name, or as the composition.
        static let variant = Binding(read: { config, key, text in
            guard let value = TransferVariant(rawValue: text) else {
                throw ConfigError(field: key.rawValue, "'\(InputText.excerpt(text))' is not allowed (\(key.allowedText))")
            }
            config.variant = value
            config.composedRule = nil
        }, json: { config in config.composedRule?.json ?? config.variant.rawValue.json }, number: nil)

        static let seed = Binding(read: { config, key, text in
            config.seed = try KeyReader.seed(text, field: key.rawValue)
        }, json: { $0.seed.json }, number: nil)

        static let constants = Binding(read: { _, _, _ in }, json: { $0.effectiveConstants.json }, number: nil)

    }

    /// The one place where a key meets its property (exhaustive: a new key does not compile
    /// until it has one).
    static func binding(_ key: ConfigKey) -> Binding {
        switch key {
        case .d: .int(\.d)
        case .m: .int(\.m)
        case .N1: .int(\.N1)
        case .N2: .int(\.N2)
        case .u_norm: .real(\.u_norm)
        case .v1_norm: .real(\.v1_norm)
        case .v2_norm: .real(\.v2_norm)
        case .v_overlap: .real(\.v_overlap)
        case .sigma_p1: .real(\.sigma_p1)
        case .sigma_p2: .real(\.sigma_p2)
        case .p: .real(\.p)
        case .sigma0: .real(\.sigma0)
        case .eta: .real(\.eta)
        case .eta2: .downstreamEta
        case .T1: .int(\.T1)
        case .T2: .int(\.T2)
        case .alpha: .real(\.alpha)
        case .delta: .real(\.delta)
        case .layout: .choice(\.layout)
        case .seed: .seed
        case .n_test: .int(\.n_test)
        case .record_every: .int(\.record_every)
        case .variant: .variant
        case .rescale: .real(\.rescale)
        case .transfer_noise: .real(\.transfer_noise)
        case .engine: .choice(\.engine)
        case .sampler: .choice(\.sampler)
        case .record: .choice(\.record)
        case .constants: .constants
        }
    }
}
