import COpenBLAS

extension BLAS {
    /// C ← α·op(A)·op(B) + β·C in single precision (`cblas_sgemm`), row-major and contiguous:
    /// `a` is (transA ? k×m : m×k), `b` is (transB ? n×k : k×n), `c` is m×n. The deep networks'
    /// large products (DeepNetworks) go through here.
    public static func gemm(_ a: UnsafePointer<Float>, transA: Bool = false, _ b: UnsafePointer<Float>, transB: Bool = false,
                            _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : c[i] * beta }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(transA ? m : k), b, Int32(transB ? k : n), beta, c, Int32(n))
    }
}
