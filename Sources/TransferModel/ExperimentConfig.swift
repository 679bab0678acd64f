import Foundation
import Yams

/// How the patches of one sample are laid out (docs/theory.md §1–§2).
public enum PatchLayout: String, Sendable, CaseIterable, Codable {
    /// x = [ŷ(u + v_k), ξ]: two patches.
    case combined
    /// x = [ŷu, ŷv_k, ξ]: three patches.
    case separate

    /// Number of patches P.
    public var patchCount: Int { self == .combined ? 2 : 3 }

    /// Names of the signal patches, in patch order: "mu", or "u" and "v".
    public var signalNames: [String] { self == .combined ? ["mu"] : ["u", "v"] }
}

/// Which form of Algorithm 1 builds the downstream initialisation (docs/theory.md §4).
public enum TransferVariant: String, Sendable, CaseIterable, Codable {
    /// ⌊αm⌋ whole filters per class are copied from the same class's upstream filters (Algorithm 1).
    case filter
    /// ⌊α·m·d⌋ individual coordinates per class are copied; the rest are fresh.
    case weight
    /// As `filter`, but the inherited filters never move downstream.
    case frozen
    /// As `filter`, with the inherited filters multiplied by `rescale`.
    case rescaled
    /// As `filter`, but each inherited filter is drawn from any upstream filter of either class.
    case random_slots
}

/// The full, validated configuration of one experiment: upstream run, transfer run and
/// scratch baseline. Keys are the identifiers of docs/theory.md §1; every key has a default, so an
/// empty file is a valid (small, fast, benign) experiment.
public struct ExperimentConfig: Equatable, Sendable {
    /// Patch dimension d (≥ 3: u, v₁ and v₂ need three orthogonal directions). With the `gram`
    /// sampler d is only a parameter of the law (theory §2a) and may be as large as 10¹⁵.
    public var d = 400
    /// Filters per class m (2m filters in all).
    public var m = 10
    /// Upstream training samples N₁.
    public var N1 = 80
    /// Downstream training samples N₂.
    public var N2 = 20
    /// ‖u‖, the universal signal's strength.
    public var u_norm = 3.0
    /// ‖v₁‖, the upstream task signal's strength.
    public var v1_norm = 2.0
    /// ‖v₂‖, the downstream task signal's strength.
    public var v2_norm = 2.0
    /// cos∠(v₁, v₂) ∈ [−1, 1]; 0 makes the task signals orthogonal.
    public var v_overlap = 0.0
    /// Noise standard deviation per coordinate, upstream (σ_{p,1} > 0).
    public var sigma_p1 = 1.0
    /// Noise standard deviation per coordinate, downstream (σ_{p,2} > 0).
    public var sigma_p2 = 1.0
    /// Label-flip probability p ∈ [0, 0.5).
    public var p = 0.0
    /// Initialisation standard deviation σ₀ > 0 (small: the feature-learning regime).
    public var sigma0 = 0.01
    /// Gradient-descent step size η > 0 (upstream, and downstream unless `eta2` is given).
    public var eta = 1.0
    /// Downstream step size η₂ > 0; nil means η. The step-size condition is per task, and with
    /// N₁ ≫ N₂ the downstream one is far stricter (theory §6).
    public var eta2: Double?
    /// Upstream gradient-descent steps T₁ ≥ 0.
    public var T1 = 200
    /// Downstream gradient-descent steps T₂ ≥ 0.
    public var T2 = 200
    /// Fraction α ∈ [0, 1] of upstream filters inherited.
    public var alpha = 0.5
    /// Failure probability δ ∈ (0, 1) of the high-probability statements.
    public var delta = 0.05
    /// Patch layout.
    public var layout = PatchLayout.combined
    /// The one seed that determines data, initialisation and the transfer choice.
    public var seed: UInt64 = 0
    /// Fresh test samples per phase.
    public var n_test = 1000
    /// Record coefficients and inner products every this many steps (and at the last step).
    public var record_every = 10
    /// Transfer variant (Algorithm 1 is `filter`).
    public var variant = TransferVariant.filter
    /// Factor applied to inherited filters when `variant` is `rescaled`.
    public var rescale = 1.0
    /// Which implementation trains: weight space, coefficient space (exact, docs/theory.md §5), or
    /// `auto`, the one with fewer estimated multiply–adds for each phase (see `TrainingEngine`).
    /// Results agree to rounding error whichever runs.
    public var engine = TrainingEngine.auto
    /// How the experiment's Gaussian vectors are drawn (theory §2a): in ℝᵈ (`vectors`), in the
    /// exact reduced space ℝ^{3+K} (`gram`), or `auto` (see ``Sampler``).
    public var sampler = Sampler.auto
    /// Values of the theory's unknown constants (C, C1, C2, C3, Cprime, kappa, …), all > 0.
    public var constants: [String: Double] = [:]

