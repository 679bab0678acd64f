import COpenBLAS

/// Thin, typed wrappers over OpenBLAS's CBLAS (row-major, Double).
public enum BLAS {
    /// Make OpenBLAS single-threaded: the model's matrices are small, and parallelism lives
    /// across runs or in a ``SpinningWorker`` instead (docs/architecture.md, "Concurrency"). Safe at any
    /// time, also while other threads are inside BLAS calls. A no-op when already so: setting
    /// the count restarts the thread pool that ``stopIdleThreads()`` stopped.
    public static func useSingleThread() { useThreads(1) }

    /// Let OpenBLAS split each product over `count` threads: a lone deep run on the cores it is
    /// given (`ptv deep train --threads`). OpenBLAS splits a product by blocks of its result, not
    /// along the summed dimension, so every element is summed in the same order at any count.
    public static func useThreads(_ count: Int) {
        if openblas_get_num_threads() != Int32(count) { openblas_set_num_threads(Int32(count)) }
    }

    /// Stop the worker threads OpenBLAS started when it was loaded: idle, they spin on
    /// `sched_yield` for about 2²⁸ cycles (≈ 0.1 s) and take a core from the process's own
    /// threads. Only at process start-up (the command-line tool's `main`), before any other
    /// thread calls BLAS: a call in flight on another thread would wait for them forever.
    public static func stopIdleThreads() {
        _ = blas_thread_shutdown_()
    }

    /// OpenBLAS's build configuration, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … Zen".
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// C ← α·op(A)·op(B) + β·C over raw row-major buffers, op = transpose when the flag is set.
    ///
    /// `a` is (transA ? k×m : m×k), `b` is (transB ? n×k : k×n), `c` is m×n.
    public static func gemm(_ a: UnsafePointer<Double>, transA: Bool = false,
                            _ b: UnsafePointer<Double>, transB: Bool = false,
                            _ c: UnsafeMutablePointer<Double>,
                            m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0) {
        gemm(a, transA: transA, leadingA: transA ? m : k, b, transB: transB, leadingB: transB ? k : n, c, leadingC: n,
             m: m, n: n, k: k, alpha: alpha, beta: beta)
    }

