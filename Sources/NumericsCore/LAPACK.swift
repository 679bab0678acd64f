import COpenBLAS

/// A Cholesky factor of a symmetric positive semi-definite n × n matrix G, possibly of lower
/// rank: G[π(a), π(b)] = (L Lᵀ)[a, b] for a permutation π and an n × rank lower-trapezoidal L.
///
/// When G is numerically positive definite the factor is the ordinary one (π the identity,
/// rank n); otherwise it comes from Cholesky with complete pivoting, which stops at the
/// numerical rank, so that x = L z with z ~ N(0, I_rank) has covariance G up to the dropped
/// trailing block (whose entries are below the pivoting tolerance).
public struct CholeskyFactor: Sendable {
    /// π: row a of `lower` belongs to index `permutation[a]` of G.
    public let permutation: [Int]
    /// L, n × rank, row-major, zero above the diagonal.
    public let lower: Matrix
    public var rank: Int { lower.cols }
    /// Whether the pivoted (semi-definite) factorisation was needed.
    public let pivoted: Bool
}

/// Typed wrappers over the LAPACK routines OpenBLAS exports (Fortran ABI, declared in the
/// COpenBLAS shim, `Sources/COpenBLAS/shim.h`).
public enum LAPACK {
    /// Factor the symmetric positive semi-definite `g` (row-major, n × n).
    ///
    /// First the unpivoted factorisation (`dpotrf_`), accepted when it succeeds and every
    /// pivot satisfies L_aa² ≥ `relativeFloor` · G_aa (so no direction is nearly dependent on the
    /// others); otherwise Cholesky with complete pivoting (`dpstrf_`) with LAPACK's rank
    /// tolerance n·ε·max_a G_aa. The unpivoted path is preferred because it is a continuous
    /// function of G: two rounding-level different G give rounding-level different factors.
    ///
    /// `order` (a permutation of 0..<n) factors G[order, order] instead, so that the leading
    /// rows of L — and everything drawn through them — depend only on the leading indices of
    /// `order` (Cholesky is causal: the leading block of L is the factor of the leading block of
    /// G). The factor's `permutation` is `order` then. With `leading` = k, that stays true when
    /// G is singular: the first k indices of `order` are factored without pivoting (L₁₁ of
    /// G₁₁, which must be positive definite), L₂₁ = G₂₁ L₁₁⁻ᵀ, and only the Schur complement
    /// G₂₂ − L₂₁L₂₁ᵀ is pivoted, so the first k rows and columns of L are those of the
    /// nonsingular case. Without `leading`, or when G₁₁ itself is singular, the pivoted
    /// fallback ignores `order`.
    public static func cholesky(_ g: Matrix, order: [Int]? = nil, leading: Int? = nil, relativeFloor: Double = 1e-10) -> CholeskyFactor {
        precondition(g.rows == g.cols, "cholesky needs a square matrix")
        let n = g.rows
        if n == 0 { return CholeskyFactor(permutation: [], lower: Matrix(rows: 0, cols: 0), pivoted: false) }
        let order = order ?? Array(0..<n)
        precondition(order.count == n && Set(order).count == n && order.allSatisfy { $0 >= 0 && $0 < n }, "order must be a permutation")
        var ordered = Matrix(rows: n, cols: n)
        for a in 0..<n { for b in 0..<n { ordered[a, b] = g[order[a], order[b]] } }
        if let lower = unpivoted(ordered, relativeFloor: relativeFloor) {
            return CholeskyFactor(permutation: order, lower: lower, pivoted: false)
        }
        if let k = leading, k > 0, k < n, let blocked = keepingLeading(ordered, order: order, k: k, relativeFloor: relativeFloor) {
            return blocked
        }
        let (permutation, lower) = pivoted(g)
        return CholeskyFactor(permutation: permutation, lower: lower, pivoted: true)
    }

