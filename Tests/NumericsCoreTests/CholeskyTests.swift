@testable import NumericsCore
import Testing

/// `LAPACK.cholesky` on singular Gram matrices: with a leading block, that block's factor is
/// kept whatever the trailing vectors are.
struct CholeskyTests {
    /// The Gram matrix of `rows` (row-major, count × dim), computed by plain loops.
    static func gram(_ rows: [[Double]]) -> Matrix {
        var g = Matrix(rows: rows.count, cols: rows.count)
        for a in rows.indices { for b in rows.indices { g[a, b] = zip(rows[a], rows[b]).reduce(0) { $0 + $1.0 * $1.1 } } }
        return g
    }

    /// Six vectors in ℝ⁸: four independent ones lead; then a zero vector, and a combination of
    /// the first two plus a new direction. G is singular (rank 5).
    static func vectors() -> [[Double]] {
        var rng = SeededGenerator(seed: 5, stream: "cholesky")
        var v = (0..<4).map { _ in (0..<8).map { _ in rng.gaussian() } }
        let fresh = (0..<8).map { _ in rng.gaussian() }
        v.append(Array(repeating: 0, count: 8))
        v.append((0..<8).map { 0.5 * v[0][$0] - 2 * v[1][$0] + fresh[$0] })
        return v
    }

    @Test func singularGramKeepsTheLeadingFactor() {
        let v = Self.vectors(), g = Self.gram(v)
        let order = [2, 0, 3, 1, 4, 5]
        let factor = LAPACK.cholesky(g, order: order, leading: 4)
        #expect(factor.pivoted && factor.rank == 5)
        #expect(Array(factor.permutation.prefix(4)) == [2, 0, 3, 1] && Set(factor.permutation) == Set(0..<6))
        // L Lᵀ reproduces G[π, π] (every entry, to rounding).
        for a in 0..<6 {
            for b in 0..<6 {
                let product = (0..<factor.rank).reduce(0.0) { $0 + factor.lower[a, $1] * factor.lower[b, $1] }
                #expect(abs(product - g[factor.permutation[a], factor.permutation[b]]) <= 1e-12 * max(1, g[a, a], g[b, b]))
            }
        }
        // The leading rows and columns are the factor of the leading block alone, bit for bit.
        var leadingBlock = Matrix(rows: 4, cols: 4)
        for a in 0..<4 { for b in 0..<4 { leadingBlock[a, b] = g[order[a], order[b]] } }
        let alone = LAPACK.cholesky(leadingBlock)
        #expect(!alone.pivoted)
        for a in 0..<4 { for b in 0..<4 { #expect(factor.lower[a, b] == alone.lower[a, b]) } }
        // Lower trapezoidal, with a positive diagonal on its first `rank` rows.
        for a in 0..<6 { for b in 0..<factor.rank where b > a { #expect(factor.lower[a, b] == 0) } }
        for a in 0..<factor.rank { #expect(factor.lower[a, a] > 0) }
    }

    /// Without `leading`, the same matrix takes the fully pivoted path (the permutation is LAPACK's).
    @Test func withoutLeadingTheFallbackPivotsEverything() {
        let factor = LAPACK.cholesky(Self.gram(Self.vectors()), order: [2, 0, 3, 1, 4, 5])
        #expect(factor.pivoted && factor.rank == 5)
    }
}
