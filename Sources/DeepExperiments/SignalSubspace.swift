import DeepNetworks
import Foundation

/// The deep analogue of the theory's signal directions (docs/theory.md §9b): the span S of the
/// downstream task's class-conditional mean patches. For the input layer of kernel k and stride
/// s, the mean patch of class c is the average, over the task's training images of class c (true
/// labels) and over every position of the stride grid where the window fits, of the C·k·k
/// window; S is their span in ℝ^{C·k·k}, kept as an orthonormal basis.
///
/// A filter w splits into its signal energy ‖P_S w‖² and its noise energy ‖w − P_S w‖²
/// (units: squared weight). A filter drawn isotropically has expected signal fraction dim S / D,
/// the reference the report draws.
public struct SignalSubspace: Sendable {
    /// D = C·k·k.
    public let dimension: Int
    /// Orthonormal rows spanning S (dim S = basis.count ≤ classes).
    public let basis: [[Double]]

    /// Gram–Schmidt drops a mean patch whose residual falls below this fraction of the largest
    /// patch norm (collinear with the others to double precision's reach).
    static let dropTolerance = 1e-8

    /// With `contrasts`, the span of the class means' differences instead: each class's mean
    /// patch minus the task's mean patch (weighted by class sizes), so that the direction every
    /// class shares — the smooth average patch any trained stem picks up — is left out
    /// (dim ≤ classes − 1; docs/theory.md §9b).
    public init(task: ImageDataset, kernel: Int, stride: Int, contrasts: Bool = false) {
        let (c, h, w) = (task.images.shape[1], task.images.shape[2], task.images.shape[3])
        let size = c * h * w
        var means = [[Double]](repeating: [Double](repeating: 0, count: size), count: task.classCount)
        var counts = [Int](repeating: 0, count: task.classCount)
        for (i, label) in task.trueLabels.enumerated() {
            counts[label] += 1
            let image = task.images.storage[(i * size)..<((i + 1) * size)]
            for (e, v) in image.enumerated() { means[label][e] += Double(v) }
        }
        let rows = stride > 0 ? (h - kernel) / stride + 1 : 0, columns = stride > 0 ? (w - kernel) / stride + 1 : 0
        var patches: [[Double]] = []
        for (label, mean) in means.enumerated() where counts[label] > 0 {
            var patch = [Double](repeating: 0, count: c * kernel * kernel)
            for ch in 0..<c { for y in 0..<rows { for x in 0..<columns { for dy in 0..<kernel { for dx in 0..<kernel {
                patch[(ch * kernel + dy) * kernel + dx] += mean[(ch * h + y * stride + dy) * w + x * stride + dx]
            } } } } }
            let scale = 1 / Double(counts[label] * max(1, rows * columns))
            patches.append(patch.map { $0 * scale })
        }
        dimension = c * kernel * kernel
        if contrasts {
            let weights = counts.filter { $0 > 0 }.map(Double.init), total = weights.reduce(0, +)
            let grand = (0..<dimension).map { e in zip(patches, weights).reduce(0) { $0 + $1.0[e] * $1.1 } / total }
            patches = patches.map { zip($0, grand).map { $0 - $1 } }
        }
        basis = Self.orthonormal(patches)
    }

    /// An orthonormal basis of the span of `vectors` (modified Gram–Schmidt, twice per vector).
    static func orthonormal(_ vectors: [[Double]]) -> [[Double]] {
        let largest = vectors.map { Self.norm($0) }.max() ?? 0
        var basis: [[Double]] = []
        for vector in vectors {
            var v = vector
            for _ in 0..<2 { for b in basis { let p = dot(v, b); for e in v.indices { v[e] -= p * b[e] } } }
            let n = norm(v)
            if n > dropTolerance * largest, n > 0 { basis.append(v.map { $0 / n }) }
        }
        return basis
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    /// (signal energy ‖P_S w‖², noise energy ‖w − P_S w‖²) of one filter.
    public func energies(_ filter: some Collection<Float>) -> (signal: Double, noise: Double) {
        let w = filter.map(Double.init)
        let total = Self.dot(w, w)
        let signal = basis.reduce(0) { let p = Self.dot(w, $1); return $0 + p * p }
        return (signal, max(total - signal, 0))
    }

    /// The inherited rows `inherited` of a weight [C_out, C·k·k…] and the fresh rest, each
    /// group's energies averaged (a group without rows is absent).
    package func groupEnergies(of weight: Tensor<Float>, inherited rows: [Int]) -> [ChannelGroup: FilterEnergy] {
        let kept = Set(rows)
        var result: [ChannelGroup: FilterEnergy] = [:]
        result[.inherited] = meanEnergies(of: weight, rows: rows)
        result[.fresh] = meanEnergies(of: weight, rows: (0..<weight.shape[0]).filter { !kept.contains($0) })
        return result
    }

    /// The energies of the rows `rows` of a weight [C_out, C·k·k…], averaged: nil for no rows.
    package func meanEnergies(of weight: Tensor<Float>, rows: [Int]) -> FilterEnergy? {
        guard !rows.isEmpty else { return nil }
        let size = weight.count / weight.shape[0]
        precondition(size == dimension, "a filter of \(size) values against a patch space of \(dimension)")
        var signal = 0.0, noise = 0.0, fraction = 0.0
        for r in rows {
            let (s, n) = energies(weight.storage[(r * size)..<((r + 1) * size)])
            signal += s
            noise += n
            fraction += s + n > 0 ? s / (s + n) : 0
        }
        let k = Double(rows.count)
        return FilterEnergy(channels: rows.count, signal: signal / k, noise: noise / k, signalFraction: fraction / k)
    }
}

/// A group of filters' mean signal and noise energies (docs/theory.md §9b).
public struct FilterEnergy: Sendable, Codable, Equatable {
    public var channels: Int
    /// Mean ‖P_S w‖² over the group.
    public var signal: Double
    /// Mean ‖w − P_S w‖².
    public var noise: Double
    /// Mean of ‖P_S w‖²/‖w‖² (dim S / D for isotropic filters).
    package var signalFraction: Double
}
