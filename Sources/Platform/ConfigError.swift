import Foundation
import Yams

/// A configuration problem, reported as one line naming the field and what is allowed.
package struct ConfigError: Error, CustomStringConvertible, Equatable {
    package let field: String
    package let problem: String

    package init(field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    /// One line; the field path holds the user's own key names, so it is shown as an excerpt.
    package var description: String { "config field '\(InputText.excerpt(field))': \(problem)" }
}

/// Input echoed back in a message: on one line (each run of white space, line breaks included,
/// shown as one space) and at most 60 characters, the rest elided.
package enum InputText {
    package static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return line.count <= 60 ? line : String(line.prefix(57)) + "…"
    }
}

/// Reading a whole input file a user names (configs, checkpoints), refused in one line.
package enum InputFile {
    /// The bytes of a regular file of at most `limit` bytes; anything else (a missing file, a
    /// folder, a device such as /dev/null, a larger file) is refused naming `field` and the reason.
    package static func data(of path: String, field: String, limit: Int) throws -> Data {
        do { return try SystemFile.read(path, limit: limit) } catch {
            throw ConfigError(field: field, "cannot read \(InputText.excerpt(path)): \(error.reason)")
        }
    }
}

/// Reading the project's YAML input files (configs, grids, suites), failures reported as a
/// ``ConfigError`` naming `field`.
package enum YAMLInput {
    /// The text of a regular file of at most `YAMLShape.Limits.input.bytes` bytes of UTF-8; anything
    /// else (a missing file, a folder, a device such as /dev/null, a larger file, binary data) is
    /// refused naming `field` and the reason.
    package static func text(of url: URL, field: String) throws -> String {
        let data = try InputFile.data(of: url.path, field: field, limit: YAMLShape.Limits.input.bytes)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(field: field, "cannot read \(InputText.excerpt(url.path)): not UTF-8 text")
        }
        return text
    }

    /// Why a YAML text could not be read: one line, at the 1-based `line:column` where known.
    package typealias Failure = YAMLShape.Refusal

    /// The document's root node, nil for an empty document, after its shape is checked against
    /// `YAMLShape.Limits.input` (size, nesting depth, nodes after alias expansion): past a limit,
    /// or not YAML, it fails with one line and no echo of the input. Yams' basic resolver is the
    /// default: the config readers take every scalar as text and check its type and range
    /// themselves, so regular-expression tag resolution is not needed (1 ms saved per run).
    package static func root(_ text: String, resolver: Resolver = .basic) throws(Failure) -> Node? {
        _ = try YAMLShape.measure(text)
        do { return try Yams.compose(yaml: text, resolver) } catch {
            switch error as? YamlError {
            case .scanner(_, let problem, let mark, _)?, .parser(_, let problem, let mark, _)?, .composer(_, let problem, let mark, _)?:
                throw Failure(line: mark.line, column: mark.column, problem: "not valid YAML: \(problem)")
            case .duplicatedKeysInMapping(let keys, let context)?:
                let more = keys.count > 1 ? " (and \(keys.count - 1) more)" : ""
                throw Failure(line: context.mark.line, column: context.mark.column,
                              problem: "key '\(InputText.excerpt(keys.first ?? ""))' given twice\(more)")
            default:
                throw Failure(line: nil, column: nil, problem: "not valid YAML")
            }
        }
    }

    /// ``root(_:resolver:)`` with a failure reported as a ``ConfigError`` naming `field`.
    package static func compose(_ text: String, field: String) throws -> Node? {
        do { return try root(text) } catch { throw ConfigError(field: field, error.description) }
    }

    /// A mapping's entries in order, keyed by text: every key must be a string and appear once
    /// (YAML lets a key repeat under a tag, e.g. `d: 20` and `!x d: 30`; that is refused, naming
    /// `field.key`). `field` is the mapping's own path ("" at the top of a file).
    package static func entries(_ mapping: Node.Mapping, field: String) throws -> [(key: String, value: Node)] {
        var seen = Set<String>(), out: [(key: String, value: Node)] = []
        for (k, v) in mapping {
            guard let key = k.string else {
                throw ConfigError(field: field.isEmpty ? "file" : field, "keys must be strings")
            }
            let path = field.isEmpty ? key : "\(field).\(key)"
            guard seen.insert(key).inserted else { throw ConfigError(field: path, "given twice") }
            out.append((key, v))
        }
        return out
    }

    /// A non-empty list of distinct seeds, integers in [0, 2⁶⁴) (grids and suites, synthetic and
    /// deep), each a number under the one scalar policy (``numberText(_:field:expected:)``); the
    /// repeat check is a set, so a long list costs linear time.
    package static func seeds(_ node: Node, field: String = "seeds") throws -> [UInt64] {
        guard let list = node.sequence, !list.isEmpty else {
            throw ConfigError(field: field, "expected a non-empty list of integers in [0, 2^64)")
        }
        var seeds: [UInt64] = [], seen: [UInt64: Int] = [:]
        seeds.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            let expected = "an integer in [0, 2^64)"
            guard let seed = UInt64(try numberText(item, field: "\(field)[\(index)]", expected: expected)) else {
                throw ConfigError(field: "\(field)[\(index)]", "expected \(expected), got '\(InputText.excerpt(item.scalar?.string ?? ""))'")
            }
            if let earlier = seen.updateValue(index, forKey: seed) {
                throw ConfigError(field: "\(field)[\(index)]", "duplicate seed \(seed) (also \(field)[\(earlier)])")
            }
            seeds.append(seed)
        }
        return seeds
    }

    /// The text of a number under the one scalar policy every reader applies (configs, suites,
    /// grids, deep configs and suites, transfer rules): a plain scalar — not quoted (a quoted
    /// value is text), not a collection; tags are refused when the file is measured
    /// (`YAMLShape`) — whose underscores, if any, each stand between two digits (`1_000`); they
    /// are removed. Errors name `field` and say what was `expected`.
    package static func numberText(_ node: Node, field: String, expected: String) throws -> String {
        guard let scalar = node.scalar else {
            throw ConfigError(field: field, "expected \(expected), got a \(node.mapping != nil ? "mapping" : "list")")
        }
        guard scalar.style == .plain || scalar.style == .any else {
            throw ConfigError(field: field, "expected \(expected), got a quoted text '\(InputText.excerpt(scalar.string))'")
        }
        return try numberText(scalar.string, field: field, expected: expected)
    }

    /// ``numberText(_:field:expected:)`` on text already known to be a plain scalar.
    package static func numberText(_ text: String, field: String, expected: String) throws -> String {
        guard text.contains("_") else { return text }
        let characters = Array(text.utf8)
        func digit(_ i: Int) -> Bool { i >= 0 && i < characters.count && characters[i] >= 48 && characters[i] <= 57 }
        for (i, c) in characters.enumerated() where c == 95 /* _ */ && !(digit(i - 1) && digit(i + 1)) {
            throw ConfigError(field: field, "expected \(expected), got '\(InputText.excerpt(text))' (an underscore may only stand between two digits)")
        }
        return text.replacingOccurrences(of: "_", with: "")
    }

    /// ``entries(_:field:)`` as a dictionary.
    package static func dictionary(_ mapping: Node.Mapping, field: String) throws -> [String: Node] {
        Dictionary(uniqueKeysWithValues: try entries(mapping, field: field).map { ($0.key, $0.value) })
    }
}

