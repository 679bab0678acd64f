import NumericsCore
import Vocabulary

/// The space an experiment's vectors live in, and how its Gaussian vectors are drawn there
/// (config key `sampler`; docs/theory.md §2a).
///
/// - `vectors`: ℝᵈ; every Gaussian vector is d independent draws.
/// - `gram`: ℝ^{3+K}. Coordinates 0, 1, 2 are the signal frame (û, v̂₁ and the unit part of v̂₂
///   orthogonal to v̂₁); the remaining K stand for the bulk B = frame^⊥ of ℝᵈ (dimension d − 3).
///   An experiment draws K = N₁ + N₂ + 4m Gaussian vectors (``Block``). Each has independent
///   N(0, 1) frame coordinates, and its bulk part g_k ~ N(0, I_{d−3}); the K × K Gram matrix of the
///   bulk parts is Wishart_K(d − 3, I). The Bartlett factor L (lower triangular,
///   L_ii² ~ χ²(d − 3 − i + 1) for i = 1 … K, L_ij ~ N(0, 1) for j < i, all independent) has
///   L Lᵀ of exactly that law, and since the bulk law is rotation invariant, taking row k of L as
///   g_k's coordinates in ℝᴷ gives every inner product the model ever computes (among the K
///   vectors and with the signals) the same joint law as in ℝᵈ. Needs d ≥ K + 3.
///
/// Exact in law, not pathwise equal to the ℝᵈ draw of the same seed. L comes from the seed's
/// streams "bulk" (normals, row by row) and "bulk-chi2" (the seed of GSL's χ² draws).
public struct SampleSpace: Sendable {
    /// `vectors` or `gram` (never `auto`).
    public let sampler: Sampler
    /// The dimension vectors are stored in: d, or 3 + K.
    public let dimension: Int
    /// The nominal patch dimension d of the law.
    public let nominalDimension: Int
    /// The Bartlett factor L, K × K (gram only).
    let bulk: Matrix?
    /// K per block, in ``Block`` order.
    let blockSizes: [Int]

    /// The groups of Gaussian vectors of one experiment, in the order their rows of L are assigned.
    public enum Block: Int, Sendable, CaseIterable {
        case upstreamNoise, upstreamInitialFilters, downstreamNoise, downstreamFreshFilters
    }

    /// Number of explicit signal-frame coordinates in the `gram` space.
    static let frameDimension = 3

    /// The space of `config` (its sampler resolved), with L drawn for `gram`. The config must
    /// have passed ``ExperimentConfig/checkSampler()`` (the readers call it).
    public init(config: ExperimentConfig) {
        sampler = config.resolvedSampler
        nominalDimension = config.d
        blockSizes = [config.N1, 2 * config.m, config.N2, 2 * config.m]
        guard sampler == .gram else {
            dimension = config.d
            bulk = nil
            return
        }
        let k = config.gaussianVectorCount
        precondition(config.d >= k + SampleSpace.frameDimension, "checked by ExperimentConfig.checkSampler")
        dimension = k + SampleSpace.frameDimension
        bulk = SampleSpace.bartlettFactor(size: k, degreesOfFreedom: config.d - SampleSpace.frameDimension, seed: config.seed)
    }

    /// L for Wishart_K(ν, I): L_ii = √χ²(ν − i) (0-based i), L_ij ~ N(0, 1) below the diagonal.
    static func bartlettFactor(size k: Int, degreesOfFreedom nu: Int, seed: UInt64) -> Matrix {
        var normals = SeededGenerator(seed: seed, stream: RandomStream.bulk.rawValue)
        var chiSeed = SeededGenerator(seed: seed, stream: RandomStream.bulkChi2.rawValue)
        let dof = (0..<k).map { Double(nu - $0) }
        // Degrees of freedom are ≥ 1 and finite (d ≥ K + 3), so GSL cannot fail here.
        let chi = (try? GSL.chiSquaredDraws(degreesOfFreedom: dof, seed: chiSeed.next())) ?? []
        precondition(chi.count == k)
        var l = Matrix(rows: k, cols: k)
        l.storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<k {
                normals.fillGaussians(p.baseAddress! + i * k, count: i)
                p[i * k + i] = chi[i].squareRoot()
            }
        }
        return l
    }

    /// The sampler a run of `config` uses, for manifests.
    public static func description(of config: ExperimentConfig) -> String {
        switch config.resolvedSampler {
        case .gram:
            return "gram: vectors in R^(3+K), K = N1 + N2 + 4m = \(config.gaussianVectorCount); 3 signal-frame coordinates N(0,1) from each vector's own stream, bulk coordinates = rows of the Bartlett factor L of Wishart_K(d - 3, I) (L_ii^2 ~ chi2(d - 3 - i) by GSL gsl_ran_chisq on MT19937 seeded from stream 'bulk-chi2', L_ij ~ N(0,1) below the diagonal from stream 'bulk'); rows assigned to upstream noises, upstream filters, downstream noises, downstream fresh filters in that order; exact in law for d = \(config.d) (docs/theory.md §2a), not pathwise equal to the vectors draw"
        case .vectors, .auto:
            return "vectors: every Gaussian vector drawn in R^d, d = \(config.d)"
        }
    }

    /// The rows of `block`'s vectors: where `fill` takes their bulk coordinates from.
    package func rows(_ block: Block) -> GaussianRows {
        let first = blockSizes[0..<block.rawValue].reduce(0, +)
        return GaussianRows(bulk: bulk, first: first, count: blockSizes[block.rawValue], dimension: dimension)
    }

    /// The signal directions in this space: random in ℝᵈ (`vectors`), the frame in `gram`.
    func geometry(overlap: Double, seed: UInt64) -> SignalGeometry {
        sampler == .gram ? SignalGeometry(frameIn: dimension, overlap: overlap) : SignalGeometry(d: dimension, overlap: overlap, seed: seed)
    }
}

/// One block of an experiment's Gaussian vectors: how to draw vector `index` of it.
///
/// `vectors` (no factor): `dimension` independent N(0, σ²) draws from the caller's generator.
/// `gram`: three frame coordinates N(0, σ²) from the caller's generator, then σ times row
/// `first + index` of the Bartlett factor. Each index may be drawn once per experiment: a
/// second draw of the same index would repeat its bulk part.
package struct GaussianRows: Sendable {
    let bulk: Matrix?
    let first: Int
    public let count: Int
    public let dimension: Int

    /// Rows that draw every coordinate independently in ℝ^`dimension` (the `vectors` sampler).
    public static func independent(dimension: Int) -> GaussianRows {
        GaussianRows(bulk: nil, first: 0, count: .max, dimension: dimension)
    }

    /// Write vector `index` of the block, scaled by σ, to `target` (`dimension` entries).
    @inline(__always)
    public func fill(_ target: UnsafeMutablePointer<Double>, index: Int, standardDeviation sigma: Double,
                     using rng: inout SeededGenerator) {
        guard let bulk else {
            rng.fillGaussians(target, count: dimension, standardDeviation: sigma)
            return
        }
        precondition(index < count, "each Gaussian vector of the gram space is drawn once")
        let frame = SampleSpace.frameDimension, k = bulk.cols
        rng.fillGaussians(target, count: frame, standardDeviation: sigma)
        bulk.storage.withUnsafeBufferPointer { l in
            let row = l.baseAddress! + (first + index) * k
            for j in 0..<k { (target + frame + j).initialize(to: sigma * row[j]) }
        }
    }
}
