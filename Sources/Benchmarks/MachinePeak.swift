import Foundation
import NumericsCore

/// The machine's measured matrix-product rate: OpenBLAS dgemm and sgemm on n × n operands, the
/// best of a few products, in GFLOP/s (2n³ floating-point operations a product). The ceiling the
/// engines' effective rates are compared with (`ptv bench`).
package enum MachinePeak {
    /// GFLOP/s of `C ← A·B` at `threads` OpenBLAS threads (restored to one afterwards).
    package static func gflops(single: Bool, threads: Int, n: Int = 1024, products: Int = 4) -> Double {
        BLAS.useThreads(threads)
        defer { BLAS.useSingleThread() }
        var rng = SeededGenerator(seed: 0, stream: "machine-peak")
        let a = rng.gaussians(count: n * n), b = rng.gaussians(count: n * n)
        var best = Double.infinity
        let clock = ContinuousClock()
        if single {
            let (af, bf) = (a.map(Float.init), b.map(Float.init))
            var c = [Float](repeating: 0, count: n * n)
            for _ in 0...products {   // the first product warms up
                let start = clock.now
                c.withUnsafeMutableBufferPointer { cp in BLAS.gemm(af, bf, cp.baseAddress!, m: n, n: n, k: n) }
                best = min(best, start.duration(to: clock.now).inSeconds)
            }
        } else {
            var c = [Double](repeating: 0, count: n * n)
            for _ in 0...products {
                let start = clock.now
                c.withUnsafeMutableBufferPointer { cp in BLAS.gemm(a, b, cp.baseAddress!, m: n, n: n, k: n) }
                best = min(best, start.duration(to: clock.now).inSeconds)
            }
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }
}
