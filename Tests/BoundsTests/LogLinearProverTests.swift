import Testing
@testable import Bounds

@Suite struct LogLinearProverTests {
    @Test func chainOfPowersIsProvedAndOverreachIsRefused() throws {
        let proved = try LogLinearProver.prove(claim: "x >= z^6", assumptions: ["x >= y^2", "y >= z^3"])
        let certificate = try #require(proved.certificate)
        #expect(certificate.powers == [Rational(1), Rational(2)])
        #expect(certificate.verify())
        let refused = try LogLinearProver.prove(claim: "x >= z^7", assumptions: ["x >= y^2", "y >= z^3"])
        #expect(refused.certificate == nil)
    }
}
