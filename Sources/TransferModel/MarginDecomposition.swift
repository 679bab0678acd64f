import NumericsCore
import Vocabulary

/// The test margin of a trained phase split additively (docs/theory.md §6b): M_t = ŷ_t·f(W, x_t),
/// with f the network of §3, is the sum over filter groups g and patch kinds s of
///
///     M_t^{g,s} = ŷ_t · (1/m) Σ_{k ∈ g} j_k Σ_{q ∈ s} ReLU(⟨w_k, x_t^{(q)}⟩),
///
/// j_k = +1 for the first m rows, −1 for the rest. Groups: `inherited` and `fresh` for a phase that
/// inherited whole filters (Algorithm 1), otherwise `all`. Patch kinds: the signal patch(es) and
/// the noise patch (the last). Margins are taken against the clean label ŷ.
///
/// The measured phase variable is Γ̂ = E[M]² / Var[M] (mean and variance over the test set,
/// variance with divisor n_test), the quantity the Gaussian-margin prediction
/// p + (1 − 2p)·Q(κ√Γ) is built on. Units: the margin is in units of the network's output.
public struct MarginDecomposition: Sendable {
    /// Which patches a part sums over.
    package enum PatchKind: String, Sendable, CaseIterable {
        case signal, noise
    }

    /// Mean and variance (divisor n) of a list of values.
    package struct Moments: Sendable, Equatable {
        public let mean: Double
        public let variance: Double

        public init(_ values: [Double]) {
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            self.mean = mean
            variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        }

        /// mean² / variance (+∞ when the variance is 0 and the mean is not).
        public var gammaHat: Double { mean * mean / variance }
    }

    /// M_t for every test sample.
    public let margins: [Double]
    /// Per filter group and patch kind, M_t^{g,s} for every test sample.
    package let parts: [FilterGroup: [PatchKind: [Double]]]

    /// Decompose from the test pre-activations `z` (row t·P + q, column k: ⟨w_k, x_t^{(q)}⟩), with
    /// `inherited[k]` marking inherited filter rows (nil: one group, `all`).
    public init(preactivations z: Matrix, patchCount P: Int, m: Int, trueLabels: [Double], inherited: [Bool]?) {
        let n = trueLabels.count, twoM = 2 * m, kinds = PatchKind.allCases.count
        let groups: [FilterGroup] = inherited == nil ? [.all] : [.inherited, .fresh]
        precondition(z.rows == n * P && z.cols == twoM, "pre-activations do not match the test set")
        // sums[(g·kinds + s)·n + t], accumulated over filters and patches in that order. Branch-free:
        // filter k adds weight[g][k]·ReLU(z) to group g, with weight j_k in its own group and 0 in the
        // other (adding 0 leaves a sum unchanged, so the sums are those of a loop over active filters).
        let weights = groups.indices.map { g in
            (0..<twoM).map { k in (inherited.map { $0[k] ? 0 : 1 } ?? 0) == g ? (k < m ? 1.0 : -1.0) : 0 }
        }
        // Four samples at a time, one per SIMD lane; each lane sums in the one-sample order.
        var sums = [Double](repeating: 0, count: groups.count * kinds * n)
        let flatWeights = weights.flatMap { $0 }
        z.storage.withUnsafeBufferPointer { zp in
            sums.withUnsafeMutableBufferPointer { sp in
                flatWeights.withUnsafeBufferPointer { w in
                    let sampleStride = P * twoM
                    var t = 0
                    while t + 4 <= n {
                        for q in 0..<P {
                            let kind = q == P - 1 ? 1 : 0, row = zp.baseAddress! + (t * P + q) * twoM
                            for g in groups.indices {
                                let target = sp.baseAddress! + (g * kinds + kind) * n + t, weight = w.baseAddress! + g * twoM
                                var sum = SIMD4(target[0], target[1], target[2], target[3])
                                for k in 0..<twoM {
                                    let a = SIMD4(row[k], row[sampleStride + k], row[2 * sampleStride + k], row[3 * sampleStride + k])
                                    sum += weight[k] * a.replacing(with: 0, where: a .<= 0)  // max(a, 0), NaN kept
                                }
                                for l in 0..<4 { target[l] = sum[l] }
                            }
                        }
                        t += 4
                    }
                    while t < n {
                        for q in 0..<P {
                            let kind = q == P - 1 ? 1 : 0, row = zp.baseAddress! + (t * P + q) * twoM
                            for g in groups.indices {
                                let weight = w.baseAddress! + g * twoM
                                var sum = sp[(g * kinds + kind) * n + t]
                                for k in 0..<twoM { sum += weight[k] * max(row[k], 0) }
                                sp[(g * kinds + kind) * n + t] = sum
                            }
                        }
                        t += 1
                    }
                }
            }
        }
        var parts: [FilterGroup: [PatchKind: [Double]]] = [:]
        var margins = [Double](repeating: 0, count: n)
        for (g, name) in groups.enumerated() {
            var byKind: [PatchKind: [Double]] = [:]
            for (s, kind) in PatchKind.allCases.enumerated() {
                let part = (0..<n).map { trueLabels[$0] * sums[(g * kinds + s) * n + $0] / Double(m) }
                for t in 0..<n { margins[t] += part[t] }
                byKind[kind] = part
            }
            parts[name] = byKind
        }
        self.margins = margins
        self.parts = parts
    }

