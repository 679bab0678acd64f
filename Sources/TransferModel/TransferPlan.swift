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

/// Algorithm 1 (docs/theory.md §4, `paper`) and the variants the audit runs.
///
/// For each class j choose ⌊αm⌋ filter slots R_j uniformly at random (stream "transfer-choice");
/// w̃_{j,r}⁽⁰⁾ = w^up_{j,r} for r ∈ R_j and the fresh N(0, σ₀²I) draw otherwise.
/// ⌊αm⌋ is taken with a relative guard of 1e-12 so that, e.g., α = 0.29, m = 100 gives 29
/// although 0.29·100 = 28.999999999999996 in binary floating point.
public struct TransferPlan: Sendable {
    public let alpha: Double
    public let variant: TransferVariant
    public let rescale: Double

    public init(alpha: Double, variant: TransferVariant = .filter, rescale: Double = 1) {
        self.alpha = alpha
        self.variant = variant
        self.rescale = rescale
    }

    public init(config: ExperimentConfig) {
        self.init(alpha: config.alpha, variant: config.variant, rescale: config.rescale)
    }

    /// ⌊α·count⌋ with the guard described above.
    func inheritedCount(of count: Int) -> Int {
        Int((alpha * Double(count) * (1 + 1e-12)).rounded(.down))
    }

    /// Build the downstream initialisation from the upstream filters and a fresh draw.
    public func apply(upstream: FilterBank, fresh: FilterBank, using rng: inout SeededGenerator) -> TransferredInitialisation {
        precondition(upstream.m == fresh.m && upstream.dimension == fresh.dimension)
        let m = fresh.m, d = fresh.dimension
        var weights = fresh.weights
        var slots: [[Int]] = [[], []]
        var sources: [Int: Int] = [:]
        var coordinates = [0, 0]
        switch variant {
        case .weight:
            let k = inheritedCount(of: m * d)
            for c in 0..<2 {
                for index in rng.choose(k, from: m * d) {
                    let flat = (c * m) * d + index
                    weights.storage[flat] = upstream.weights.storage[flat]
                }
                coordinates[c] = k
            }
        case .filter, .frozen, .rescaled, .random_slots:
            let k = inheritedCount(of: m)
            let randomSources = variant == .random_slots ? rng.choose(2 * k, from: 2 * m).shuffled(using: &rng) : []
            for c in 0..<2 {
                slots[c] = rng.choose(k, from: m)
                for (n, r) in slots[c].enumerated() {
                    let target = c * m + r
                    let source = variant == .random_slots ? randomSources[c * k + n] : target
                    let factor = variant == .rescaled ? rescale : 1
                    weights.setRow(target, upstream.weights.row(source).map { factor * $0 })
                    sources[target] = source
                }
                coordinates[c] = k * d
            }
        }
        let frozen = (0..<(2 * m)).map { variant == .frozen && sources[$0] != nil }
        return TransferredInitialisation(filters: FilterBank(m: m, weights: weights), inheritedSlots: slots,
                                         sources: sources, inheritedCoordinates: coordinates, frozen: frozen)
    }
}
