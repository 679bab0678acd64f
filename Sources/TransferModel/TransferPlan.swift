import NumericsCore
import Vocabulary

/// The downstream initialisation that Algorithm 1 builds, and what it inherited.
public struct TransferredInitialisation: Sendable {
    public let filters: FilterBank
    /// Inherited filter slots r per class (index 0: j = +1, index 1: j = −1), ascending.
    /// Empty for the weight-level variant, which inherits coordinates, not filters.
    public let inheritedSlots: [[Int]]
    /// For each downstream row, the upstream row it was copied from (filter-level variants).
    public let sources: [Int: Int]
    /// Number of inherited coordinates per class (weight-level variant; m·d per whole filter otherwise).
    public let inheritedCoordinates: [Int]
    /// Rows that must not move downstream (the `frozen` variant).
    public let frozen: [Bool]

    /// Whether row k was inherited as a whole filter.
    public func isInherited(row k: Int) -> Bool { sources[k] != nil }
}

extension FilterGroup {
    /// The groups of a phase's 2m filter rows: `all`, and with an Algorithm-1 initialisation also
    /// `inherited` and `fresh` (docs/theory.md §5); a group may be empty.
    public static func rows(m: Int, inheritance: TransferredInitialisation?) -> [(group: FilterGroup, rows: [Int])] {
        let all = Array(0..<(2 * m))
        guard let inheritance else { return [(.all, all)] }
        return [(.all, all), (.inherited, all.filter { inheritance.isInherited(row: $0) }),
                (.fresh, all.filter { !inheritance.isInherited(row: $0) })]
    }
}

/// What a transfer rule sees (docs/theory.md §4): the upstream filters, the fresh draw of the
/// downstream initialisation, and α.
public struct TransferContext: Sendable {
    public let upstream: FilterBank
    public let fresh: FilterBank
    public let alpha: Double
    /// S.d. of the Gaussian noise added to every inherited coordinate (config `transfer_noise`).
    public let noise: Double
    /// Task 1's full signal μ₁ = u + v₁ in the sample space (nil when the caller has none).
    package let upstreamSignal: [Double]?
    /// The upstream run's last recorded step: γ and ρ̄ per filter (nil when none was recorded).
    package let upstreamRecording: CoefficientSnapshot?

    public init(upstream: FilterBank, fresh: FilterBank, alpha: Double, noise: Double = 0, upstreamSignal: [Double]? = nil,
                upstreamRecording: CoefficientSnapshot? = nil) {
        precondition(upstream.m == fresh.m && upstream.dimension == fresh.dimension)
        self.upstream = upstream
        self.fresh = fresh
        self.alpha = alpha
        self.noise = noise
        self.upstreamSignal = upstreamSignal
        self.upstreamRecording = upstreamRecording
    }

    /// ⌊α·count⌋, taken with a relative guard of 1e-12 so that, e.g., α = 0.29, m = 100 gives 29
    /// although 0.29·100 = 28.999999999999996 in binary floating point.
    public func inheritedCount(of count: Int) -> Int {
        Int((alpha * Double(count) * (1 + 1e-12)).rounded(.down))
    }

    /// Add N(0, noise²) to the inherited entries `indices` of `weights` (flat, ascending), after
    /// every choice the rule made: with no noise nothing is drawn, so results stay bit for bit.
    func perturb(_ weights: inout Matrix, at indices: [Int], using rng: inout SeededGenerator) {
        guard noise > 0 else { return }
        let draws = rng.gaussians(count: indices.count, standardDeviation: noise)
        for (index, z) in zip(indices, draws) { weights.storage[index] += z }
    }

    /// The downstream initialisation of a rule that inherits whole filters: the fresh draw with
    /// row k replaced by `scale` × upstream row `rows[k]` for every inherited k (rows c·m + r,
    /// class c, slot r), then the config's `transfer_noise` on those rows; `slots` lists each
    /// class's inherited slots, and `freeze` keeps the inherited rows fixed downstream.
    public func inherit(rows: [Int: Int], slots: [[Int]], scale: Double, freeze: Bool,
                 using rng: inout SeededGenerator) -> TransferredInitialisation {
        let m = fresh.m, d = fresh.dimension
        var weights = fresh.weights
        for (target, source) in rows { weights.setRow(target, upstream.weights.row(source).map { scale * $0 }) }
        perturb(&weights, at: rows.keys.sorted().flatMap { row in (row * d)..<((row + 1) * d) }, using: &rng)
        return TransferredInitialisation(filters: FilterBank(m: m, weights: weights), inheritedSlots: slots, sources: rows,
                                         inheritedCoordinates: slots.map { $0.count * d },
                                         frozen: (0..<(2 * m)).map { freeze && rows[$0] != nil })
    }
}

