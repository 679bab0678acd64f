@testable import Bounds
import Foundation
@testable import Platform
import Testing
@testable import TheoryTesting
@testable import TransferModel
@testable import Validation
@testable import Vocabulary

/// The built-in suites speak of configurations the theorems cover (docs/theory.md §6a): no suite
/// sets C below 1, and every configuration of the in-regime suites satisfies every technical
/// condition of both tasks at C = 1 (so each statement is judged wherever its other hypotheses
/// hold); the finite-size studies satisfy none of the dimension conditions.
struct SuiteRegimeTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("validation")

    @Test(arguments: ["quick", "full", "finite-size", "finite-size-full"])
    func noSuiteLowersC(name: String) throws {
        let suite = try ValidationSuite.load(from: Self.folder.appendingPathComponent("\(name).yaml"))
        #expect((suite.constants["C"] ?? 1) >= 1)
        #expect(suite.configurations.allSatisfy { ($0.config.constants["C"] ?? 1) >= 1 })
    }

    @Test(arguments: ["quick", "full"])
    func inRegimeSuitesSatisfyEveryConditionAtOne(name: String) throws {
        let suite = try ValidationSuite.load(from: Self.folder.appendingPathComponent("\(name).yaml"))
        for configuration in suite.configurations {
            let constants = configuration.config.effectiveConstants.merging(suite.constants) { _, s in s }
            let report = TheoryReport(configuration: configuration.config.numericValues, constants: constants)
            #expect(report.failingConditions.isEmpty, "\(configuration.label): \(report.failingConditions)")
            let regime = try report.regimeConstant.get()
            #expect(regime.value >= 1, "\(configuration.label): C_max \(regime.value) (\(regime.binding ?? "-"))")
        }
    }

    @Test func finiteSizeSuiteIsOutsideTheRegime() throws {
        let suite = try ValidationSuite.load(from: Self.folder.appendingPathComponent("finite-size.yaml"))
        for configuration in suite.configurations {
            let report = TheoryReport(configuration: configuration.config.numericValues, constants: configuration.config.effectiveConstants)
            #expect(report.failingConditions.contains("cond_dimension_1"), "\(configuration.label)")
        }
    }
}

/// A suite grid of 1000 × 1000 × 1000 cells is refused from its axis lengths (it used to be
/// expanded cell by cell until memory ran out).
struct SuiteGridSizeTests {
    @Test func hugeSuiteGridsAreRefusedBeforeExpansion() {
        let axis = { (from: Int) in "[" + (from..<(from + 1000)).map(String.init).joined(separator: ", ") + "]" }
        let yaml = "grid: {d: \(axis(1000)), N1: \(axis(1)), N2: \(axis(1))}\n"
        expectRefused("grid", problemStartingWith: "1000000000 cells") { _ = try ValidationSuite.parse(yaml: yaml) }
    }
}

/// Inputs that were silently accepted (issue 11) are refused, naming the field.
struct StrictInputTests {
    @Test(arguments: [
        ("seeds: [1, 1]\nconfigurations:\n  - {label: a}\n", "seeds[1]"),
        ("configurations:\n  - {label: '../../ESCAPED'}\n", "configurations[0].label"),
        ("configurations:\n  - {label: [a, b]}\n", "configurations[0].label"),
        ("statements: []\nconfigurations:\n  - {label: a}\n", "statements"),
        ("constants: {kapa: 1}\nconfigurations:\n  - {label: a}\n", "constants.kapa"),
        ("base: {d: '100'}\nconfigurations:\n  - {label: a}\n", "base.d"),
        ("constants: {C1: 2, C3: 3}\nconfigurations:\n  - {label: a}\n", "constants.C3"),
        // The dynamics lemmas are judged on every recorded step.
        ("base: {record: final}\nconfigurations:\n  - {label: a}\n", "base.record"),
        ("configurations:\n  - {label: a}\n  - {label: b, record: final}\n", "configurations[1].record"),
        ("grid: {record: [trajectories, final]}\n", "grid.record"),
        // A seed in a configuration would be overridden by the suite's seeds (issue 26: the runs
        // used seed 0 while the manifest said 1 and 2).
        ("grid: {seed: [1, 2]}\n", "grid.seed"),
        ("base: {seed: 3}\nconfigurations:\n  - {label: a}\n", "base.seed"),
        ("configurations:\n  - {label: a, seed: 4}\n", "configurations[0].seed"),
        // The one scalar policy: no tags, no quoted numbers, underscores only between digits.
        ("seeds: ['1']\nconfigurations:\n  - {label: a}\n", "seeds[0]"),
        ("constants: {C1: '2'}\nconfigurations:\n  - {label: a}\n", "constants.C1"),
        ("configurations:\n  - {label: a, sigma_p2: _1}\n", "configurations[0].sigma_p2"),
        ("configurations:\n  - {label: a, d: 1__000}\n", "configurations[0].d"),
        ("ladder: ['2']\nconfigurations:\n  - {label: a}\n", "ladder[0]"),
    ])
    func suitesRefuse(yaml: String, field: String) {
        expectRefused(field) { _ = try ValidationSuite.parse(yaml: yaml) }
    }

    @Test(arguments: [("d: '100'\n", "d"), ("constants: {kapa: 1}\n", "constants.kapa"), ("seed: \"3\"\n", "seed"),
                      ("constants: {C3: 2}\n", "constants.C3")])
    func configsRefuse(yaml: String, field: String) {
        expectRefused(field) { _ = try ExperimentConfig.parse(yaml: yaml) }
    }
}

/// Expect `body` to throw a ``ConfigError`` naming `field` (and, if given, a problem with that start).
func expectRefused(_ field: String, problemStartingWith prefix: String = "", sourceLocation: Testing.SourceLocation = #_sourceLocation,
                   _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("accepted: expected a refusal naming \(field)", sourceLocation: sourceLocation)
    } catch let error as ConfigError {
        #expect(error.field == field && error.problem.hasPrefix(prefix), "\(error)", sourceLocation: sourceLocation)
    } catch { Issue.record("\(error)", sourceLocation: sourceLocation) }
}