    public init() {}

    /// Documented defaults of `constants` (docs/theory.md §6–§7).
    public static let defaultConstants: [String: Double] = ["C": 1, "C1": 1, "C2": 1, "C3": 1, "Cprime": 1, "kappa": 1]

    /// `constants` with the defaults filled in.
    public var effectiveConstants: [String: Double] {
        ExperimentConfig.defaultConstants.merging(constants) { _, given in given }
    }

    /// Number of patches P.
    public var patchCount: Int { layout.patchCount }

    /// η₂, the downstream step size (η when `eta2` is not given).
    public var downstreamEta: Double { eta2 ?? eta }

    /// The step size of task 1 (η) or task 2 (η₂).
    public func eta(task: Int) -> Double { task == 1 ? eta : downstreamEta }

    /// K, the number of Gaussian vectors one experiment draws: N₁ + N₂ training noises and
    /// 2m + 2m initial filters (upstream, downstream fresh) (theory §2a).
    public var gaussianVectorCount: Int { N1 + N2 + 4 * m }

    /// The smallest d at which the `gram` sampler is exact: K + 3.
    public var smallestGramDimension: Int { gaussianVectorCount + 3 }

    /// `sampler` with `auto` resolved: `gram` when its space ℝ^{K+3} is smaller than ℝᵈ and the
    /// variant is rotation invariant (the weight-level variant copies coordinates), else `vectors`.
    public var resolvedSampler: Sampler {
        switch sampler {
        case .vectors, .gram: return sampler
        case .auto: return variant != .weight && smallestGramDimension < d ? .gram : .vectors
        }
    }

    /// The largest d the `vectors` sampler accepts (its vectors are stored in ℝᵈ).
    public static let largestVectorDimension = 10_000_000
}

/// How an experiment's Gaussian vectors are drawn (config key `sampler`; theory §2a).
public enum Sampler: String, Sendable, CaseIterable, Codable {
    /// Every vector in ℝᵈ: d Gaussians each.
    case vectors
    /// The exact reduced draw: three signal-frame coordinates plus the rows of a Bartlett
    /// factor of the bulk's Wishart Gram matrix, in ℝ^{3+K}; the same joint law of everything
    /// the model computes, at a cost that does not grow with d. Needs d ≥ K + 3 and a
    /// rotation-invariant transfer variant.
    case gram
    /// `gram` when it is smaller and allowed, else `vectors`.
    case auto
}

/// A configuration problem, reported as one line naming the field and what is allowed.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let problem: String

    public init(field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "config field '\(field)': \(problem)" }
}

