import DeepNetworks
import Foundation
import NumericsCore

/// How well a group of units of the last hidden layer separates the downstream classes on its
/// own (docs/theory.md §9b): a ridge-regression probe. Features are standardised with the
/// training set's mean and deviation, a linear map to the one-hot labels is fitted by
/// W = (FᵀF + λI)⁻¹ FᵀY with λ = 10⁻² · n (one hundredth of the standardised features' mean
/// diagonal of FᵀF), and a test image is assigned the class of its largest output.
public enum LinearProbe {
    /// The ridge weight relative to the number of training images.
    package static let ridge = 1e-2

    /// Test accuracy of the probe on the columns `units` of the feature matrices
    /// (row-major, one row per image); nil for no units.
    public static func accuracy(train: [Float], trainLabels: [Int], test: [Float], testLabels: [Int],
                                width: Int, units: [Int], classes: Int) -> Double? {
        guard !units.isEmpty, !trainLabels.isEmpty, !testLabels.isEmpty else { return nil }
        let p = units.count + 1  // the units and a constant
        func columns(_ features: [Float], _ n: Int) -> [Double] {
            var out = [Double](repeating: 1, count: n * p)
            for i in 0..<n { for (j, u) in units.enumerated() { out[i * p + j] = Double(features[i * width + u]) } }
            return out
        }
        let n = trainLabels.count, m = testLabels.count
        var f = columns(train, n), g = columns(test, m)
        for j in 0..<(p - 1) {
            var mean = 0.0, square = 0.0
            for i in 0..<n { mean += f[i * p + j]; square += f[i * p + j] * f[i * p + j] }
            mean /= Double(n)
            let deviation = max((square / Double(n) - mean * mean).squareRoot(), 1e-12)
            for i in 0..<n { f[i * p + j] = (f[i * p + j] - mean) / deviation }
            for i in 0..<m { g[i * p + j] = (g[i * p + j] - mean) / deviation }
        }
        var y = [Double](repeating: 0, count: n * classes)
        for (i, label) in trainLabels.enumerated() { y[i * classes + label] = 1 }
        var gram = [Double](repeating: 0, count: p * p), right = [Double](repeating: 0, count: p * classes)
        BLAS.gemm(f, transA: true, f, &gram, m: p, n: p, k: n)
        BLAS.gemm(f, transA: true, y, &right, m: p, n: classes, k: n)
        for j in 0..<p { gram[j * p + j] += ridge * Double(n) }
        guard let weights = solve(gram, right, size: p, columns: classes) else { return nil }
        var scores = [Double](repeating: 0, count: m * classes)
        BLAS.gemm(g, weights, &scores, m: m, n: classes, k: p)
        var correct = 0
        for i in 0..<m {
            let row = scores[(i * classes)..<((i + 1) * classes)]
            if row.indices.max(by: { row[$0] < row[$1] })! - i * classes == testLabels[i] { correct += 1 }
        }
        return Double(correct) / Double(m)
    }

    /// X with A X = B for symmetric positive definite A (size × size) by Cholesky; nil when A
    /// is not positive definite to rounding.
    static func solve(_ a: [Double], _ b: [Double], size p: Int, columns k: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: p * p)
        for i in 0..<p {
            for j in 0...i {
                var sum = a[i * p + j]
                for q in 0..<j { sum -= l[i * p + q] * l[j * p + q] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * p + i] = sum.squareRoot()
                } else {
                    l[i * p + j] = sum / l[j * p + j]
                }
            }
        }
        var x = b
        for c in 0..<k {
            for i in 0..<p { var s = x[i * k + c]; for q in 0..<i { s -= l[i * p + q] * x[q * k + c] }; x[i * k + c] = s / l[i * p + i] }
            for i in stride(from: p - 1, through: 0, by: -1) { var s = x[i * k + c]; for q in (i + 1)..<p { s -= l[q * p + i] * x[q * k + c] }; x[i * k + c] = s / l[i * p + i] }
        }
        return x
    }
}
