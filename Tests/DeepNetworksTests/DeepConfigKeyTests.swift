import Foundation
import Platform
import Testing
@testable import DeepNetworks
@testable import Vocabulary

/// The deep key table drives the deep config reader: its scalar defaults read back to the
/// default config, its ranges are enforced by the shared reader, and `final_learning_rate`
/// (added through the table alone) reaches the schedule.
@Suite struct DeepConfigKeyTests {
    @Test(arguments: DeepConfigKey.allCases.filter { if case .structured = $0.kind { false } else { true } })
    func defaultTextReadsBackToTheDefaultConfig(key: DeepConfigKey) throws {
        let config = try DeepConfig.parse(yaml: "\(key.rawValue): \(key.defaultText)\n")
        #expect(config == DeepConfig(), "\(key.rawValue): \(key.defaultText)")
    }

    /// The echo has one member per key, so a new key is echoed (and changes a run's identity only
    /// when it is set away from its default).
    @Test func echoHasOneMemberPerKey() throws {
        #expect(Set(DeepConfig().jsonObject.keys) == Set(DeepConfigKey.allCases.map(\.rawValue)))
        #expect(DeepConfig().changedJSON.isEmpty)
        let changed = try DeepConfig.parse(yaml: "final_learning_rate: 0.1\nepochs: 3\n")
        #expect(changed.changedJSON == ["final_learning_rate": 0.1])
    }

    /// The same scalar policy as the synthetic keys: quoted numbers, out-of-range values and
    /// collections are refused naming the key.
    @Test(arguments: [("final_learning_rate: 1.5\n", "final_learning_rate"), ("final_learning_rate: '0.1'\n", "final_learning_rate"),
                      ("epochs: 0\n", "epochs"), ("epochs: [3]\n", "epochs"), ("batch_size: 1_0_\n", "batch_size"),
                      ("augment: maybe\n", "augment"), ("optimiser: adam\n", "optimiser"), ("seed: -1\n", "seed"),
                      ("bogus: 1\n", "bogus")])
    func badValuesNameTheKey(yaml: String, field: String) {
        do {
            _ = try DeepConfig.parse(yaml: yaml)
            Issue.record("accepted \(yaml)")
        } catch let error as ConfigError {
            #expect(error.field == field, "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }

    /// η at the schedule's ends, computed by hand: η₀ after warm-up, r·η₀ at the last step of
    /// the cosine (t − W = T − W), and the midpoint η₀(r + (1 − r)/2).
    @Test(arguments: [0.0, 0.1, 1.0])
    func finalLearningRateEndsTheCosine(r: Double) throws {
        let config = try DeepConfig.parse(yaml: "learning_rate: 0.2\nfinal_learning_rate: \(r)\nwarmup_epochs: 1\n")
        let plan = config.plan
        let (perEpoch, total) = (10, 50)
        #expect(abs(plan.learningRate(step: 10, of: total, stepsPerEpoch: perEpoch) - 0.2) <= 1e-15)
        #expect(abs(plan.learningRate(step: 30, of: total, stepsPerEpoch: perEpoch) - 0.2 * (r + (1 - r) / 2)) <= 1e-15)
        #expect(abs(plan.learningRate(step: 50, of: total, stepsPerEpoch: perEpoch) - 0.2 * r) <= 1e-15)
    }
}