/// A transfer rule: how the downstream filters are initialised from the upstream ones. Algorithm 1
/// and its variants are rules; a new rule is a value of a new conforming type. Its random
/// choices come from `rng` (the experiment's stream "transfer-choice").
public protocol TransferRule: Sendable {
    /// The rule's name, as the config's `variant` gives it.
    var name: String { get }
    func apply(_ context: TransferContext, using rng: inout SeededGenerator) -> TransferredInitialisation
}

/// Whole filters (Algorithm 1 and its filter-level variants): for each class j, ⌊αm⌋ slots R_j
/// chosen uniformly at random; slot r ∈ R_j takes `scale` × an upstream filter — the one of the
/// same class and slot (`sameSlot`, Algorithm 1), any filter of either class (`anyClass`), or a
/// random filter of its own class for ⌈k/2⌉ slots and of the other for ⌊k/2⌋ (`balanced`), each
/// upstream filter used at most once — and the other slots keep the fresh N(0, σ₀²I) draw; with
/// `freeze` the inherited rows never move downstream.
package struct FilterTransfer: TransferRule {
    /// Where an inherited slot's filter comes from.
    package enum Source: Sendable { case sameSlot, anyClass, balanced }
    public let name: String
    public var scale = 1.0
    public var freeze = false
    public var source = Source.sameSlot

    public init(name: String, scale: Double = 1, freeze: Bool = false, source: Source = .sameSlot) {
        self.name = name
        self.scale = scale
        self.freeze = freeze
        self.source = source
    }

    public func apply(_ context: TransferContext, using rng: inout SeededGenerator) -> TransferredInitialisation {
        let m = context.fresh.m
        let k = context.inheritedCount(of: m)
        // The upstream rows each class's slots take, in slot order (drawn before the slots, as
        // Algorithm 1's stream has always been laid out for `anyClass`).
        var donors: [[Int]] = [[], []]
        switch source {
        case .sameSlot: break
        case .anyClass:
            let pool = rng.choose(2 * k, from: 2 * m).shuffled(using: &rng)
            donors = [Array(pool[..<k]), Array(pool[k...])]
        case .balanced:
            let own = (k + 1) / 2
            for c in 0..<2 {
                let pool = rng.choose(k, from: m).shuffled(using: &rng).map { c * m + $0 }
                donors[c] += pool[..<own]
                donors[1 - c] += pool[own...]
            }
        }
        var slots: [[Int]] = [[], []], sources: [Int: Int] = [:]
        for c in 0..<2 {
            slots[c] = rng.choose(k, from: m)
            for (n, r) in slots[c].enumerated() {
                sources[c * m + r] = source == .sameSlot ? c * m + r : donors[c][n]
            }
        }
        return context.inherit(rows: sources, slots: slots, scale: scale, freeze: freeze, using: &rng)
    }
}

/// Coordinates instead of filters (the `weight` variant): for each class, ⌊α·m·d⌋ of its m·d
/// coordinates chosen at random are copied from the upstream filters, times `scale`; the rest
/// are fresh.
package struct CoordinateTransfer: TransferRule {
    public let name: String
    public var scale = 1.0

    public init(name: String = TransferVariant.weight.rawValue, scale: Double = 1) {
        self.name = name
        self.scale = scale
    }

    public func apply(_ context: TransferContext, using rng: inout SeededGenerator) -> TransferredInitialisation {
        let m = context.fresh.m, d = context.fresh.dimension
        var weights = context.fresh.weights
        var coordinates = [0, 0]
        let k = context.inheritedCount(of: m * d)
        var inherited: [Int] = []
        for c in 0..<2 {
            for index in rng.choose(k, from: m * d) {
                let flat = (c * m) * d + index
                weights.storage[flat] = scale * context.upstream.weights.storage[flat]
                inherited.append(flat)
            }
            coordinates[c] = k
        }
        context.perturb(&weights, at: inherited.sorted(), using: &rng)
        return TransferredInitialisation(filters: FilterBank(m: m, weights: weights), inheritedSlots: [[], []],
                                         sources: [:], inheritedCoordinates: coordinates, frozen: Array(repeating: false, count: 2 * m))
    }
}

