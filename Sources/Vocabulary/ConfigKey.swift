import Platform
/// Every key of an experiment configuration (docs/theory.md §1), declared once with its type,
/// allowed values, default, unit and meaning. The config reader, the JSON echo of a config,
/// the numeric environment of the theory, the identifier catalog of `proofs/`, grid axes and the
/// README's config table all derive from this declaration.
public enum ConfigKey: String, CaseIterable, Sendable {
    case d, m, N1, N2, u_norm, v1_norm, v2_norm, v_overlap, sigma_p1, sigma_p2, p, sigma0, eta, eta2, T1, T2,
         alpha, delta, layout, seed, n_test, record_every, record, variant, rescale, transfer_noise, engine, sampler, constants

    /// A set of real numbers, with its description ("> 0", "in [0, 1]").
    public struct RealDomain: Sendable {
        public let text: String
        public let contains: @Sendable (Double) -> Bool

        public init(text: String, contains: @escaping @Sendable (Double) -> Bool) {
            self.text = text
            self.contains = contains
        }
        public static let nonNegative = RealDomain(text: ">= 0") { $0 >= 0 }
        public static let positive = RealDomain(text: "> 0") { $0 > 0 }
        public static let finite = RealDomain(text: "of any sign") { _ in true }
        public static func closed(_ a: Double, _ b: Double) -> RealDomain { RealDomain(text: "in [\(a.short), \(b.short)]") { $0 >= a && $0 <= b } }
    }

    /// What a key holds.
    public enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        case real(RealDomain)
        /// A real that may be absent (its default is another key's value).
        case optionalReal(RealDomain)
        case choice([String])
        /// A built-in transfer variant by name, or a rule composed of a selection, a fraction and
        /// transforms (``TransferRuleField``).
        case transferRule([String])
        /// An integer in [0, 2⁶⁴).
        case seed
        /// The theory's constants by name (``TheoryConstant``), each > 0.
        case constants
        /// true or false.
        case flag
        /// A mapping or a list with a reader of its own; the text says what it may hold.
        case structured(String)

        /// The allowed values, in words.
        public var allowedText: String {
            switch self {
            case .integer(let range): "an integer in [\(range.lowerBound), \(range.upperBound)]"
            case .real(let domain), .optionalReal(let domain): "a number \(domain.text)"
            case .choice(let names): "one of " + names.joined(separator: ", ")
            case .transferRule(let names): "one of " + names.joined(separator: ", ") + ", or a mapping with "
                + TransferRuleField.allCases.map(\.rawValue).joined(separator: ", ") + " (selection: "
                + TransferSelection.allCases.map(\.rawValue).joined(separator: ", ") + "; transform: "
                + TransferTransform.allCases.map(\.rawValue).joined(separator: ", ") + ")"
            case .seed: "an integer in [0, 2^64)"
            case .constants: "a mapping of constant names (" + TheoryConstant.allCases.map(\.rawValue).joined(separator: ", ") + ") to numbers > 0"
            case .flag: "true or false"
            case .structured(let text): text
            }
        }