/// Reading the project's YAML input files (configs, grids, suites), failures reported as a
/// ``ConfigError`` naming `field`.
public enum YAMLInput {
    /// The file's text.
    public static func text(of url: URL, field: String) throws -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError(field: field, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// The document's root node, nil for an empty document. Composed with Yams' basic resolver:
    /// the readers take every scalar as text and check its type and range themselves, so Yams'
    /// regular-expression tag resolution is not needed (1 ms saved at the start of every run).
    public static func compose(_ text: String, field: String) throws -> Node? {
        do { return try Yams.compose(yaml: text, .basic) } catch {
            throw ConfigError(field: field, "not valid YAML: \(error)")
        }
    }
}

extension ExperimentConfig {
    /// Every key a config file may contain, in documentation order.
    public static let keys = ["d", "m", "N1", "N2", "u_norm", "v1_norm", "v2_norm", "v_overlap",
                              "sigma_p1", "sigma_p2", "p", "sigma0", "eta", "T1", "T2", "alpha", "delta",
                              "layout", "seed", "n_test", "record_every", "variant", "rescale", "engine", "sampler", "eta2",
                              "constants"]

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
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw ConfigError(field: "file", "keys must be strings") }
            values[name] = value
        }
        return try ExperimentConfig(values: values)
    }

    /// Build from already-parsed YAML nodes (also used for grid cells and suites).
    public init(values: [String: Node], base: ExperimentConfig = ExperimentConfig()) throws {
        self = base
        for key in values.keys where !ExperimentConfig.keys.contains(key) {
            throw ConfigError(field: key, "unknown key (allowed: \(ExperimentConfig.keys.joined(separator: ", ")))")
        }
        let reader = FieldReader(values: values)
        try reader.int("d", &d, min: 3, max: 1_000_000_000_000_000)
        try reader.int("m", &m, min: 1, max: 100_000)
        try reader.int("N1", &N1, min: 1, max: 10_000_000)
        try reader.int("N2", &N2, min: 1, max: 10_000_000)
        try reader.real("u_norm", &u_norm, ">= 0") { $0 >= 0 }
        try reader.real("v1_norm", &v1_norm, ">= 0") { $0 >= 0 }
        try reader.real("v2_norm", &v2_norm, ">= 0") { $0 >= 0 }
        try reader.real("v_overlap", &v_overlap, "in [-1, 1]") { $0 >= -1 && $0 <= 1 }
        try reader.real("sigma_p1", &sigma_p1, "> 0") { $0 > 0 }
        try reader.real("sigma_p2", &sigma_p2, "> 0") { $0 > 0 }
        try reader.real("p", &p, "in [0, 0.5)") { $0 >= 0 && $0 < 0.5 }
        try reader.real("sigma0", &sigma0, "> 0") { $0 > 0 }
        try reader.real("eta", &eta, "> 0") { $0 > 0 }
        try reader.int("T1", &T1, min: 0, max: 100_000_000)
        try reader.int("T2", &T2, min: 0, max: 100_000_000)
        try reader.real("alpha", &alpha, "in [0, 1]") { $0 >= 0 && $0 <= 1 }
        try reader.real("delta", &delta, "in (0, 1)") { $0 > 0 && $0 < 1 }
        try reader.choice("layout", &layout)
        try reader.seed("seed", &seed)
        try reader.int("n_test", &n_test, min: 1, max: 100_000_000)
        try reader.int("record_every", &record_every, min: 1, max: 100_000_000)
        try reader.choice("variant", &variant)
        try reader.real("rescale", &rescale, "a finite number") { _ in true }
        try reader.choice("engine", &engine)
        try reader.choice("sampler", &sampler)
        if values["eta2"] != nil {
            var step = 1.0
            try reader.real("eta2", &step, "> 0") { $0 > 0 }
            eta2 = step
        }
        if let node = values["constants"] {
            guard let mapping = node.mapping else {
                throw ConfigError(field: "constants", "expected a mapping of constant names to numbers > 0")
            }
            for (key, value) in mapping {
                guard let name = key.string, name.first?.isLetter == true else {
                    throw ConfigError(field: "constants", "constant names must be identifiers")
                }
                var c = 1.0
                try FieldReader(values: [name: value]).real(name, &c, "> 0", fieldPrefix: "constants.") { $0 > 0 }
                constants[name] = c
            }
        }
        try checkSampler()
    }

    /// The checks across keys that the sampler needs (theory §2a).
    public func checkSampler() throws {
        switch resolvedSampler {
        case .gram:
            if d < smallestGramDimension {
                throw ConfigError(field: "sampler", "gram needs d ≥ K + 3 = \(smallestGramDimension) (K = N1 + N2 + 4m = \(gaussianVectorCount) Gaussian vectors); d is \(d): raise d or use sampler: vectors")
            }
            if variant == .weight {
                throw ConfigError(field: "sampler", "gram cannot run variant 'weight' (it copies individual coordinates, which the reduced draw does not have): use sampler: vectors")
            }
        case .vectors, .auto:
            if d > ExperimentConfig.largestVectorDimension {
                throw ConfigError(field: "d", "\(d) is too large for sampler vectors (at most \(ExperimentConfig.largestVectorDimension)); sampler: gram draws any d ≥ \(smallestGramDimension) exactly")
            }
        }
    }

    /// The effective configuration as plain JSON-ready values under the docs/theory.md §1 ids.
    public var jsonObject: [String: Any] {
        ["d": d, "m": m, "N1": N1, "N2": N2, "u_norm": u_norm, "v1_norm": v1_norm, "v2_norm": v2_norm,
         "v_overlap": v_overlap, "sigma_p1": sigma_p1, "sigma_p2": sigma_p2, "p": p, "sigma0": sigma0,
         "eta": eta, "T1": T1, "T2": T2, "alpha": alpha, "delta": delta, "layout": layout.rawValue,
         "seed": seed, "n_test": n_test, "record_every": record_every, "variant": variant.rawValue,
         "rescale": rescale, "engine": engine.rawValue, "sampler": sampler.rawValue, "eta2": downstreamEta,
         "constants": effectiveConstants]
    }

    /// Numeric values of the §1 ids (for the Bounds module's environments).
    public var numericValues: [String: Double] {
        ["d": Double(d), "m": Double(m), "N1": Double(N1), "N2": Double(N2), "u_norm": u_norm,
         "v1_norm": v1_norm, "v2_norm": v2_norm, "v_overlap": v_overlap, "sigma_p1": sigma_p1,
         "sigma_p2": sigma_p2, "p": p, "sigma0": sigma0, "eta": eta, "eta2": downstreamEta, "T1": Double(T1), "T2": Double(T2),
         "alpha": alpha, "delta": delta]
    }
}

