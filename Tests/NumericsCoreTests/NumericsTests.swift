import Foundation
@testable import NumericsCore
@testable import Platform
import Testing

struct SeededGeneratorTests {
    @Test func sameSeedAndStreamRepeatDifferentOnesDiffer() {
        var a = SeededGenerator(seed: 7, stream: "x"), b = SeededGenerator(seed: 7, stream: "x")
        var c = SeededGenerator(seed: 7, stream: "y"), e = SeededGenerator(seed: 8, stream: "x")
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
        #expect(sa != (0..<100).map { _ in e.next() })
    }

    @Test func gaussianMomentsWithinSamplingError() {
        // n = 200 000 draws: the mean has s.d. 1/√n ≈ 0.0022 and the variance s.d. √(2/n) ≈ 0.0032;
        // bounds of 5 s.d. fail with probability < 1e-6 (and the seed is fixed).
        var rng = SeededGenerator(seed: 1)
        let n = 200_000
        let x = rng.gaussians(count: n)
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        #expect(abs(mean) < 5 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / Double(n)).squareRoot())
    }

    /// The ziggurat against N(0, 1): Kolmogorov–Smirnov distance over n = 400 000 draws below
    /// 1.95/√n (level 0.1 %), the fraction beyond the base layer's edge R = 3.4426 (the tail
    /// sampler) within 5 s.d. of 2Q(R), and the fraction beyond 1 (the wedges) likewise.
    @Test func zigguratMatchesTheNormalLaw() throws {
        var rng = SeededGenerator(seed: 21, stream: "ziggurat")
        let n = 400_000
        let x = rng.gaussians(count: n).sorted()
        var ks = 0.0
        for i in stride(from: 0, to: n, by: 7) {  // every 7th order statistic: enough resolution
            let cdf = try GSL.normalCDF(x[i]).value
            ks = max(ks, abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n)))
        }
        #expect(ks <= 1.95 / Double(n).squareRoot(), "KS distance \(ks)")
        for edge in [3.442619855899, 1.0] {
            let p = 2 * (try GSL.normalTail(edge).value)
            let count = Double(x.filter { abs($0) > edge }.count)
            #expect(abs(count - Double(n) * p) <= 5 * (Double(n) * p * (1 - p)).squareRoot(), "beyond \(edge): \(count)")
        }
        // The table: x₁ = R, decreasing to x₁₂₈ = 0, equal-area layers.
        let table = Ziggurat()
        #expect(table.x[1] == 3.442619855899 && table.x[128] == 0)
        #expect(zip(table.x.dropFirst(), table.x.dropFirst(2)).allSatisfy { $0 > $1 })
        #expect(table.x[127] > 0 && table.x[127] < 0.3)
    }

    /// The bulk fill reads the ziggurat tables through pointers; it must give exactly the draws
    /// of single `gaussian()` calls (scaled), wedge and tail included (10⁵ draws reach both).
    @Test func bulkFillGivesTheSingleDraws() {
        var bulk = SeededGenerator(seed: 11, stream: "fill"), single = bulk
        let filled = bulk.gaussians(count: 100_000, standardDeviation: 2.5)
        let one = (0..<100_000).map { _ in 2.5 * single.gaussian() }
        #expect(filled == one)
        #expect(filled.contains { abs($0) > 2.5 * 3.442619855899 }, "no tail draw (|x| > R) among 10⁵")
        #expect(bulk.next() == single.next())
    }

    @Test func chooseGivesDistinctSortedIndices() {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<50 {
            let pick = rng.choose(7, from: 20)
            #expect(pick.count == 7 && Set(pick).count == 7 && pick == pick.sorted() && pick.allSatisfy { (0..<20).contains($0) })
        }
    }
}

struct BLASAndStorageTests {
    @Test func gemmMatchesLoops() {
        var rng = SeededGenerator(seed: 5)
        let a = Matrix(rows: 7, cols: 5, storage: rng.gaussians(count: 35))
        let b = Matrix(rows: 4, cols: 5, storage: rng.gaussians(count: 20))
        let c = BLAS.product(a, b, transB: true)
        for i in 0..<7 { for j in 0..<4 {
            let loop = (0..<5).reduce(0.0) { $0 + a[i, $1] * b[j, $1] }
            #expect(abs(c[i, j] - loop) < 1e-13)
        } }
        let ct = BLAS.product(a, transA: true, a)
        #expect(abs(ct[2, 3] - (0..<7).reduce(0.0) { $0 + a[$1, 2] * a[$1, 3] }) < 1e-13)
    }

    @Test func npyRoundTripAndHeaderAlignment() throws {
        let values = [1.5, -2, .pi, 1e-300, 0, 7]
        let data = NPYFile.encode(values, shape: [2, 3])
        #expect((data.count - 6 * 8) % 64 == 0)  // data starts on a 64-byte boundary
        let decoded = try NPYFile.decode(data)
        #expect(decoded.values == values && decoded.shape == [2, 3])
        #expect(throws: NPYFile.FormatError.self) { try NPYFile.decode(Data([1, 2, 3])) }
    }
}