    /// L with G = L Lᵀ (`dpotrf_`), or nil when G is not numerically positive definite.
    static func unpivoted(_ g: Matrix, relativeFloor: Double) -> Matrix? {
        let n = g.rows
        // Row-major storage of a symmetric matrix is its column-major storage. Fortran's upper
        // factor U (G = UᵀU, column-major) read row-major is L = Uᵀ, lower triangular.
        var a = g.storage
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "U"))
        dpotrf_(&uplo, &nn, &a, &lda, &info, 1)
        guard info == 0 else { return nil }
        var lower = Matrix(rows: n, cols: n)
        for i in 0..<n {
            for j in 0...i { lower[i, j] = a[i * n + j] }
            if !(lower[i, i] * lower[i, i] >= relativeFloor * g[i, i]) || !lower[i, i].isFinite { return nil }
        }
        return lower
    }

    /// Cholesky with complete pivoting (`dpstrf_`): the permutation and the n × rank factor.
    static func pivoted(_ g: Matrix) -> ([Int], Matrix) {
        let n = g.rows
        var a = g.storage
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "U"))
        var piv = [Int32](repeating: 0, count: n)
        var rank: Int32 = 0
        var tol = -1.0  // LAPACK's default: n · ε · max diagonal
        var work = [Double](repeating: 0, count: 2 * n)
        dpstrf_(&uplo, &nn, &a, &lda, &piv, &rank, &tol, &work, &info, 1)
        precondition(info >= 0, "dpstrf_ rejected argument \(-info)")
        let r = Int(rank)
        var lower = Matrix(rows: n, cols: r)
        for i in 0..<n { for j in 0..<min(i + 1, r) { lower[i, j] = a[i * n + j] } }
        return (piv.map { Int($0) - 1 }, lower)
    }

    /// The factor of `ordered` (= G[order, order]) whose first `k` rows and columns are the
    /// unpivoted factor of its leading k × k block (see ``cholesky(_:order:leading:relativeFloor:)``);
    /// nil when that block is not numerically positive definite.
    static func keepingLeading(_ ordered: Matrix, order: [Int], k: Int, relativeFloor: Double) -> CholeskyFactor? {
        let n = ordered.rows, m = n - k
        var g11 = Matrix(rows: k, cols: k), l21t = Matrix(rows: k, cols: m), g22 = Matrix(rows: m, cols: m)
        for a in 0..<k { for b in 0..<k { g11[a, b] = ordered[a, b] } }
        for a in 0..<k { for b in 0..<m { l21t[a, b] = ordered[a, k + b] } }
        for a in 0..<m { for b in 0..<m { g22[a, b] = ordered[k + a, k + b] } }
        guard let l11 = unpivoted(g11, relativeFloor: relativeFloor) else { return nil }
        // L₂₁ᵀ = L₁₁⁻¹ G₁₂, then the Schur complement S = G₂₂ − L₂₁ L₂₁ᵀ.
        l11.storage.withUnsafeBufferPointer { lp in
            l21t.storage.withUnsafeMutableBufferPointer { bp in
                BLAS.solveLowerTriangular(lp.baseAddress!, leading: k, bp.baseAddress!, rows: k, cols: m)
            }
        }
        let cross = BLAS.product(l21t, transA: true, l21t)
        var schur = g22
        for e in schur.storage.indices { schur.storage[e] -= cross.storage[e] }
        for a in 0..<m { for b in 0..<a { schur[a, b] = schur[b, a] } }  // exactly symmetric
        let (piv, l22) = pivoted(schur)
        let rank = k + l22.cols
        var lower = Matrix(rows: n, cols: rank)
        for a in 0..<k { for b in 0...a { lower[a, b] = l11[a, b] } }
        for a in 0..<m {
            for b in 0..<k { lower[k + a, b] = l21t[b, piv[a]] }
            for b in 0..<min(a + 1, l22.cols) { lower[k + a, k + b] = l22[a, b] }
        }
        return CholeskyFactor(permutation: Array(order[..<k]) + piv.map { order[k + $0] }, lower: lower, pivoted: true)
    }
}