/// Reads typed, range-checked scalars out of YAML nodes.
private struct FieldReader {
    let values: [String: Node]

    private func scalar(_ key: String, _ expectation: String, prefix: String = "") throws -> String? {
        guard let node = values[key] else { return nil }
        guard let text = node.scalar?.string else {
            throw ConfigError(field: prefix + key, "expected \(expectation), got a \(node.mapping != nil ? "mapping" : "list")")
        }
        return text
    }

    func int(_ key: String, _ target: inout Int, min: Int, max: Int) throws {
        let allowed = "an integer in [\(min), \(max)]"
        guard let text = try scalar(key, allowed) else { return }
        let value: Int
        if let i = Int(text) { value = i }
        else if let x = Double(text), x.isFinite, x == x.rounded(), abs(x) < 1e15 { value = Int(x) }
        else { throw ConfigError(field: key, "expected \(allowed), got '\(text)'") }
        guard value >= min && value <= max else {
            throw ConfigError(field: key, "\(value) is outside the allowed range: \(allowed)")
        }
        target = value
    }

    func seed(_ key: String, _ target: inout UInt64) throws {
        guard let text = try scalar(key, "an integer in [0, 2^64)") else { return }
        guard let value = UInt64(text) else {
            throw ConfigError(field: key, "expected an integer in [0, 2^64), got '\(text)'")
        }
        target = value
    }

    func real(_ key: String, _ target: inout Double, _ allowed: String, fieldPrefix: String = "",
              _ isAllowed: (Double) -> Bool) throws {
        guard let text = try scalar(key, "a number \(allowed)", prefix: fieldPrefix) else { return }
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")), value.isFinite else {
            throw ConfigError(field: fieldPrefix + key, "expected a finite number \(allowed), got '\(text)'")
        }
        guard isAllowed(value) else {
            throw ConfigError(field: fieldPrefix + key, "\(text) is outside the allowed range: \(allowed)")
        }
        target = value
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ target: inout E) throws where E.RawValue == String {
        let names = E.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = try scalar(key, "one of \(names)") else { return }
        guard let value = E(rawValue: text) else {
            throw ConfigError(field: key, "'\(text)' is not allowed (one of: \(names))")
        }
        target = value
    }
}
