import Foundation
import Testing
@testable import NumericsCore

/// The fused C kernels against the formulas written out plainly here (loops in the textbook
/// order, the loss derivative as −1/(1 + e^z)), at every instruction level this CPU has.
/// Tolerance 1e-12 relative (1e-10 after 200 steps): the kernels sum in another order, so each
/// result differs from the reference by a few rounding errors of 1.1e-16 times the number of
/// terms (at most K = 41 here), compounded over the steps.
struct CoefficientKernelTests {
    struct Problem {
        let m = 3, S = 2, n = 11
        var K: Int { S + n }
        var rows: Int { 2 * m }
        let gram: Matrix, z0: Matrix, labels: [Double], trueLabels: [Double], moving: [Bool]
        let eta = 0.37

        init(seed: UInt64) {
            var rng = SeededGenerator(seed: seed)
            let (S, n, m) = (2, 11, 3), K = S + n
            let basis = Matrix(rows: K, cols: 20, storage: (0..<(K * 20)).map { _ in Double.random(in: -1...1, using: &rng) })
            gram = BLAS.product(basis, basis, transB: true)
            z0 = Matrix(rows: 2 * m, cols: K, storage: (0..<(2 * m * K)).map { _ in Double.random(in: -2...2, using: &rng) })
            trueLabels = (0..<n).map { _ in Bool.random(using: &rng) ? 1 : -1 }
            labels = trueLabels.enumerated().map { $0.offset == 4 ? -$0.element : $0.element }  // one flipped label
            moving = (0..<(2 * m)).map { $0 != 1 }  // row 1 frozen
        }

        func kernel(_ level: CoefficientKernel.Level) -> CoefficientKernel {
            CoefficientKernel(gram: gram, initialInner: z0, half: m, signal: S, labels: labels, trueLabels: trueLabels,
                              moving: moving, eta: eta, level: level)
        }

        /// f_i and ℓ′_i, straight from the definition.
        func forward(_ z: Matrix) -> (outputs: [Double], derivatives: [Double]) {
            var outputs = [Double](), derivatives = [Double]()
            for i in 0..<n {
                var f = 0.0
                for k in 0..<rows {
                    var activation = 0.0
                    for q in 0..<S { activation += max(trueLabels[i] * z[k, q], 0) }
                    activation += max(z[k, S + i], 0)
                    f += (k < m ? 1 : -1) * activation
                }
                f /= Double(m)
                outputs.append(f)
                derivatives.append(-1 / (1 + exp(labels[i] * f)))
            }
            return (outputs, derivatives)
        }

        /// One descent step from the gradient's definition.
        func descend(_ c: Matrix, at z: Matrix, derivatives: [Double]) -> Matrix {
            var c = c
            for k in 0..<rows where moving[k] {
                let j: Double = k < m ? 1 : -1
                for q in 0..<S {
                    var gradient = 0.0
                    for i in 0..<n where trueLabels[i] * z[k, q] > 0 {
                        gradient += derivatives[i] * labels[i] / Double(n * m) * j * trueLabels[i]
                    }
                    c[k, q] -= eta * gradient
                }
                for i in 0..<n where z[k, S + i] > 0 { c[k, S + i] -= eta * derivatives[i] * labels[i] / Double(n * m) * j }
            }
            return c
        }

        func inner(_ c: Matrix) -> Matrix {
            var z = z0
            for k in 0..<rows { for j in 0..<K { for b in 0..<K { z[k, j] += c[k, b] * gram[b, j] } } }
            return z
        }
    }

    static func relativeGap(_ a: [Double], _ b: [Double]) -> Double {
        let scale = max(b.map(abs).max() ?? 0, 1e-300)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    @Test(arguments: CoefficientKernel.Level.allCases)
    func everyLevelAgreesWithTheDefinitions(level: CoefficientKernel.Level) throws {
        let problem = Problem(seed: 7), kernel = problem.kernel(level), used = kernel.level
        try #require(used == level || used == CoefficientKernel.widest)
        var scratch = [Double](repeating: 0, count: kernel.scratchCount)
        var outputs = [Double](repeating: 0, count: problem.n), derivatives = outputs

        // One of each part, from Z⁽⁰⁾ and a non-zero C.
        kernel.forward(problem.z0, outputs: &outputs, derivatives: &derivatives, scratch: &scratch)
        let expected = problem.forward(problem.z0)
        #expect(Self.relativeGap(outputs, expected.outputs) < 1e-12 && Self.relativeGap(derivatives, expected.derivatives) < 1e-12)
        var c = Matrix(rows: problem.rows, cols: problem.K)
        kernel.descend(&c, at: problem.z0, derivatives: derivatives, scratch: &scratch)
        let expectedC = problem.descend(Matrix(rows: problem.rows, cols: problem.K), at: problem.z0, derivatives: expected.derivatives)
        #expect(Self.relativeGap(c.storage, expectedC.storage) < 1e-12)
        #expect(c.row(1).allSatisfy { $0 == 0 }, "a frozen row moved")

        // One whole step (descent, product, forward) from Z⁽⁰⁾.
        var z = problem.z0
        c = Matrix(rows: problem.rows, cols: problem.K)
        kernel.advance(1, c: &c, z: &z, outputs: &outputs, derivatives: &derivatives, scratch: &scratch)
        #expect(Self.relativeGap(z.storage, problem.inner(expectedC).storage) < 1e-12)
        #expect(Self.relativeGap(outputs, problem.forward(problem.inner(expectedC)).outputs) < 1e-12)

        // 200 whole steps in one call against 200 steps of the definitions.
        var referenceC = Matrix(rows: problem.rows, cols: problem.K), referenceZ = problem.z0
        var reference = problem.forward(referenceZ)
        for _ in 0..<200 {
            referenceC = problem.descend(referenceC, at: referenceZ, derivatives: reference.derivatives)
            referenceZ = problem.inner(referenceC)
            reference = problem.forward(referenceZ)
        }
        c = Matrix(rows: problem.rows, cols: problem.K)
        z = problem.z0
        kernel.forward(z, outputs: &outputs, derivatives: &derivatives, scratch: &scratch)
        kernel.advance(200, c: &c, z: &z, outputs: &outputs, derivatives: &derivatives, scratch: &scratch)
        #expect(Self.relativeGap(c.storage, referenceC.storage) < 1e-10, "C after 200 steps at \(used)")
        #expect(Self.relativeGap(z.storage, referenceZ.storage) < 1e-10)
        #expect(Self.relativeGap(outputs, reference.outputs) < 1e-10)
        // The steps moved the coordinates (the comparison above is not between zeros).
        #expect(referenceC.storage.map(abs).max()! > 1e-3)
    }

    @Test func theLevelIsTheWidestTheCPUHasUnlessLowered() {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)).map { BLASKernels.cpuFlags(cpuinfo: $0) } ?? []
        let widest: CoefficientKernel.Level = ["avx512f", "avx512vl", "avx512dq", "avx512bw"].allSatisfy(flags.contains) ? .avx512
            : ["avx2", "fma"].allSatisfy(flags.contains) ? .avx2 : .baseline
        #expect(CoefficientKernel.widest == widest)
        let problem = Problem(seed: 1)
        #expect(problem.kernel(.avx512).level == widest && problem.kernel(.baseline).level == .baseline)
    }
}
