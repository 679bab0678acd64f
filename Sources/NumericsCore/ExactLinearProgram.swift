//===--- ExactLinearProgram.swift -----------------------------------------===//

import CGLPK
import Foundation
import Synchronization

/// A small linear program solved with GLPK's exact rational simplex (`glp_exact`):
///
/// ```
/// minimise  cᵀλ   subject to   lowerᵢ ≤ (Aλ)ᵢ ≤ upperᵢ,   λ ≥ 0.
/// ```
///
/// GLPK converts the Double inputs to exact rationals and pivots in exact arithmetic, but
/// reports the solution as Doubles; callers recover rationals and re-verify them exactly.
/// Inputs are validated before GLPK sees them (GLPK aborts on invalid arguments), and its
/// terminal output is switched off.
public struct ExactLinearProgram: Sendable {
    public struct Row: Sendable {
        public var coefficients: [Int: Double]   // column index (0-based) → coefficient
        public var lower: Double?
        public var upper: Double?

        public init(coefficients: [Int: Double], lower: Double?, upper: Double?) {
            self.coefficients = coefficients
            self.lower = lower
            self.upper = upper
        }
    }

    public enum Outcome: Equatable, Sendable {
        case optimal([Double])
        case infeasible
        case failed(String)
    }

    public var objective: [Double]
    public var rows: [Row]

    public init(objective: [Double], rows: [Row]) {
        self.objective = objective
        self.rows = rows
    }

    /// GLPK keeps per-thread state; calls are serialised anyway to stay on the safe side.
    private static let serial = Mutex(())

    /// Solve; never aborts (inputs are checked before GLPK sees them).
    public func solve() -> Outcome {
        let n = objective.count
        guard n > 0 else { return .failed("no variables") }
        for row in rows {
            guard row.coefficients.keys.allSatisfy({ $0 >= 0 && $0 < n }),
                  row.coefficients.values.allSatisfy(\.isFinite),
                  row.lower.map(\.isFinite) ?? true, row.upper.map(\.isFinite) ?? true else {
                return .failed("invalid linear program (non-finite coefficient or bad index)")
            }
        }
        guard objective.allSatisfy(\.isFinite) else { return .failed("non-finite objective") }

        return ExactLinearProgram.serial.withLock { _ in solveWithGLPK(variables: n) }
    }

    private func solveWithGLPK(variables n: Int) -> Outcome {
        _ = glp_term_out(GLP_OFF)
        guard let lp = glp_create_prob() else { return .failed("glp_create_prob failed") }
        defer { glp_delete_prob(lp) }
        glp_set_obj_dir(lp, GLP_MIN)
        if !rows.isEmpty { _ = glp_add_rows(lp, Int32(rows.count)) }
        _ = glp_add_cols(lp, Int32(n))
        for j in 0..<n {
            glp_set_col_bnds(lp, Int32(j + 1), GLP_LO, 0, 0)
            glp_set_obj_coef(lp, Int32(j + 1), objective[j])
        }
        var ia: [Int32] = [0], ja: [Int32] = [0], ar: [Double] = [0]
        for (i, row) in rows.enumerated() {
            let r = Int32(i + 1)
            switch (row.lower, row.upper) {
            case (let l?, let u?) where l == u: glp_set_row_bnds(lp, r, GLP_FX, l, u)
            case (let l?, let u?): glp_set_row_bnds(lp, r, GLP_DB, min(l, u), max(l, u))
            case (let l?, nil): glp_set_row_bnds(lp, r, GLP_LO, l, 0)
            case (nil, let u?): glp_set_row_bnds(lp, r, GLP_UP, 0, u)
            case (nil, nil): glp_set_row_bnds(lp, r, GLP_FR, 0, 0)
            }
            for (j, a) in row.coefficients.sorted(by: { $0.key < $1.key }) where a != 0 {
                ia.append(r); ja.append(Int32(j + 1)); ar.append(a)
            }
        }
        glp_load_matrix(lp, Int32(ar.count - 1), ia, ja, ar)
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        let rc = glp_exact(lp, &parm)
        guard rc == 0 else { return .failed("glp_exact returned \(rc)") }
        switch glp_get_status(lp) {
        case GLP_OPT:
            return .optimal((0..<n).map { glp_get_col_prim(lp, Int32($0 + 1)) })
        case GLP_NOFEAS:
            return .infeasible
        case let s:
            return .failed("glp_exact ended with status \(s)")
        }
    }
}
