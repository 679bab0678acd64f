import CGSL
import Foundation
@testable import NumericsCore
import Testing

/// GSL through the safe wrappers: values against closed forms, and failures thrown — never an abort.
struct GSLTests {
    @Test func errorFunctionMatchesKnownValues() throws {
        // erf(0.5) = 0.5204998778130465 (tabulated); GSL's own error estimate bounds the difference.
        let e = try GSL.erf(0.5)
        #expect(abs(e.value - 0.5204998778130465) <= max(e.error, 1e-15))
        // Φ(1.959963984540054) = 0.975 to 1e-15 by the definition of the 97.5 % quantile.
        #expect(abs(try GSL.normalCDF(1.959963984540054).value - 0.975) < 1e-12)
        #expect(abs(try GSL.normalQuantile(0.975) - 1.959963984540054) < 1e-12)
        // Q(x) + Φ(x) = 1.
        #expect(abs(try GSL.normalTail(0.3).value + GSL.normalCDF(0.3).value - 1) < 1e-15)
    }

    @Test func domainErrorsAreThrownNotAborted() {
        #expect(throws: GSLError.self) { try GSL.log(-1) }
        #expect(throws: GSLError.self) { try GSL.lambertW0(-1) }  // below −1/e
        #expect(throws: GSLError.self) { try GSL.normalQuantile(1.5) }
        #expect(throws: GSLError.self) { try GSL.exp(1e6) }  // overflow
        #expect(throws: GSLError.self) { try GSL.chiSquaredCDF(1, degreesOfFreedom: -2) }
    }

    @Test func lambertWSatisfiesItsEquation() throws {
        for x in [-0.3, 0.0, 0.5, 1.0, 10.0, 1e6] {
            let w = try GSL.lambertW0(x).value
            #expect(abs(w * Foundation.exp(w) - x) <= 1e-12 * max(1, abs(x)))
        }
    }

    @Test func brentFindsRootsAndReportsBadBrackets() throws {
        let root = try GSL.brentRoot(lower: 0, upper: 2) { $0 * $0 - 2 }
        #expect(abs(root - 2.0.squareRoot()) < 1e-12)
        #expect(throws: GSLError.self) { try GSL.brentRoot(lower: 2, upper: 3) { $0 * $0 - 2 } }
        struct Planted: Error {}
        #expect(throws: Planted.self) { try GSL.brentRoot(lower: 0, upper: 2) { _ in throw Planted() } }
    }

    @Test func chiSquaredTailsAreComplementary() throws {
        // χ²(2) has CDF 1 − e^{−x/2}: an independent closed form.
        for x in [0.1, 1.0, 5.0] {
            #expect(abs(try GSL.chiSquaredCDF(x, degreesOfFreedom: 2) - (1 - Foundation.exp(-x / 2))) < 1e-14)
            #expect(abs(try GSL.chiSquaredUpperTail(x, degreesOfFreedom: 2) - Foundation.exp(-x / 2)) < 1e-14)
        }
    }

    @Test func betaQuantileInvertsTheUniformCase() throws {
        // Beta(1,1) is uniform: its q-quantile is q.
        #expect(abs(try GSL.betaQuantile(0.3, a: 1, b: 1) - 0.3) < 1e-12)
        #expect(throws: GSLError.self) { try GSL.betaQuantile(0.3, a: 0, b: 1) }
    }

    @Test func betaQuantileIsFiniteAndInvertsTheCDFWhereGSLsInverseFails() throws {
        // gsl_cdf_beta_Pinv(0.99, 3, 998) is NaN in GSL 2.7; the Clopper–Pearson bounds need all k.
        let n = 1000
        for k in 0..<n {
            let x = try GSL.betaQuantile(0.99, a: Double(k + 1), b: Double(n - k))
            #expect(x > 0 && x < 1)
            #expect(abs(gsl_cdf_beta_P(x, Double(k + 1), Double(n - k)) - 0.99) < 1e-9, "k = \(k)")
        }
    }
}
