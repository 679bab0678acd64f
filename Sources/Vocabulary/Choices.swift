/// The names of the choices a config makes (docs/theory.md §1): every value a choice key takes.

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
    /// Per class, the ⌊αm⌋ upstream filters with the largest class-signed ⟨w, μ₁⟩, in their own slots.
    case top_signal
    /// Per class, the ⌊αm⌋ upstream filters with the largest γ/Σ_i ρ̄ at the last recorded upstream step.
    case top_snr
}

/// Which upstream parameters a transfer rule inherits (docs/theory.md §4a): the selection of a
/// rule written as a composition under `variant:`.
public enum TransferSelection: String, Sendable, CaseIterable, Codable {
    /// Per class, ⌊αm⌋ slots uniformly at random, each taking the upstream filter of its own
    /// class and slot (Algorithm 1's choice).
    case random
    /// As `random`, but each inherited filter is any upstream filter of either class, each used once.
    case any_class
    /// As `random`, but each class's k inherited filters come from both upstream classes:
    /// ⌈k/2⌉ from its own, ⌊k/2⌋ from the other (random filters, each used once).
    case class_balanced
    /// Per class, the ⌊αm⌋ filters with the largest class-signed ⟨w, μ₁⟩, in their own slots.
    case top_signal
    /// Per class, the ⌊αm⌋ filters with the largest γ/Σ_i ρ̄ at the last upstream step recorded.
    case top_snr
    /// ⌊α·m·d⌋ individual coordinates per class, at random, instead of whole filters.
    case coordinates
}

/// The keys of a transfer rule written as a composition (a `variant:` mapping or a rule file).
public enum TransferRuleField: String, Sendable, CaseIterable {
    case name, selection, fraction, transform
}

/// The transforms of a composed transfer rule, each with its parameter.
public enum TransferTransform: String, Sendable, CaseIterable {
    /// Multiply the inherited parameters by λ (a finite number).
    case scale
    /// Add N(0, s²) to every inherited coordinate (s ≥ 0; the config's `transfer_noise`).
    case noise
    /// Keep the inherited filters fixed downstream (true or false).
    case freeze
}

/// How an experiment's Gaussian vectors are drawn (config key `sampler`; docs/theory.md §2a).
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

/// What a run records along the way (config key `record`).
public enum Recording: String, Sendable, CaseIterable, Codable {
    /// Snapshots every `record_every` steps: the recorder's independent γ, ρ̄, ρ̲ (docs/theory.md
    /// §5) updated on every step, inner products, and the decomposition's cross-check.
    case trajectories
    /// The last step only: γ, ρ̄, ρ̲ of the final filters read off the exact decomposition (the
    /// coefficient engine's coordinates), no per-step recorder, no trajectory. What a sweep
    /// records unless its grid asks for trajectories.
    case final
}

/// The implementation that runs gradient descent for a phase (config key `engine`).
///
/// Both engines run the same full-batch gradient descent of docs/theory.md §3 and give the same
/// filters, activation patterns, recordings and test predictions to rounding error:
///
/// - `weights` updates the 2m filters in ℝᵈ: two products of the (nP) × d patch matrix with
///   the 2m × d filters per step, about 4m·n·P·d multiply–adds.
/// - `coefficients` uses the exact decomposition of docs/theory.md §5: every filter stays in
///   w⁽⁰⁾ + span{s₁, …, s_S, ξ₁, …, ξ_n} (S = P − 1 signal patches), so it keeps the 2m × K
///   coordinates (K = S + n) and the inner products ⟨w_k, b⟩ with the K basis vectors, which
///   follow from the Gram matrix of the basis and the initial inner products: one set-up of
///   about K²·d + 2m·K·d multiply–adds, then about 2m·K² per step.
/// - `auto` picks, per phase, the engine with fewer estimated multiply–adds (see
///   `estimatedMultiplyAdds(n:d:m:patchCount:steps:)`): in practice `coefficients` whenever the
///   training set is small next to the dimension (n ≲ d), `weights` when n ≫ d.
public enum TrainingEngine: String, Sendable, CaseIterable, Codable {
    case weights
    case coefficients
    case auto
}

/// The groups of filters the recorder reports on (docs/theory.md §5): every filter, and in the
/// transfer phase the ones Algorithm 1 inherited and the freshly drawn ones.
public enum FilterGroup: String, Sendable, CaseIterable, Codable {
    case all, inherited, fresh
}

/// The named random streams of one experiment's seed (docs/theory.md §1): each use of
/// randomness has its own, so changing how much one consumes never shifts another.
public enum RandomStream: String, Sendable, CaseIterable {
    case signals
    case upstreamTrain = "upstream-train", upstreamInit = "upstream-init", upstreamTest = "upstream-test"
    case upstreamTestExtra = "upstream-test-extra", upstreamTestComplement = "upstream-test-complement"
    case downstreamTrain = "downstream-train", downstreamInit = "downstream-init", downstreamTest = "downstream-test"
    case downstreamTestExtra = "downstream-test-extra", downstreamTestComplement = "downstream-test-complement"
    case transferChoice = "transfer-choice"
    /// The `gram` sampler's Bartlett factor: normals below the diagonal, and the seed of GSL's χ² draws.
    case bulk, bulkChi2 = "bulk-chi2"

    /// The test-set streams of the upstream (task 1) or downstream (task 2) phases: the draws, the
    /// inherited rows' extra coordinates, the complement of materialised vectors.
    public static func testStreams(upstream: Bool) -> (test: RandomStream, extra: RandomStream, complement: RandomStream) {
        upstream ? (.upstreamTest, .upstreamTestExtra, .upstreamTestComplement)
            : (.downstreamTest, .downstreamTestExtra, .downstreamTestComplement)
    }
}

/// The image datasets of the deep runs (docs/theory.md §9).
public enum ImageDatasetName: String, Sendable, CaseIterable, Codable {
    case fashion_mnist = "fashion-mnist", cifar10, cifar100
}

/// The optimisers of the deep runs: SGD with momentum and weight decay, or AdamW.
public enum DeepOptimiser: String, Sendable, CaseIterable, Codable {
    case sgd, adamw
}
