import Platform
import Vocabulary

/// Which layers of a network transfer (docs/theory.md §9a), as name patterns: a prefix of
/// parameter names (`stem.`, `stage2.block0.conv2`) in which any dotted component may hold an
/// inclusive range of indices — `blocks.9-11` stands for `blocks.9.`, `blocks.10.`, `blocks.11.`,
/// and `stage1-3.block0.conv2` for the three stages' `block0.conv2.`. Each pattern ends at a
/// component boundary, so `blocks.1` never selects `blocks.10`.
public struct LayerSelection: Sendable, Equatable {
    /// The patterns as written (none for ``shared``).
    public let patterns: [String]
    /// Every name prefix they stand for, each ending in ".", in order.
    public let prefixes: [String]
    /// Every layer the two networks share by name and shape, except the classifier
    /// (docs/theory.md §9a): Algorithm 1 applied to the whole network.
    public var isShared: Bool { patterns.isEmpty }

    /// Algorithm 1 on every shared layer (written `layers: shared`).
    public static let shared = LayerSelection(sharedLayers: ())

    private init(sharedLayers: Void) {
        patterns = []
        prefixes = []
    }

    /// The most prefixes a selection may expand to.
    static let largest = 10_000

    /// `field` names the config key in errors (an empty pattern, a reversed range, too many).
    public init(patterns: [String], field: String) throws {
        guard !patterns.isEmpty else { throw ConfigError(field: field, "expected a non-empty list of layer name patterns (e.g. stem., blocks.9-11)") }
        var prefixes: [String] = []
        for (k, pattern) in patterns.enumerated() {
            let path = "\(field)[\(k)]"
            let components = pattern.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                .filter { !$0.isEmpty }
            guard !components.isEmpty, !pattern.contains(where: \.isWhitespace) else {
                throw ConfigError(field: path, "'\(InputText.excerpt(pattern))' is not a layer name pattern (dotted names, ranges as blocks.9-11)")
            }
            var expanded = [""]
            for component in components {
                let choices = try Self.expand(component, field: path)
                expanded = expanded.flatMap { head in choices.map { head + $0 + "." } }
                guard expanded.count <= Self.largest else { throw ConfigError(field: path, "'\(InputText.excerpt(pattern))' stands for more than \(Self.largest) layers") }
            }
            prefixes += expanded.filter { !prefixes.contains($0) }
        }
        self.patterns = patterns
        self.prefixes = prefixes
    }

    /// `stage1-3` → stage1, stage2, stage3; `9-11` → 9, 10, 11; anything else as is.
    static func expand(_ component: String, field: String) throws -> [String] {
        guard let dash = component.firstIndex(of: "-") else { return [component] }
        let head = component[..<dash], tail = component[component.index(after: dash)...]
        let stem = head.prefix { !$0.isNumber }
        guard let low = Int(head.dropFirst(stem.count)), let high = Int(tail), low >= 0 else {
            throw ConfigError(field: field, "'\(InputText.excerpt(component))' is not a range (write name9-11 or 9-11)")
        }
        guard low <= high else { throw ConfigError(field: field, "the range '\(InputText.excerpt(component))' runs backwards") }
        guard high - low < Self.largest else { throw ConfigError(field: field, "the range '\(InputText.excerpt(component))' is longer than \(Self.largest)") }
        return (low...high).map { "\(stem)\($0)" }
    }
}