/// Whole filters chosen by a score instead of at random: per class, the ⌊αm⌋ upstream filters
/// with the largest score keep their slots (ties go to the lower slot); the rest are fresh. No
/// random draw is used. Scores: `signal`, the class-signed alignment j⟨w_{j,r}, μ₁⟩; `snr`, the
/// upstream recording's γ_{j,r}/Σ_i ρ̄_{j,r,i} at its last step (first signal patch; +∞ when
/// Σ_i ρ̄ = 0 < γ). Without the input a score needs, every score is 0 and the lowest slots are taken.
package struct RankedTransfer: TransferRule {
    package enum Score: String, Sendable { case signal, snr }
    public let name: String
    public let score: Score
    public var scale = 1.0
    public var freeze = false

    public init(name: String, score: Score, scale: Double = 1, freeze: Bool = false) {
        self.name = name
        self.score = score
        self.scale = scale
        self.freeze = freeze
    }

    func scores(_ context: TransferContext) -> [Double] {
        let twoM = 2 * context.upstream.m, m = context.upstream.m
        switch score {
        case .signal:
            guard let mu = context.upstreamSignal else { return Array(repeating: 0, count: twoM) }
            return (0..<twoM).map { k in (k < m ? 1 : -1) * zip(context.upstream.weights.row(k), mu).reduce(0) { $0 + $1.0 * $1.1 } }
        case .snr:
            guard let last = context.upstreamRecording, let gamma = last.gamma.first else { return Array(repeating: 0, count: twoM) }
            return (0..<twoM).map { k in
                let memorised = last.rhoBar.row(k).reduce(0, +)
                return memorised > 0 ? gamma[k] / memorised : (gamma[k] > 0 ? .infinity : 0)
            }
        }
    }

    public func apply(_ context: TransferContext, using rng: inout SeededGenerator) -> TransferredInitialisation {
        let m = context.fresh.m
        let k = context.inheritedCount(of: m), score = scores(context)
        var slots: [[Int]] = [[], []], sources: [Int: Int] = [:]
        for c in 0..<2 {
            let ranked = (0..<m).sorted { a, b in
                let (x, y) = (score[c * m + a], score[c * m + b])
                return x > y || (x == y && a < b)
            }
            slots[c] = Array(ranked.prefix(k)).sorted()
            for r in slots[c] { sources[c * m + r] = c * m + r }
        }
        return context.inherit(rows: sources, slots: slots, scale: scale, freeze: freeze, using: &rng)
    }
}

/// Algorithm 1 (docs/theory.md §4, `paper`), its built-in variants and composed rules (§4a).
public struct TransferPlan: Sendable {
    public let alpha: Double
    public let rule: any TransferRule
    /// S.d. of the noise added to every inherited coordinate.
    public let noise: Double

    public init(alpha: Double, rule: any TransferRule, noise: Double = 0) {
        self.alpha = alpha
        self.rule = rule
        self.noise = noise
    }

    public init(alpha: Double, variant: TransferVariant = .filter, rescale: Double = 1, noise: Double = 0) {
        self.init(alpha: alpha, rule: TransferRecipe.builtIn(variant, rescale: rescale).rule, noise: noise)
    }

    public init(config: ExperimentConfig) {
        self.init(alpha: config.alpha, rule: config.transferRecipe.rule, noise: config.transfer_noise)
    }

    /// Build the downstream initialisation from the upstream filters and a fresh draw (with the
    /// upstream signal and recording for the rules that rank filters).
    public func apply(upstream: FilterBank, fresh: FilterBank, upstreamSignal: [Double]? = nil,
                      upstreamRecording: CoefficientSnapshot? = nil, using rng: inout SeededGenerator) -> TransferredInitialisation {
        rule.apply(TransferContext(upstream: upstream, fresh: fresh, alpha: alpha, noise: noise, upstreamSignal: upstreamSignal,
                                   upstreamRecording: upstreamRecording), using: &rng)
    }
}
