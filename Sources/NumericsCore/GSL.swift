import CGSL
import Platform

/// A failure reported by GSL, turned into a Swift error instead of GSL's default `abort()`.
///
/// `code` is GSL's status (`GSL_EDOM` = 1, `GSL_ERANGE` = 2, `GSL_EMAXITER` = 11, …) and
/// `function` the GSL routine that reported it. `statusText` is GSL's own text for the code; `message` (the line a user sees) adds the routine.
public struct GSLError: Error, Equatable, CustomStringConvertible, Sendable {
    public let code: Int
    public let function: String

    public init(code: Int, function: String) {
        self.code = code
        self.function = function
    }

    package var statusText: String { String(cString: gsl_strerror(Int32(code))) }
    /// Whether GSL reported an underflow (GSL_EUNDRFLW): the exact value is below the
    /// smallest normal Double.
    public var isUnderflow: Bool { code == Int(GSL_EUNDRFLW) }
    public var description: String { "\(function): \(statusText) (GSL status \(code))" }
}

/// A value with GSL's estimate of its absolute numerical error (`gsl_sf_result`).
public struct EstimatedValue: Equatable, Sendable {
    public var value: Double
    /// Absolute error estimate, ≥ 0.
    public var error: Double

    public init(_ value: Double, error: Double = 0) {
        self.value = value
        self.error = error
    }
}

/// Safe entry points into GSL. GSL's error handler is switched off once, before the first
/// call; every routine here uses the `_e` variant (status plus error estimate) and throws
/// `GSLError` on failure, so no input can abort the process.
public enum GSL {
    private static let handlerOff: Void = { _ = gsl_set_error_handler_off() }()

    /// Switch GSL's aborting error handler off (idempotent, thread-safe).
    static func ensureHandlerOff() { _ = handlerOff }

    /// The linked GSL's version string, e.g. "2.7.1".
    public static var version: String { String(cString: ptv_gsl_version()) }

    static func check(_ status: Int32, _ function: @autoclosure () -> String) throws(GSLError) {
        if status != GSL_SUCCESS { throw GSLError(code: Int(status), function: function()) }
    }

    private static func sf(_ function: String,
                           _ body: (UnsafeMutablePointer<gsl_sf_result>) -> Int32) throws(GSLError) -> EstimatedValue {
        ensureHandlerOff()
        var result = gsl_sf_result(val: 0, err: 0)
        try check(body(&result), function)
        return EstimatedValue(result.val, error: result.err)
    }

    /// erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt.
    public static func erf(_ x: Double) throws(GSLError) -> EstimatedValue {
        try sf("gsl_sf_erf_e") { gsl_sf_erf_e(x, $0) }
    }

    /// erfc(x) = 1 − erf(x), accurate in the upper tail.
    public static func erfc(_ x: Double) throws(GSLError) -> EstimatedValue {
        try sf("gsl_sf_erfc_e") { gsl_sf_erfc_e(x, $0) }
    }

    /// Standard normal upper tail Q(x) = P(Z > x) = erfc(x/√2)/2 (`gsl_sf_erf_Q_e`).
    public static func normalTail(_ x: Double) throws(GSLError) -> EstimatedValue {
        try sf("gsl_sf_erf_Q_e") { gsl_sf_erf_Q_e(x, $0) }
    }

    /// Standard normal CDF Φ(x) = Q(−x).
    public static func normalCDF(_ x: Double) throws(GSLError) -> EstimatedValue {
        try normalTail(-x)
    }

    /// Φ⁻¹(p) for p ∈ (0, 1). GSL returns NaN (or ±∞) silently outside that range; we throw `GSL_EDOM`.
    public static func normalQuantile(_ p: Double) throws(GSLError) -> Double {
        ensureHandlerOff()
        guard p > 0, p < 1 else { throw GSLError(code: Int(GSL_EDOM), function: "gsl_cdf_ugaussian_Pinv") }
        return gsl_cdf_ugaussian_Pinv(p)
    }

    /// Natural logarithm, x > 0.
    public static func log(_ x: Double) throws(GSLError) -> EstimatedValue {
        try sf("gsl_sf_log_e") { gsl_sf_log_e(x, $0) }
    }