        /// Whether the kind holds a number (so a quoted value is refused).
        public var isNumber: Bool {
            switch self {
            case .integer, .real, .optionalReal, .seed: true
            case .choice, .transferRule, .constants, .flag, .structured: false
            }
        }
    }

    /// The most gradient steps a phase may run (T₁, T₂).
    public static let largestStepCount = 100_000_000

    /// The most filters per class (m).
    public static let largestFilterCount = 100_000

    public var kind: Kind {
        switch self {
        case .d: .integer(3...1_000_000_000_000_000)
        case .m: .integer(1...Self.largestFilterCount)
        case .N1, .N2: .integer(1...10_000_000)
        case .u_norm, .v1_norm, .v2_norm: .real(.nonNegative)
        case .v_overlap: .real(.closed(-1, 1))
        case .sigma_p1, .sigma_p2, .sigma0, .eta: .real(.positive)
        case .p: .real(RealDomain(text: "in [0, 0.5)") { $0 >= 0 && $0 < 0.5 })
        case .eta2: .optionalReal(.positive)
        case .T1, .T2: .integer(0...Self.largestStepCount)
        case .n_test, .record_every: .integer(1...100_000_000)
        case .alpha: .real(.closed(0, 1))
        case .delta: .real(RealDomain(text: "in (0, 1)") { $0 > 0 && $0 < 1 })
        case .layout: .choice(PatchLayout.allCases.map(\.rawValue))
        case .seed: .seed
        case .variant: .transferRule(TransferVariant.allCases.map(\.rawValue))
        case .rescale: .real(.finite)
        case .transfer_noise: .real(.nonNegative)
        case .engine: .choice(TrainingEngine.allCases.map(\.rawValue))
        case .sampler: .choice(Sampler.allCases.map(\.rawValue))
        case .record: .choice(Recording.allCases.map(\.rawValue))
        case .constants: .constants
        }
    }

    /// The default, as written in a config file.
    public var defaultText: String {
        switch self {
        case .d: "400"
        case .m: "10"
        case .N1: "80"
        case .N2: "20"
        case .u_norm: "3.0"
        case .v1_norm, .v2_norm: "2.0"
        case .v_overlap, .p, .transfer_noise: "0.0"
        case .sigma_p1, .sigma_p2, .eta, .rescale: "1.0"
        case .sigma0: "0.01"
        case .eta2: "eta"
        case .T1, .T2: "200"
        case .alpha: "0.5"
        case .delta: "0.05"
        case .layout: PatchLayout.combined.rawValue
        case .seed: "0"
        case .n_test: "1000"
        case .record_every: "10"
        case .variant: TransferVariant.filter.rawValue
        case .engine: TrainingEngine.auto.rawValue
        case .sampler: Sampler.auto.rawValue
        case .record: Recording.trajectories.rawValue
        case .constants: TheoryConstant.allCases.map { "\($0.rawValue) = \($0.defaultValue.short)" }.joined(separator: ", ")
        }
    }

    /// One line: what the key means.
    public var meaning: String {
        switch self {
        case .d: "patch dimension d"
        case .m: "filters per class m (2m in all)"
        case .N1: "upstream training samples N₁"
        case .N2: "downstream training samples N₂"
        case .u_norm: "‖u‖, the universal signal's strength"
        case .v1_norm: "‖v₁‖, the upstream task signal's strength"
        case .v2_norm: "‖v₂‖, the downstream task signal's strength"
        case .v_overlap: "cos∠(v₁, v₂)"
        case .sigma_p1: "noise s.d. per coordinate σ_{p,1}, task 1"
        case .sigma_p2: "noise s.d. per coordinate σ_{p,2}, task 2"
        case .p: "label-flip probability p"
        case .sigma0: "initialisation s.d. σ₀"
        case .eta: "gradient-descent step size η (upstream; downstream too unless `eta2` is given)"
        case .eta2: "downstream step size η₂ (`cond_step` is per task: task 2 uses η₂)"
        case .T1: "upstream gradient-descent steps T₁"
        case .T2: "downstream gradient-descent steps T₂"
        case .alpha: "fraction α of upstream filters inherited"
        case .delta: "failure probability δ of the high-probability statements"
        case .layout: "`combined`: x = [ŷ(u+v_k), ξ]; `separate`: x = [ŷu, ŷv_k, ξ]"
        case .seed: "determines data, initialisation and transfer choice"
        case .n_test: "fresh test samples per phase"
        case .record_every: "recording interval in steps (the last step is always recorded)"
        case .record: "`trajectories` (every `record_every` steps, with the recorder's per-step γ/ρ and its cross-check) or `final` (the last step only, γ/ρ read off the exact decomposition; a sweep's default)"
        case .variant: "`filter` (Algorithm 1), `weight` (⌊α·m·d⌋ coordinates per class), `frozen` (inherited filters never move), `rescaled` (inherited filters × `rescale`), `random_slots` (inherited filters drawn from either class), `top_signal` (the filters most aligned with μ₁), `top_snr` (the filters with the largest γ/Σρ̄ upstream)"
        case .rescale: "factor for `variant: rescaled`"
        case .transfer_noise: "s.d. of Gaussian noise added to every inherited coordinate (needs `sampler: vectors`)"
        case .engine: "`weights` (gradient descent in ℝᵈ), `coefficients` (the same descent in the exact coordinates of the decomposition), `auto` (per phase, the one with fewer estimated multiply–adds)"
        case .sampler: "how the Gaussian vectors are drawn: `vectors` (in ℝᵈ), `gram` (the exact reduced draw in ℝ^{3+K}, K = N1 + N2 + 4m; docs/theory.md §2a), `auto` (`gram` when 3 + K < d, the variant is not `weight` and `transfer_noise` is 0)"
        case .constants: "the theory's unknown constants, e.g. `{C1: 2, kappa: 0.5}`"
        }
    }

    /// Units of a numeric key (for the identifier catalog).
    public var unit: String {
        switch self {
        case .d, .m, .N1, .N2, .n_test: "count"
        case .u_norm, .v1_norm, .v2_norm, .sigma_p1, .sigma_p2: "signal norm"
        case .p, .delta: "probability"
        case .sigma0, .transfer_noise: "weight"
        case .T1, .T2, .record_every: "steps"
        case .alpha: "fraction"
        case .v_overlap, .eta, .eta2, .rescale: "dimensionless"
        case .layout, .seed, .variant, .engine, .sampler, .record, .constants: ""
        }
    }

    /// Whether the key is a number of the theory's environment (a docs/theory.md §1 id that
    /// `proofs/` may use).
    public var isTheoryValue: Bool {
        switch self {
        case .layout, .seed, .variant, .engine, .sampler, .record, .constants, .n_test, .record_every, .rescale, .transfer_noise: false
        default: true
        }
    }

    /// Whether the key holds a number (so a quoted value is refused).
    public var isNumber: Bool { kind.isNumber }

    /// The allowed values, in words.
    public var allowedText: String { kind.allowedText }

    /// The README's config reference table (a test keeps README.md equal to it).
    public static var referenceTable: String {
        let rows = allCases.map { key in
            let allowed: String
            switch key.kind {
            case .choice(let names): allowed = names.map { "`\($0)`" }.joined(separator: ", ")
            case .transferRule(let names):
                allowed = names.map { "`\($0)`" }.joined(separator: ", ") + ", or a composed rule (see [Transfer rules](#transfer-rules))"
            default: allowed = key.allowedText
            }
            return "| `\(key.rawValue)` | \(key.meaning) | \(key == .eta2 ? "`eta`" : key.defaultText) | \(allowed) |"
        }
        return (["| key | meaning | default | allowed |", "|---|---|---|---|"] + rows).joined(separator: "\n")
    }
}