    /// The training set's pre-activations rebuilt from a recorded snapshot (docs/theory.md §5):
    /// a signal patch ŷ_i s_q gives ŷ_i⟨w_k, s_q⟩ from the recorded ⟨w_k, u⟩ and ⟨w_k, v_k⟩ (s = u + v_k in
    /// the combined layout, u and v_k in the separate one), the noise patch the recorded ⟨w_k, ξ_i⟩.
    /// Rows i·P + q, columns k, as ``init(preactivations:patchCount:m:trueLabels:inherited:)`` reads them.
    package static func trainingPreactivations(_ snapshot: CoefficientSnapshot, task: TaskDistribution, trueLabels: [Double]) -> Matrix {
        let twoM = snapshot.innerU.count, n = trueLabels.count
        let innerV = task.task == 1 ? snapshot.innerV1 : snapshot.innerV2
        let signal: [[Double]] = task.layout == .combined ? [zip(snapshot.innerU, innerV).map { $0 + $1 }] : [snapshot.innerU, innerV]
        let P = signal.count + 1
        var z = Matrix(rows: n * P, cols: twoM)
        for i in 0..<n {
            for (q, inner) in signal.enumerated() { for k in 0..<twoM { z[i * P + q, k] = trueLabels[i] * inner[k] } }
            for k in 0..<twoM { z[i * P + P - 1, k] = snapshot.innerNoise[k, i] }
        }
        return z
    }

    /// The training-set metrics from the last recorded step: `train_margin_mean`,
    /// `train_margin_var`, `train_Gamma_hat` (margins against ŷ, no split by group).
    public var trainingMetrics: [String: Double] {
        let total = moments
        return ["train_margin_mean": total.mean, "train_margin_var": total.variance, "train_Gamma_hat": total.gammaHat]
    }

    /// Moments of the whole margin.
    package var moments: Moments { Moments(margins) }

    /// The metrics of `metrics.json` and the sweep store: `margin_mean`, `margin_var`, `Gamma_hat`,
    /// and per part `margin_<group>_<kind>_mean` and `_var`.
    public var metrics: [String: Double] {
        let total = moments
        var values = ["margin_mean": total.mean, "margin_var": total.variance, "Gamma_hat": total.gammaHat]
        for (group, byKind) in parts {
            for (kind, part) in byKind {
                let m = Moments(part)
                values["margin_\(group.rawValue)_\(kind.rawValue)_mean"] = m.mean
                values["margin_\(group.rawValue)_\(kind.rawValue)_var"] = m.variance
            }
        }
        return values
    }

    /// Every part metric name that can occur, in a fixed order (the sweep store's columns).
    public static let partMetricNames: [String] = [FilterGroup.all, .inherited, .fresh].flatMap { group in
        PatchKind.allCases.flatMap { kind in ["mean", "var"].map { "margin_\(group.rawValue)_\(kind.rawValue)_\($0)" } }
    }
}