    /// C ← α·op(A)·op(B) + β·C with explicit leading dimensions (row strides), for sub-matrices
    /// read in place, e.g. every P-th row of a patch matrix.
    public static func gemm(_ a: UnsafePointer<Double>, transA: Bool = false, leadingA: Int,
                            _ b: UnsafePointer<Double>, transB: Bool = false, leadingB: Int,
                            _ c: UnsafeMutablePointer<Double>, leadingC: Int,
                            m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * leadingC + j] *= beta } }
            return
        }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(leadingA), b, Int32(leadingB), beta, c, Int32(leadingC))
    }

    /// out ← C + A·B in place, out already C's shape (a training loop's per-step product without
    /// an allocation); rows in two `Bands` as ``product(_:_:adding:worker:)``.
    public static func product(_ a: Matrix, _ b: Matrix, adding c: Matrix, into out: inout Matrix, worker: SpinningWorker?) {
        let rows = a.rows, cols = b.cols, inner = a.cols
        precondition(b.rows == inner && c.rows == rows && c.cols == cols && out.rows == rows && out.cols == cols)
        guard rows > 0 && cols > 0 else { return }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeBufferPointer { cp in
                    out.storage.withUnsafeMutableBufferPointer { op in
                        Bands.run(count: rows, operations: rows * cols * inner, worker: worker) { band in
                            let first = band.lowerBound, target = op.baseAddress! + first * cols
                            target.update(from: cp.baseAddress! + first * cols, count: band.count * cols)
                            if inner > 0 {
                                gemm(ap.baseAddress! + first * inner, bp.baseAddress!, target, m: band.count, n: cols, k: inner, beta: 1)
                            }
                        }
                    }
                }
            }
        }
    }

    /// C + A·B (A·B when `c` is nil) for row-major matrices, in ``Bands`` of rows: each band
    /// copies its rows of C and adds its rows of the product, the second band on `worker` when
    /// there is one; the result does not depend on it. (Bands of rows suit a short, wide A
    /// times a square B — the engine's per-step product — better than bands of B's columns.)
    public static func product(_ a: Matrix, _ b: Matrix, adding c: Matrix? = nil, worker: SpinningWorker?) -> Matrix {
        let rows = a.rows, cols = b.cols, inner = a.cols
        precondition(b.rows == inner && (c.map { $0.rows == rows && $0.cols == cols } ?? true))
        guard rows > 0 && cols > 0 else { return c ?? Matrix(rows: rows, cols: cols) }
        let initial = c ?? Matrix(rows: 0, cols: 0)
        let storage = [Double](unsafeUninitializedCapacity: rows * cols) { buffer, initialized in
            a.storage.withUnsafeBufferPointer { ap in
                b.storage.withUnsafeBufferPointer { bp in
                    initial.storage.withUnsafeBufferPointer { cp in
                        let out = buffer.baseAddress!
                        Bands.run(count: rows, operations: rows * cols * inner, worker: worker) { band in
                            let first = band.lowerBound, target = out + first * cols, count = band.count * cols
                            if c != nil { target.initialize(from: cp.baseAddress! + first * cols, count: count) }
                            else { target.initialize(repeating: 0, count: count) }
                            if inner > 0 {
                                gemm(ap.baseAddress! + first * inner, bp.baseAddress!, target, m: band.count, n: cols, k: inner, beta: 1)
                            }
                        }
                    }
                }
            }
            initialized = rows * cols
        }
        return Matrix(rows: rows, cols: cols, storage: storage)
    }

    /// The Gram matrix A·Aᵀ of the rows of `a` (`cblas_dsyrk`, half the work of a product;
    /// the lower triangle is mirrored, so the result is exactly symmetric).
    public static func gram(_ a: Matrix) -> Matrix {
        if a.rows == 0 || a.cols == 0 { return Matrix(rows: a.rows, cols: a.rows) }
        return a.storage.withUnsafeBufferPointer { gram($0.baseAddress!, rows: a.rows, cols: a.cols, leading: a.cols) }
    }

    /// The Gram matrix of `rows` rows of length `cols` read in place with row stride `leading`
    /// (e.g. every P-th row of a patch matrix), as ``gram(_:)``. From 2²⁰ multiply–adds on it is
    /// taken in blocks of the row halves A₁, A₂: A₁A₁ᵀ and A₂A₂ᵀ (two `dsyrk`) and A₂A₁ᵀ (one
    /// `dgemm`, on `worker` at the same time when there is one); equal work on each side, and
    /// the same result either way.
    public static func gram(_ a: UnsafePointer<Double>, rows n: Int, cols: Int, leading: Int,
                            worker: SpinningWorker? = nil) -> Matrix {
        var c = Matrix(rows: n, cols: n)
        if n == 0 || cols == 0 { return c }
        c.storage.withUnsafeMutableBufferPointer { pc in
            let out = pc.baseAddress!
            func syrk(_ first: Int, _ count: Int) {
                cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(count), Int32(cols), 1, a + first * leading,
                            Int32(leading), 0, out + first * n + first, Int32(n))
            }
            if n >= 2 && n * n * cols / 2 >= Bands.threshold {
                let h = n / 2
                let offDiagonal = {
                    gemm(a + h * leading, leadingA: leading, a, transB: true, leadingB: leading, out + h * n, leadingC: n,
                         m: n - h, n: h, k: cols)
                }
                let diagonal = { syrk(0, h); syrk(h, n - h) }
                Bands.pair(diagonal, offDiagonal, worker: worker)
            } else {
                syrk(0, n)
            }
            for i in 0..<n { for j in 0..<i { out[j * n + i] = out[i * n + j] } }
        }
        return c
    }

    /// B ← L⁻¹ B for a lower-triangular, non-unit L (the leading rows × rows block of a row-major
    /// buffer with row stride `leading`) and a row-major rows × cols B (`cblas_dtrsm`).
    public static func solveLowerTriangular(_ l: UnsafePointer<Double>, leading: Int, _ b: UnsafeMutablePointer<Double>,
                                            rows: Int, cols: Int) {
        if rows == 0 || cols == 0 { return }
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(rows), Int32(cols), 1,
                    l, Int32(leading), b, Int32(cols))
    }

    /// op(A)·op(B) as a new matrix.
    public static func product(_ a: Matrix, transA: Bool = false, _ b: Matrix, transB: Bool = false) -> Matrix {
        let m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols
        let kb = transB ? b.cols : b.rows, n = transB ? b.rows : b.cols
        precondition(k == kb, "BLAS.product: inner dimensions \(k) and \(kb) differ")
        var c = Matrix(rows: m, cols: n)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    gemm(pa.baseAddress!, transA: transA, pb.baseAddress!, transB: transB, pc.baseAddress!,
                         m: m, n: n, k: k)
                }
            }
        }
        return c
    }

    /// y = A·x for a row-major A.
    public static func multiply(_ a: Matrix, _ x: [Double]) -> [Double] {
        precondition(x.count == a.cols)
        var y = [Double](repeating: 0, count: a.rows)
        if a.rows == 0 || a.cols == 0 { return y }
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(a.rows), Int32(a.cols), 1, a.storage, Int32(a.cols),
                    x, 1, 0, &y, 1)
        return y
    }

    /// ⟨x, y⟩.
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in dot(px.baseAddress!, py.baseAddress!, count: x.count) }
        }
    }

    /// ⟨x, y⟩ over raw buffers of `count` elements.
    public static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        count == 0 ? 0 : cblas_ddot(Int32(count), x, 1, y, 1)
    }

    /// Euclidean norm ‖x‖ (scaled, no overflow).
    public static func norm(_ x: [Double]) -> Double {
        x.isEmpty ? 0 : cblas_dnrm2(Int32(x.count), x, 1)
    }
}