/// The theory's unknown constants (docs/theory.md §6–§8) with the defaults that make a
/// configuration evaluable. The package never knows their values: C is the technical
/// conditions' constant (never lowered below 1 in the built-in suites), C1 and C3 the benign and
/// harmful thresholds on Γ, and the rest are fitted by the validation layer.
public enum TheoryConstant: String, CaseIterable, Sendable {
    case C, C1, C2, C3, Cprime, kappa, Cband, epsilon

    var defaultValue: Double { self == .epsilon ? 0.1 : 1 }

    public var meaning: String {
        switch self {
        case .C: "the conditions' absolute constant (default 1)"
        case .C1: "benign threshold of Γ in Theorem 4.2 (default 1)"
        case .C2: "exponent scale of the benign error bound (default 1)"
        case .C3: "harmful threshold of Γ in Theorem 4.2 (default 1)"
        case .Cprime: "C′ of lemma-gamma-growth (default 1)"
        case .kappa: "κ in predicted_error = p + (1−2p)Q(κ√Γ) (default 1)"
        case .Cband: "width of the Θ(·) band of lemma-signal-noise-ratio (default 1)"
        case .epsilon: "target training loss ε of lemma-training-converges (default 0.1)"
        }
    }

    public var unit: String { self == .epsilon ? "loss (nats)" : "dimensionless" }

    /// The thresholds of Theorem 4.2 must be ordered, C3 ≤ C1, or a Γ would be "benign" and
    /// "harmful" at once; a `ConfigError` naming `field` otherwise.
    public static func checkThresholds(_ given: [String: Double], field: String) throws {
        let c1 = given["C1"] ?? C1.defaultValue, c3 = given["C3"] ?? C3.defaultValue
        guard c3 <= c1 else {
            throw ConfigError(field: "\(field).C3", "\(c3.short) is larger than C1 = \(c1.short): the harmful threshold must not exceed the benign one")
        }
    }

    /// Every constant's default, by name.
    public static var defaults: [String: Double] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.defaultValue) })
    }
}

extension Double {
    /// Shortest text that reads back as this value ("1", "0.5", "1e-06").
    var short: String { NumberText.exact(self) }
}
