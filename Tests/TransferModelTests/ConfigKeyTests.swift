import Foundation
@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The vocabulary is the one declaration of every config key (docs/architecture.md): these tests
/// keep its consumers in step with it.
struct ConfigKeyTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    /// README.md carries ``ConfigKey/referenceTable`` verbatim; on a mismatch the expected table
    /// is printed to paste in.
    @Test func readmeTableIsTheVocabulary() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let table = ConfigKey.referenceTable
        if !text.contains(table) { print("README.md should contain:\n\(table)") }
        #expect(text.contains(table), "README.md's config table differs from ConfigKey.referenceTable")
    }

    /// Every key's default is a valid value of it, the defaults are what a config without the key
    /// gets, and the JSON echo and the theory's numbers cover exactly the declared keys.
    @Test func defaultsEchoAndNumbersFollowTheKeys() throws {
        let empty = try ExperimentConfig.parse(yaml: "")
        for key in ConfigKey.allCases where key != .constants && key != .eta2 {
            let given = try ExperimentConfig.parse(yaml: "\(key.rawValue): \(key.defaultText)\n")
            #expect(given == empty, "\(key.rawValue): \(key.defaultText)")
        }
        #expect(Set(empty.jsonObject.keys) == Set(ConfigKey.allCases.map(\.rawValue)))
        #expect(Set(empty.numericValues.keys) == Set(ConfigKey.allCases.filter(\.isTheoryValue).map(\.rawValue)))
        #expect(empty.d == 400 && empty.sigma0 == 0.01 && empty.layout == .combined && empty.effectiveConstants["epsilon"] == 0.1)
    }

    /// Out-of-range values name the key and quote the declared range.
    @Test(arguments: ConfigKey.allCases.filter { if case .integer = $0.kind { return true } else { return false } })
    func integerKeysRefuseTheirBounds(key: ConfigKey) throws {
        guard case .integer(let range) = key.kind else { return }
        for value in [range.lowerBound - 1, range.upperBound + 1] {
            do {
                _ = try ExperimentConfig.parse(yaml: "\(key.rawValue): \(value)\n")
                Issue.record("\(key.rawValue) accepted \(value)")
            } catch let error as ConfigError {
                #expect(error.field == key.rawValue && error.problem.contains(key.allowedText), "\(error)")
            }
        }
    }
}