    /// Exponential with overflow reported as `GSL_EOVRFLW`.
    public static func exp(_ x: Double) throws(GSLError) -> EstimatedValue {
        try sf("gsl_sf_exp_e") { gsl_sf_exp_e(x, $0) }
    }

    /// Principal branch W₀ of Lambert's W, x ≥ −1/e.
    public static func lambertW0(_ x: Double) throws(GSLError) -> EstimatedValue {
        try sf("gsl_sf_lambert_W0_e") { gsl_sf_lambert_W0_e(x, $0) }
    }

    /// P(X > x) for X ~ χ²(k).
    public static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom k: Double) throws(GSLError) -> Double {
        ensureHandlerOff()
        guard k > 0 else { throw GSLError(code: Int(GSL_EDOM), function: "gsl_cdf_chisq_Q") }
        return gsl_cdf_chisq_Q(x, k)
    }

    /// P(X ≤ x) for X ~ χ²(k).
    public static func chiSquaredCDF(_ x: Double, degreesOfFreedom k: Double) throws(GSLError) -> Double {
        ensureHandlerOff()
        guard k > 0 else { throw GSLError(code: Int(GSL_EDOM), function: "gsl_cdf_chisq_P") }
        return gsl_cdf_chisq_P(x, k)
    }

    /// The q-quantile of the Beta(a, b) law, q ∈ [0, 1], a, b > 0.
    ///
    /// Found by Brent's method on the CDF `gsl_cdf_beta_P` over [0, 1] (absolute tolerance
    /// 1e-15): GSL's own `gsl_cdf_beta_Pinv` returns NaN for some ordinary arguments (e.g.
    /// q = 0.99, a = 3, b = 998), which would make a binomial confidence bound silently NaN.
    package static func betaQuantile(_ q: Double, a: Double, b: Double) throws -> Double {
        ensureHandlerOff()
        guard q >= 0, q <= 1, a > 0, b > 0, a.isFinite, b.isFinite else {
            throw GSLError(code: Int(GSL_EDOM), function: "betaQuantile")
        }
        if q == 0 { return 0 }
        if q == 1 { return 1 }
        return try brentRoot(lower: 0, upper: 1, absoluteTolerance: 1e-15, relativeTolerance: 0) { x in
            gsl_cdf_beta_P(x, a, b) - q
        }
    }

    /// The q-quantile of Student's t law with ν > 0 degrees of freedom, q ∈ (0, 1).
    public static func studentTQuantile(_ q: Double, degreesOfFreedom nu: Double) throws(GSLError) -> Double {
        ensureHandlerOff()
        guard q > 0, q < 1, nu > 0 else { throw GSLError(code: Int(GSL_EDOM), function: "gsl_cdf_tdist_Pinv") }
        let x = gsl_cdf_tdist_Pinv(q, nu)
        guard x.isFinite else { throw GSLError(code: Int(GSL_EDOM), function: "gsl_cdf_tdist_Pinv") }
        return x
    }

    /// Independent draws X_i ~ χ²(k_i), one per entry of `degreesOfFreedom` (each k_i > 0,
    /// finite; any size, 10¹² included), by GSL's `gsl_ran_chisq` (2·Gamma(k/2), Marsaglia–Tsang
    /// rejection: exact in law for every k) on GSL's MT19937 generator seeded with the low 32
    /// bits of `seed` (MT19937 takes a 32-bit seed).
    public static func chiSquaredDraws(degreesOfFreedom: [Double], seed: UInt64) throws(GSLError) -> [Double] {
        ensureHandlerOff()
        guard degreesOfFreedom.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw GSLError(code: Int(GSL_EDOM), function: "gsl_ran_chisq")
        }
        guard let rng = gsl_rng_alloc(ptv_gsl_rng_mt19937()) else {
            throw GSLError(code: Int(GSL_ENOMEM), function: "gsl_rng_alloc")
        }
        defer { gsl_rng_free(rng) }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: UInt32(truncatingIfNeeded: seed)))
        return degreesOfFreedom.map { gsl_ran_chisq(rng, $0) }
    }
}

extension GSLError: UserFacingError {
    public var message: String { description }
}
