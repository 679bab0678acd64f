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
/// COpenBLAS shim; see the toolchain notes §1).
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
    /// G). The factor's `permutation` is `order` then; the pivoted fallback ignores it.
    public static func cholesky(_ g: Matrix, order: [Int]? = nil, relativeFloor: Double = 1e-10) -> CholeskyFactor {
        precondition(g.rows == g.cols, "cholesky needs a square matrix")
        let n = g.rows
        if n == 0 { return CholeskyFactor(permutation: [], lower: Matrix(rows: 0, cols: 0), pivoted: false) }
        let order = order ?? Array(0..<n)
        precondition(order.count == n && Set(order).count == n && order.allSatisfy { $0 >= 0 && $0 < n }, "order must be a permutation")
        var ordered = Matrix(rows: n, cols: n)
        for a in 0..<n { for b in 0..<n { ordered[a, b] = g[order[a], order[b]] } }
        // Row-major storage of a symmetric matrix is its column-major storage. Fortran's upper
        // factor U (G = UᵀU, column-major) read row-major is L = Uᵀ, lower triangular.
        var a = ordered.storage
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        var uplo = CChar(UInt8(ascii: "U"))
        dpotrf_(&uplo, &nn, &a, &lda, &info, 1)
        if info == 0 {
            var lower = Matrix(rows: n, cols: n)
            var acceptable = true
            for i in 0..<n {
                for j in 0...i { lower[i, j] = a[i * n + j] }
                if !(lower[i, i] * lower[i, i] >= relativeFloor * ordered[i, i]) || !lower[i, i].isFinite { acceptable = false }
            }
            if acceptable { return CholeskyFactor(permutation: order, lower: lower, pivoted: false) }
        }
        a = g.storage
        var piv = [Int32](repeating: 0, count: n)
        var rank: Int32 = 0
        var tol = -1.0  // LAPACK's default: n · ε · max diagonal
        var work = [Double](repeating: 0, count: 2 * n)
        info = 0
        dpstrf_(&uplo, &nn, &a, &lda, &piv, &rank, &tol, &work, &info, 1)
        precondition(info >= 0, "dpstrf_ rejected argument \(-info)")
        let r = Int(rank)
        var lower = Matrix(rows: n, cols: r)
        for i in 0..<n { for j in 0..<min(i + 1, r) { lower[i, j] = a[i * n + j] } }
        return CholeskyFactor(permutation: piv.map { Int($0) - 1 }, lower: lower, pivoted: true)
    }
}
