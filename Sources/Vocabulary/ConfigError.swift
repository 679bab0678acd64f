import Foundation
import Yams

/// A configuration problem, reported as one line naming the field and what is allowed.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let problem: String

    public init(field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "config field '\(field)': \(problem)" }
}

/// Input echoed back in a message: at most 60 characters, the rest elided.
public enum InputText {
    public static func excerpt(_ text: String) -> String {
        text.count <= 60 ? text : String(text.prefix(57)) + "…"
    }
}

/// Reading the project's YAML input files (configs, grids, suites), failures reported as a
/// ``ConfigError`` naming `field`.
public enum YAMLInput {
    /// The file's text.
    public static func text(of url: URL, field: String) throws -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError(field: field, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// The document's root node, nil for an empty document. Composed with Yams' basic resolver:
    /// the readers take every scalar as text and check its type and range themselves, so Yams'
    /// regular-expression tag resolution is not needed (1 ms saved at the start of every run).
    public static func compose(_ text: String, field: String) throws -> Node? {
        do { return try Yams.compose(yaml: text, .basic) } catch {
            throw ConfigError(field: field, "not valid YAML: \(error)")
        }
    }

    /// A mapping's entries in order, keyed by text: every key must be a string and appear once
    /// (YAML lets a key repeat under a tag, e.g. `d: 20` and `!x d: 30`; that is refused, naming
    /// `field.key`). `field` is the mapping's own path ("" at the top of a file).
    public static func entries(_ mapping: Node.Mapping, field: String) throws -> [(key: String, value: Node)] {
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

    /// A non-empty list of distinct seeds, integers in [0, 2⁶⁴) (grids and suites).
    public static func seeds(_ node: Node, field: String = "seeds") throws -> [UInt64] {
        guard let list = node.sequence, !list.isEmpty else {
            throw ConfigError(field: field, "expected a non-empty list of integers in [0, 2^64)")
        }
        var seeds: [UInt64] = []
        for (index, item) in list.enumerated() {
            guard let seed = (item.scalar?.string).flatMap({ UInt64($0) }) else {
                throw ConfigError(field: "\(field)[\(index)]", "expected an integer in [0, 2^64), got '\(InputText.excerpt(item.scalar?.string ?? "a collection"))'")
            }
            guard !seeds.contains(seed) else { throw ConfigError(field: "\(field)[\(index)]", "duplicate seed \(seed)") }
            seeds.append(seed)
        }
        return seeds
    }

    /// ``entries(_:field:)`` as a dictionary.
    public static func dictionary(_ mapping: Node.Mapping, field: String) throws -> [String: Node] {
        Dictionary(uniqueKeysWithValues: try entries(mapping, field: field).map { ($0.key, $0.value) })
    }
}

