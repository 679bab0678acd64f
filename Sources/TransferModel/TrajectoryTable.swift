import NumericsCore
import Vocabulary

/// Per-step summaries of a phase's recording, one row per snapshot (the trajectory CSV).
///
/// Columns: `t`, `train_loss`, `train_error`, `decomposition_rel_error`, then for each filter
/// group (`all`; in the transfer phase also `inherited` and `fresh`) and each signal patch s
/// (`mu`, or `u` and `v`): `<g>_gamma_<s>_max`, `<g>_gamma_<s>_mean`; and `<g>_rho_bar_max`,
/// `<g>_rho_under_min`, `<g>_w_xi_absmax` (max |⟨w,ξ_i⟩|), and the class-signed inner products
/// j⟨w_{j,r}, a⟩ for a ∈ {u, v1, v2}: `<g>_w_<a>_max`, `<g>_w_<a>_mean`. An empty group's
/// cells are left empty.
///
/// Every sweep run writes three of these, so the cells are filled into one flat buffer and the
/// CSV is written in one pass (measured: the per-row arrays and joins were a tenth of a small
/// sweep's time).
public struct TrajectoryTable {
    public let header: [String]
    /// The cells row by row, `header.count` per row (nil: an empty group's cell).
    private let cells: [Double?]

    public init(_ outcome: PhaseOutcome) {
        let m = outcome.run.initial.m
        let groups = FilterGroup.rows(m: m, inheritance: outcome.inheritance)
        let signalNames = outcome.distribution.layout.signalNames
        var header = ["t", "train_loss", "train_error", "decomposition_rel_error"]
        for (group, _) in groups {
            let g = group.rawValue
            for s in signalNames { header += ["\(g)_gamma_\(s)_max", "\(g)_gamma_\(s)_mean"] }
            header += ["\(g)_rho_bar_max", "\(g)_rho_under_min", "\(g)_w_xi_absmax"]
            for a in ["u", "v1", "v2"] { header += ["\(g)_w_\(a)_max", "\(g)_w_\(a)_mean"] }
        }
        self.header = header
        var cells: [Double?] = []
        cells.reserveCapacity(header.count * outcome.run.snapshots.count)
        for snap in outcome.run.snapshots {
            cells.append(Double(snap.step)); cells.append(snap.trainLoss)
            cells.append(snap.trainError); cells.append(snap.decompositionRelativeError)
            for (_, members) in groups {
                /// Largest and mean of `value` over the members (nil, nil for an empty group).
                func stats(_ value: (Int) -> Double) {
                    guard let first = members.first else { cells.append(nil); cells.append(nil); return }
                    var largest = value(first), sum = 0.0
                    for k in members {
                        let v = value(k)
                        if v > largest { largest = v }  // as Array.max(): the first of equal values
                        sum += v
                    }
                    cells.append(largest); cells.append(sum / Double(members.count))
                }
                for s in snap.gamma.indices { snap.gamma[s].withUnsafeBufferPointer { g in stats { g[$0] } } }
                // max ρ̄, min ρ̲ and max |⟨w, ξ_i⟩| over the members' rows, in one pass.
                let n = snap.rhoBar.cols
                if members.isEmpty || n == 0 {
                    cells.append(nil); cells.append(nil); cells.append(nil)
                } else {
                    var barMax = -Double.infinity, underMin = Double.infinity, noiseMax = -Double.infinity
                    snap.rhoBar.storage.withUnsafeBufferPointer { bar in
                        snap.rhoUnder.storage.withUnsafeBufferPointer { under in
                            snap.innerNoise.storage.withUnsafeBufferPointer { noise in
                                for k in members {
                                    for i in (k * n)..<((k + 1) * n) {
                                        barMax = max(barMax, bar[i])
                                        underMin = -max(-underMin, -under[i])
                                        noiseMax = max(noiseMax, abs(noise[i]))
                                    }
                                }
                            }
                        }
                    }
                    cells.append(barMax); cells.append(underMin); cells.append(noiseMax)
                }
                for inner in [snap.innerU, snap.innerV1, snap.innerV2] {
                    inner.withUnsafeBufferPointer { p in stats { (($0 < m) ? 1 : -1) * p[$0] } }
                }
            }
        }
        self.cells = cells
    }

    /// The rows, one per snapshot.
    public var rows: [[Double?]] {
        stride(from: 0, to: cells.count, by: header.count).map { Array(cells[$0..<($0 + header.count)]) }
    }

    public var csv: String {
        var text = header.joined(separator: ",")
        text.reserveCapacity(text.utf8.count + 20 * cells.count)
        for (e, cell) in cells.enumerated() {
            text.append(e % header.count == 0 ? "\n" : ",")
            // `write(to:)` appends the digits of `description` without a String per number
            // (measured 1.5× faster); only NaN differs (it writes the payload), so it is spelt out.
            if let cell { if cell.isNaN { text.append("nan") } else { cell.write(to: &text) } }
        }
        text.append("\n")
        return text
    }
}
