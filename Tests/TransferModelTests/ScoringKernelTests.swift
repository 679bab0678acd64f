@testable import NumericsCore
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The scoring kernels that take four test samples at a time (one SIMD lane each) against the
/// definitions summed one sample at a time in the same order: equal bit for bit, including the
/// samples left over after the last block of four, a NaN pre-activation (kept, as `max(NaN, 0)`
/// keeps it) and signed zeros.
struct ScoringKernelTests {
    /// n = 11 samples (two blocks and three left over), P = 3 patches, m = 5.
    static let n = 11, P = 3, m = 5

    static func preactivations() -> Matrix {
        var rng = SeededGenerator(seed: 7)
        var z = Matrix(rows: n * P, cols: 2 * m, storage: rng.gaussians(count: n * P * 2 * m))
        z[4, 3] = .nan        // sample 1 (inside the first block)
        z[10 * P + 2, 7] = .nan  // sample 10 (left over)
        z[5 * P, 0] = -0.0
        z[5 * P + 1, 6] = 0
        return z
    }

    @Test func outputsEqualTheOneSampleSums() {
        let z = Self.preactivations(), m = Self.m
        let outputs = FilterBank(m: m, weights: Matrix(rows: 2 * m, cols: 1)).outputs(fromPreactivations: z, patchCount: Self.P)
        #expect(outputs.count == Self.n)
        for i in 0..<Self.n {
            var plus = 0.0, minus = 0.0
            for q in 0..<Self.P {
                for r in 0..<m {
                    plus += max(z[i * Self.P + q, r], 0)
                    minus += max(z[i * Self.P + q, m + r], 0)
                }
            }
            let expected = (plus - minus) / Double(m)
            if i == 1 || i == 10 {
                #expect(outputs[i].isNaN)
            } else {
                #expect(outputs[i].bitPattern == expected.bitPattern, "sample \(i)")
            }
        }
    }

    @Test(arguments: [false, true])
    func marginPartsEqualTheOneSampleSums(split: Bool) {
        let z = Self.preactivations(), m = Self.m, n = Self.n, P = Self.P
        var rng = SeededGenerator(seed: 3)
        let trueLabels = (0..<n).map { _ in rng.rademacher() }
        let inherited: [Bool]? = split ? (0..<(2 * m)).map { $0 % 3 == 0 } : nil
        let decomposition = MarginDecomposition(preactivations: z, patchCount: P, m: m, trueLabels: trueLabels, inherited: inherited)
        let groups: [(FilterGroup, (Int) -> Bool)] = split
            ? [(.inherited, { inherited![$0] }), (.fresh, { !inherited![$0] })] : [(.all, { _ in true })]
        for t in 0..<n {
            var margin = 0.0
            for (group, member) in groups {
                for kind in MarginDecomposition.PatchKind.allCases {
                    var sum = 0.0
                    for q in 0..<P where (q == P - 1) == (kind == .noise) {
                        for k in 0..<(2 * m) {
                            // A filter of another group adds 0·ReLU, as the kernel's weights do.
                            let weight = member(k) ? (k < m ? 1.0 : -1.0) : 0
                            sum += weight * max(z[t * P + q, k], 0)
                        }
                    }
                    let expected = trueLabels[t] * sum / Double(m)
                    let part = decomposition.parts[group]![kind]![t]
                    if expected.isNaN { #expect(part.isNaN) } else { #expect(part.bitPattern == expected.bitPattern, "t \(t) \(group) \(kind)") }
                    margin += expected
                }
            }
            let measured = decomposition.margins[t]
            if margin.isNaN { #expect(measured.isNaN) } else { #expect(measured.bitPattern == margin.bitPattern, "t \(t)") }
        }
    }
}
