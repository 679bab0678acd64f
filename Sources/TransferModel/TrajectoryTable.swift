import Vocabulary
import NumericsCore

/// Per-step summaries of a phase's recording, one row per snapshot (the trajectory CSV).
///
/// Columns: `t`, `train_loss`, `train_error`, `decomposition_rel_error`, then for each filter
/// group (`all`; in the transfer phase also `inherited` and `fresh`) and each signal patch s
/// (`mu`, or `u` and `v`): `<g>_gamma_<s>_max`, `<g>_gamma_<s>_mean`; and `<g>_rho_bar_max`,
/// `<g>_rho_under_min`, `<g>_w_xi_absmax` (max |⟨w,ξ_i⟩|), and the class-signed inner products
/// j⟨w_{j,r}, a⟩ for a ∈ {u, v1, v2}: `<g>_w_<a>_max`, `<g>_w_<a>_mean`. An empty group's
/// cells are left empty.
public struct TrajectoryTable {
    public let header: [String]
    public let rows: [[Double?]]

    public init(_ outcome: PhaseOutcome) {
        let m = outcome.run.initial.m
        let groups = FilterGroup.rows(m: m, inheritance: outcome.inheritance).map { ($0.group.rawValue, $0.rows) }
        let signalNames = outcome.distribution.layout.signalNames
        var header = ["t", "train_loss", "train_error", "decomposition_rel_error"]
        for (g, _) in groups {
            for s in signalNames { header += ["\(g)_gamma_\(s)_max", "\(g)_gamma_\(s)_mean"] }
            header += ["\(g)_rho_bar_max", "\(g)_rho_under_min", "\(g)_w_xi_absmax"]
            for a in ["u", "v1", "v2"] { header += ["\(g)_w_\(a)_max", "\(g)_w_\(a)_mean"] }
        }
        self.header = header
        rows = outcome.run.snapshots.map { snap in
            var row: [Double?] = [Double(snap.step), snap.trainLoss, snap.trainError, snap.decompositionRelativeError]
            for (_, members) in groups {
                func stats(_ values: (Int) -> Double) -> [Double?] {
                    guard !members.isEmpty else { return [nil, nil] }
                    let v = members.map(values)
                    return [v.max()!, v.reduce(0, +) / Double(v.count)]
                }
                /// The largest of `value` over the members' rows of `matrix`, read in place.
                func largest(_ matrix: Matrix, _ value: (Double) -> Double) -> Double? {
                    guard !members.isEmpty && matrix.cols > 0 else { return nil }
                    return matrix.storage.withUnsafeBufferPointer { p in
                        var best = -Double.infinity
                        for k in members { for i in 0..<matrix.cols { best = max(best, value(p[k * matrix.cols + i])) } }
                        return best
                    }
                }
                for s in snap.gamma.indices { row += stats { snap.gamma[s][$0] } }
                row.append(largest(snap.rhoBar) { $0 })
                row.append(largest(snap.rhoUnder) { -$0 }.map { -$0 })
                row.append(largest(snap.innerNoise) { abs($0) })
                for inner in [snap.innerU, snap.innerV1, snap.innerV2] {
                    row += stats { (($0 < m) ? 1 : -1) * inner[$0] }
                }
            }
            return row
        }
    }

    public var csv: String {
        var text = header.joined(separator: ",") + "\n"
        for row in rows {
            text += row.map { $0?.description ?? "" }.joined(separator: ",") + "\n"
        }
        return text
    }
}
