import CGSL

/// Carries a Swift closure through GSL's `void *params`; a thrown error is parked here and
/// rethrown on the Swift side (never unwound through C).
private final class ClosureBox {
    let f: (Double) throws -> Double
    var error: (any Error)?
    init(_ f: @escaping (Double) throws -> Double) { self.f = f }
}

extension GSL {
    /// Brent's method (`gsl_root_fsolver_brent`) for f(x) = 0 on a bracketing interval [lower, upper].
    ///
    /// Stops when `gsl_root_test_interval(lo, hi, absoluteTolerance, relativeTolerance)` succeeds.
    /// Throws `GSLError(GSL_EINVAL)` when the interval does not bracket a root, `GSL_EMAXITER`
    /// after `maxIterations`, and rethrows any error thrown by `f`.
    public static func brentRoot(lower: Double, upper: Double,
                                 absoluteTolerance: Double = 0, relativeTolerance: Double = 1e-13,
                                 maxIterations: Int = 500,
                                 _ f: (Double) throws -> Double) throws -> Double {
        ensureHandlerOff()
        guard let solver = gsl_root_fsolver_alloc(ptv_gsl_root_fsolver_brent()) else {
            throw GSLError(code: Int(GSL_ENOMEM), function: "gsl_root_fsolver_alloc")
        }
        defer { gsl_root_fsolver_free(solver) }
        return try withoutActuallyEscaping(f) { escapable in
            let box = ClosureBox(escapable)
            return try withExtendedLifetime(box) {
                var function = gsl_function(
                    function: { x, params in
                        let box = Unmanaged<ClosureBox>.fromOpaque(params!).takeUnretainedValue()
                        if box.error != nil { return .nan }
                        do { return try box.f(x) } catch { box.error = error; return .nan }
                    },
                    params: Unmanaged.passUnretained(box).toOpaque())
                let status = gsl_root_fsolver_set(solver, &function, lower, upper)
                if let error = box.error { throw error }
                try check(status, "gsl_root_fsolver_set")
                for _ in 0..<maxIterations {
                    let status = gsl_root_fsolver_iterate(solver)
                    if let error = box.error { throw error }
                    try check(status, "gsl_root_fsolver_iterate")
                    let lo = gsl_root_fsolver_x_lower(solver), hi = gsl_root_fsolver_x_upper(solver)
                    if gsl_root_test_interval(lo, hi, absoluteTolerance, relativeTolerance) == GSL_SUCCESS {
                        return gsl_root_fsolver_root(solver)
                    }
                }
                throw GSLError(code: Int(GSL_EMAXITER), function: "gsl_root_fsolver_iterate")
            }
        }
    }
}
