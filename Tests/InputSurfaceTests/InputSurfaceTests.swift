import Foundation
@testable import InputSurfaces
import PropertyBased
import Testing
@testable import Vocabulary

/// The fuzz harness's property tests: text built from each surface's own vocabulary (keys, values
/// that have broken readers before, operators, anchors, tags, nesting) must be accepted or refused
/// with one line — never a crash, a trap or a hang. Failing inputs shrink to a small case.
/// `PTV_SLOW_TESTS=1` runs 2 000 cases per surface instead of 150.
struct InputSurfaceTests {
    static let cases = ProcessInfo.processInfo.environment["PTV_SLOW_TESTS"] == nil ? 150 : 2_000

    /// Tokens of the bounds language, with the kinds of number and nesting that broke it before.
    static let expressionTokens = [
        "x", "y", "z", "d", "N1", "sigma0", "Gamma", "C1", "p", "log", "exp", "sqrt", "min", "max", "(", ")", "(", ")",
        "^", "*", "/", "+", "-", "<=", ">=", "<", ">", "=", ",", "0", "1", "2", "0.5", "1e-3", "1e308", "1e400",
        "5000000000000000000", "99999999999999999999999", ".5", "#", "\n", "(1/2)", "^-1", "--", "ξ",
    ]

    static let expression = Gen.element(of: expressionTokens).compactMap { $0 }.array(of: 0...40)
        .map { $0.joined(separator: " ") }

    /// Keys of every YAML surface, a few unknown ones, and YAML's own key syntax.
    static let yamlKeys = ConfigKey.allCases.map(\.rawValue) + [
        "base", "grid", "seeds", "configurations", "statements", "constants", "label", "split", "name", "id", "title",
        "source", "provenance", "uses", "hypotheses", "claim", "probe", "C", "C1", "C3", "kapa", "!x d", "? d", "- d", "\"d\"",
        "aliases", "setting", "templates", "quantities", "conditions", "regimes", "formula", "relation", "at", "units", "task",
        "benign", "harmful", "negative_transfer", "- id",
    ] + TransferRuleField.allCases.map(\.rawValue) + TransferTransform.allCases.map(\.rawValue)

    /// Values that have broken readers before (issue 11), and ordinary ones.
    static let yamlValues = [
        "20", "20.0", "2e1", "'100'", "-1", "0", "1e400", ".inf", ".nan", "~", "", "[1, 2]", "[20, 20.0, 2e1]", "{a: 1}",
        "&a [x, x, x]", "*a", "!tag 3", "0x10", "true", "|\n  x >=\n    y", ">\n  a\n  b", "\"x >= y^5000000000000000000\"",
        "../../ESCAPED", "[[[[[[1]]]]]]", "quick", "calibration", "gram", "vectors", "weight", "lemma-init-norm",
        "[cond_overparam]", "\"init_norm_sq >= sigma0^2*d/2\"", "100000", "10000000", String(repeating: "x", count: 300),
        "{selection: random}", "{selection: top_snr, fraction: 2}", "{selection: coordinates, transform: {freeze: true}}",
        "{selection: class_balanced, transform: {scale: , noise: -1}}", "{transform: [scale]}",
    ]

    /// A YAML document: lines of `key: value` from the vocabulary above, where a line sometimes
    /// opens a nested mapping (its value left empty, the next line indented under it) and
    /// otherwise returns to a depth already open — mostly well-formed YAML, so the readers past
    /// the syntax check are reached.
    static let yamlDocument = Gen.element(of: yamlKeys).compactMap { $0 }.array(of: 0...12)
        .map { keys -> String in
            var state = UInt64(truncatingIfNeeded: keys.joined().hashValue)
            var lines: [(indent: Int, key: String, value: String)] = []
            for key in keys {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let value = yamlValues[Int((state >> 33) % UInt64(yamlValues.count))]
                var indent = 0
                if let previous = lines.last {
                    if state >> 62 == 0 {
                        lines[lines.count - 1].value = ""
                        indent = previous.indent + 1
                    } else {
                        indent = Int((state >> 20) % UInt64(previous.indent + 1))
                    }
                }
                lines.append((indent, key, value))
            }
            return lines.map { String(repeating: "  ", count: $0.indent) + "\($0.key): \($0.value)" }.joined(separator: "\n") + "\n"
        }

