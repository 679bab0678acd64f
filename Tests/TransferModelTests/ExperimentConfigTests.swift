@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

struct ExperimentConfigTests {
    @Test func emptyConfigTakesDefaults() throws {
        #expect(try ExperimentConfig.parse(yaml: "") == ExperimentConfig())
        let c = try ExperimentConfig.parse(yaml: "d: 1e3\nsigma0: 1e-3\nlayout: separate\nconstants: {C1: 2}\n")
        #expect(c.d == 1000 && c.sigma0 == 0.001 && c.layout == .separate && c.effectiveConstants["C1"] == 2)
    }

    @Test(arguments: [
        ("foo: 1", "foo"), ("d: abc", "d"), ("d: 0", "d"), ("d: -5", "d"), ("m: 0", "m"),
        ("alpha: 1.5", "alpha"), ("alpha: -0.1", "alpha"), ("p: 0.5", "p"), ("p: -0.1", "p"),
        ("sigma_p1: -1", "sigma_p1"), ("sigma0: -0.1", "sigma0"), ("eta: 0", "eta"), ("eta: -1", "eta"),
        ("layout: diagonal", "layout"), ("d: [1, 2]", "d"), ("T1: 2.5", "T1"), ("seed: -1", "seed"),
        ("u_norm: .nan", "u_norm"), ("constants: {C1: -1}", "constants.C1"), ("delta: 1", "delta"),
    ])
    func badInputNamesTheField(yaml: String, field: String) {
        do {
            _ = try ExperimentConfig.parse(yaml: yaml)
            Issue.record("accepted bad input: \(yaml)")
        } catch let error as ConfigError {
            #expect(error.field == field)
            #expect(error.description.contains("'\(field)'"))
        } catch {
            Issue.record("wrong error type: \(error)")
        }
    }

    @Test func rangeMessagesStateTheAllowedRange() {
        #expect(throws: ConfigError(field: "alpha", "1.5 is outside the allowed range: in [0, 1]")) {
            try ExperimentConfig.parse(yaml: "alpha: 1.5")
        }
    }
}
