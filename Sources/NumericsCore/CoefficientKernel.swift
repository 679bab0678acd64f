import CKernels

/// The coefficient engine's per-step arithmetic in C, compiled for three instruction sets and
/// chosen at run time: AVX-512, AVX2 with FMA, or baseline x86-64 (the binary runs on any
/// x86-64). Fused, without a BLAS call per step: at the shapes inside the regime (K from 12 to a
/// few hundred, 2m from 10 to 130) a call's fixed cost was most of a step (docs/theory.md §5
/// gives the formulas; `TransferModel.CoefficientStep` documents each one).
///
/// - forward: f_i = (1/m)[Σ_{k<m} a_{ik} − Σ_{k≥m} a_{ik}], with a_{ik} the ReLU sum of filter k over
///   sample i's patches read off Z, and ℓ′_i = ℓ′(y_i f_i);
/// - descend: C ← C − η ∂C, with ∂c_{k,q} = j_k (G₊ 1[Z_{k,q} > 0] − G₋ 1[Z_{k,q} < 0]) and
///   ∂c_{k,S+i} = j_k g_i 1[Z_{k,S+i} > 0], g_i = ℓ′_i y_i/(nm);
/// - inner: Z ← Z⁽⁰⁾ + C G.
///
/// All matrices row-major, 2m × K (K = S + n) and K × K. Results agree with the reference
/// arithmetic to rounding; the sums are taken in another order (tested at 1e-12 relative).
public struct CoefficientKernel: Sendable {
    /// The instruction set the kernels run with.
    public enum Level: Int32, Sendable, CaseIterable, Comparable, CustomStringConvertible {
        case baseline = 0, avx2 = 1, avx512 = 2
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var description: String { ["baseline x86-64", "AVX2 with FMA", "AVX-512"][Int(rawValue)] }
    }

    /// The widest level this CPU has.
    public static var widest: Level { Level(rawValue: ptv_kernel_level()) ?? .baseline }

    /// The level this kernel runs at: the one asked for, lowered to ``widest``.
    public let level: Level
    public let rows: Int, half: Int, signal: Int, samples: Int
    let gram: [Double], gramStride: Int, initialInner: [Double], labels: [Double], trueLabels: [Double], moving: [UInt8]
    public let eta: Double

    /// `half` = m rows of class +1 first, then m of class −1; `signal` = S; the labels y_i and the
    /// clean labels of the n samples; `moving[k]` false for a frozen row. Without `gram` (a shape
    /// whose product BLAS forms) the kernel has forward and descent only, and keeps no padded copy
    /// of G. `level` is for tests and benchmarks that compare the variants.
    public init(gram: Matrix?, initialInner: Matrix, half: Int, signal: Int, labels: [Double], trueLabels: [Double],
                moving: [Bool], eta: Double, level: Level = .avx512) {
        let n = labels.count, K = signal + n
        precondition(half > 0 && (gram.map { $0.rows == K && $0.cols == K } ?? true) && initialInner.cols == K && initialInner.rows == 2 * half
                     && trueLabels.count == n && moving.count == 2 * half, "coefficient kernel shapes do not match")
        rows = 2 * half
        self.half = half
        self.signal = signal
        samples = n
        // G and Z⁽⁰⁾ with their rows padded by zeros to a multiple of 16 columns (the kernel works
        // in whole tiles).
        let stride = (K + 15) / 16 * 16
        func padded(_ matrix: Matrix) -> [Double] {
            var out = [Double](repeating: 0, count: matrix.rows * stride)
            for r in 0..<matrix.rows { for j in 0..<K { out[r * stride + j] = matrix[r, j] } }
            return out
        }
        gramStride = stride
        self.gram = gram.map(padded) ?? []
        self.initialInner = gram == nil ? [] : padded(initialInner)
        self.labels = labels
        self.trueLabels = trueLabels
        self.moving = moving.map { $0 ? 1 : 0 }
        self.eta = eta
        self.level = min(level, Self.widest)
    }

    /// Scratch the calls need, in doubles.
    public var scratchCount: Int { withProblem { ptv_coefficient_scratch($0) } }

    private func withProblem<R>(_ body: (UnsafePointer<ptv_coefficient_problem>) -> R) -> R {
        gram.withUnsafeBufferPointer { g in
            initialInner.withUnsafeBufferPointer { z0 in
                labels.withUnsafeBufferPointer { y in
                    trueLabels.withUnsafeBufferPointer { clean in
                        moving.withUnsafeBufferPointer { mv in
                            var problem = ptv_coefficient_problem(
                                rows: Int32(rows), half: Int32(half), signal: Int32(signal), samples: Int32(samples),
                                gram: g.baseAddress, gram_stride: Int32(gramStride), initial_inner: z0.baseAddress, labels: y.baseAddress,
                                true_labels: clean.baseAddress, moving: mv.baseAddress, eta: eta)
                            return body(&problem)
                        }
                    }
                }
            }
        }
    }

    private func check(_ z: Matrix, _ outputs: [Double], _ derivatives: [Double], _ scratch: [Double]) {
        precondition(z.rows == rows && z.cols == signal + samples && outputs.count == samples
                     && derivatives.count == samples && scratch.count >= scratchCount, "coefficient kernel buffers do not match")
    }

    /// Outputs f_i and ℓ′_i at inner products `z`.
    public func forward(_ z: Matrix, outputs: inout [Double], derivatives: inout [Double], scratch: inout [Double]) {
        check(z, outputs, derivatives, scratch)
        withProblem { p in
            z.storage.withUnsafeBufferPointer { zp in
                ptv_coefficient_forward(level.rawValue, p, zp.baseAddress, &outputs, &derivatives, &scratch)
            }
        }
    }

    /// C ← C − η ∂C at `z` and the ℓ′ of the forward pass at `z`.
    public func descend(_ c: inout Matrix, at z: Matrix, derivatives: [Double], scratch: inout [Double]) {
        check(z, derivatives, derivatives, scratch)
        precondition(c.rows == z.rows && c.cols == z.cols)
        withProblem { p in
            z.storage.withUnsafeBufferPointer { zp in
                ptv_coefficient_descend(level.rawValue, p, zp.baseAddress, derivatives, &c.storage, &scratch)
            }
        }
    }

    /// `count` whole steps, each: descend at (z, ℓ′), Z ← Z⁽⁰⁾ + C G, forward at the new Z (a
    /// kernel made with G).
    public func advance(_ count: Int, c: inout Matrix, z: inout Matrix, outputs: inout [Double],
                        derivatives: inout [Double], scratch: inout [Double]) {
        check(z, outputs, derivatives, scratch)
        precondition(c.rows == z.rows && c.cols == z.cols && count >= 0 && !gram.isEmpty, "a kernel without G cannot advance")
        withProblem { p in ptv_coefficient_advance(level.rawValue, p, count, &c.storage, &z.storage, &outputs, &derivatives, &scratch) }
    }
}