    @Test(arguments: [InputSurface.relation, .proof, .definitions])
    func expressionsAreAcceptedOrRefusedInOneLine(surface: InputSurface) async {
        await propertyCheck(count: Self.cases, input: Self.expression) { text in
            let outcome = surface.read(text)
            #expect(outcome.isWellFormed, "\(surface): \(outcome)")
        }
    }

    @Test(arguments: [InputSurface.config, .grid, .suite, .statement, .theory])
    func yamlIsAcceptedOrRefusedInOneLine(surface: InputSurface) async {
        await propertyCheck(count: Self.cases, input: Self.yamlDocument) { text in
            let outcome = surface.read(text)
            #expect(outcome.isWellFormed, "\(surface): \(outcome)")
        }
    }

    /// The file surfaces of issue 26 (image files, checkpoints, stores, output paths) and the
    /// deep readers, on arbitrary bytes.
    @Test(arguments: [InputSurface.idx, .cifar, .checkpoint, .store, .outputPath, .deepConfig, .deepSuite])
    func bytesAreAcceptedOrRefusedInOneLine(surface: InputSurface) async {
        let bytes = Gen.element(of: Array(0...255).map(UInt8.init) + [0x08, 0x03, 0x01, 0x00, 0x00, 0x7B, 0x22, 0xFF, 0xFE])
            .compactMap { $0 }.array(of: 0...300)
        await propertyCheck(count: Self.cases, input: bytes) { input in
            let outcome = surface.read(bytes: input)
            #expect(outcome.isWellFormed, "\(surface): \(outcome)")
            if case .refused(let message) = outcome { #expect(!message.hasPrefix("unclassified"), "\(surface): \(message)") }
        }
    }

    /// Output paths onto the special files of the surface's folder are refused in one line, and a
    /// plain name is written.
    @Test func outputsOntoSpecialFilesAreRefused() {
        for (first, expected) in [("d", "FIFO"), ("e", "symbolic link"), ("f", "folder")] as [(Character, String)] {
            // The first byte modulo 5 picks the name: 'd' (100) → fifo, 'e' (101) → link, 'f' (102) → folder.
            let outcome = InputSurface.outputPath.read(String(first) + "x")
            guard case .refused(let message) = outcome else { Issue.record("\(first): accepted"); continue }
            #expect(outcome.isWellFormed && message.contains(expected), "\(first): \(message)")
        }
        #expect(InputSurface.outputPath.read("h-result") == .accepted)   // 'h' (104) → the text's own name
    }

    /// The property can fail: a refusal spanning lines, or an empty one, is not well formed.
    @Test func thePropertyRejectsMultiLineRefusals() {
        #expect(!InputSurface.Outcome.refused("a\nb").isWellFormed)
        #expect(!InputSurface.Outcome.refused("").isWellFormed)
        #expect(InputSurface.Outcome.refused("config field 'd': …").isWellFormed)
        #expect(InputSurface.config.read("d: [1, 2\nm: 3\n") == .refused("config field 'file': 2:2: not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)"))
    }

    /// Found by the fuzzer: a 200-character key inside a suite configuration came back whole in
    /// the field path of the refusal.
    @Test func longKeysAreEchoedAsExcerpts() {
        let key = String(repeating: "k", count: 200)
        let outcome = InputSurface.suite.read("configurations:\n  - {label: a}\n  - {label: b, \(key): 1}\n")
        #expect(outcome.isWellFormed, "\(outcome)")
        guard case .refused(let message) = outcome else { Issue.record("accepted an unknown key"); return }
        #expect(message.contains("configurations[1].kkk") && !message.contains(key), "\(message)")
    }

    /// Found by the fuzzer: a mapping with many repeated long keys listed them all.
    @Test func manyRepeatedKeysAreNamedOnce() {
        let keys = (0..<8).map { "key\($0)" + String(repeating: "x", count: 70) }
        let text = (keys + keys).map { "\($0): 1" }.joined(separator: "\n") + "\n"
        let outcome = InputSurface.config.read(text)
        #expect(outcome.isWellFormed, "\(outcome)")
        #expect("\(outcome)".contains("given twice (and 7 more)"), "\(outcome)")
    }
}
