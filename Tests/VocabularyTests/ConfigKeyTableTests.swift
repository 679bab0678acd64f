import Foundation
import Platform
import Testing
import TransferModel
@testable import Vocabulary

/// The key table is the one declaration the reader, the echo, grids and the README derive from:
/// its rows must agree with each other and with the model's defaults.
@Suite struct ConfigKeyTableTests {
    /// Every default, written as a config file, reads back to the default config: the table's
    /// `defaultText` and `ExperimentConfig()` cannot drift apart. (`constants` and `eta2` have
    /// no scalar default text.)
    @Test(arguments: ConfigKey.allCases.filter { $0 != .constants && $0 != .eta2 })
    func defaultTextReadsBackToTheDefaultConfig(key: ConfigKey) throws {
        let config = try ExperimentConfig.parse(yaml: "\(key.rawValue): \(key.defaultText)\n")
        #expect(config.jsonObject == ExperimentConfig().jsonObject, "\(key.rawValue): \(key.defaultText)")
    }

    /// Each default lies inside the key's own allowed values (checked here from the kind, not by
    /// the reader), in both key tables.
    @Test(arguments: ConfigKey.allCases.filter { $0 != .constants && $0 != .eta2 })
    func defaultLiesInsideTheKind(key: ConfigKey) {
        #expect(Self.inside(key.defaultText, key.kind), "\(key.rawValue) = \(key.defaultText)")
    }

    @Test(arguments: DeepConfigKey.allCases)
    func deepDefaultLiesInsideTheKind(key: DeepConfigKey) {
        if case .structured = key.kind { return }
        #expect(Self.inside(key.defaultText, key.kind), "\(key.rawValue) = \(key.defaultText)")
    }

    static func inside(_ text: String, _ kind: ConfigKey.Kind) -> Bool {
        switch kind {
        case .integer(let range): Int(text).map(range.contains) == true
        case .real(let domain), .optionalReal(let domain): Double(text).map(domain.contains) == true
        case .choice(let names), .transferRule(let names): names.contains(text)
        case .seed: UInt64(text) != nil
        case .flag: text == "true" || text == "false"
        case .constants, .structured: false
        }
    }

    /// A value just outside an integer key's range is refused with the key named and exit 2's
    /// error type; one at each end is accepted.
    @Test(arguments: ConfigKey.allCases)
    func integerRangesAreEnforcedAtBothEnds(key: ConfigKey) throws {
        guard case .integer(let range) = key.kind else { return }
        for inside in [range.lowerBound, range.upperBound] {
            #expect(throws: Never.self, "\(key.rawValue): \(inside)") { try ExperimentConfig.parse(yaml: "\(key.rawValue): \(inside)\n") }
        }
        for outside in [range.lowerBound - 1, range.upperBound + 1] {
            do {
                _ = try ExperimentConfig.parse(yaml: "\(key.rawValue): \(outside)\n")
                Issue.record("\(key.rawValue): \(outside) was accepted")
            } catch let error as ConfigError {
                #expect(error.field == key.rawValue, "\(error)")
            }
        }
    }

    /// The README table has one row per key, in declaration order, each naming its allowed values.
    @Test func referenceTablesHaveOneRowPerKey() {
        for (table, names) in [(ConfigKey.referenceTable, ConfigKey.allCases.map(\.rawValue)),
                               (DeepConfigKey.referenceTable, DeepConfigKey.allCases.map(\.rawValue))] {
            let rows = table.split(separator: "\n").dropFirst(2)
            #expect(rows.count == names.count)
            for (row, name) in zip(rows, names) { #expect(row.hasPrefix("| `\(name)` |"), "\(row)") }
        }
    }

    /// Names are unique across the vocabulary's lists (a quantity and a key never share a name
    /// that a reader would have to disambiguate).
    @Test func namesAreUnique() {
        #expect(Set(ConfigKey.allCases.map(\.rawValue)).count == ConfigKey.allCases.count)
        #expect(Set(DeepConfigKey.allCases.map(\.rawValue)).count == DeepConfigKey.allCases.count)
        #expect(Set(MeasuredQuantity.allCases.map(\.id)).count == MeasuredQuantity.allCases.count)
        #expect(Set(TheoryConstant.allCases.map(\.rawValue)).count == TheoryConstant.allCases.count)
        #expect(TheoryConstant.defaults.values.allSatisfy { $0 > 0 })
    }
}
