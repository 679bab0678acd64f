import Foundation
import Platform
import Vocabulary
import Yams

/// A transfer rule as data (docs/theory.md §4a): which upstream parameters are inherited
/// (`TransferSelection`) and what is done to them (scale λ, freeze). The fraction α and the
/// noise s.d. s of a composition are the config's `alpha` and `transfer_noise`; a built-in
/// variant is a recipe too, so Algorithm 1 (`filter`) and the composition
/// `{selection: random}` run the same code.
package struct TransferRecipe: Sendable, Equatable {
    /// The rule's name in reports: a built-in variant's, or the composition's `name`.
    public var name: String
    public var selection: TransferSelection
    /// λ: every inherited parameter is multiplied by it (dimensionless).
    public var scale: Double
    /// Whether inherited filters stay fixed downstream.
    public var freeze: Bool

    public init(name: String, selection: TransferSelection, scale: Double = 1, freeze: Bool = false) {
        self.name = name
        self.selection = selection
        self.scale = scale
        self.freeze = freeze
    }

    /// The recipe of a built-in variant (`rescale` is λ of `rescaled`).
    package static func builtIn(_ variant: TransferVariant, rescale: Double = 1) -> TransferRecipe {
        let name = variant.rawValue
        switch variant {
        case .filter: return TransferRecipe(name: name, selection: .random)
        case .frozen: return TransferRecipe(name: name, selection: .random, freeze: true)
        case .rescaled: return TransferRecipe(name: name, selection: .random, scale: rescale)
        case .random_slots: return TransferRecipe(name: name, selection: .any_class)
        case .weight: return TransferRecipe(name: name, selection: .coordinates)
        case .top_signal: return TransferRecipe(name: name, selection: .top_signal)
        case .top_snr: return TransferRecipe(name: name, selection: .top_snr)
        }
    }

    /// The rule that carries the recipe out.
    public var rule: any TransferRule {
        switch selection {
        case .random: FilterTransfer(name: name, scale: scale, freeze: freeze)
        case .any_class: FilterTransfer(name: name, scale: scale, freeze: freeze, source: .anyClass)
        case .class_balanced: FilterTransfer(name: name, scale: scale, freeze: freeze, source: .balanced)
        case .top_signal: RankedTransfer(name: name, score: .signal, scale: scale, freeze: freeze)
        case .top_snr: RankedTransfer(name: name, score: .snr, scale: scale, freeze: freeze)
        case .coordinates: CoordinateTransfer(name: name, scale: scale)
        }
    }

    /// The composition as the config echoes it.
    var json: JSONValue {
        ["name": name.json, "selection": selection.rawValue.json, "transform": ["scale": scale.json, "freeze": freeze.json]]
    }

    /// The default name of a composition that gives none.
    static let defaultName = "composed"

    /// A composition read from a `variant:` mapping (or a rule file); `fraction` and `noise`, when
    /// given, are returned for the config's `alpha` and `transfer_noise`. Errors name
    /// `field.<key>` and the allowed values.
    static func read(_ node: Node, field: String) throws -> (recipe: TransferRecipe, fraction: Double?, noise: Double?) {
        guard let mapping = node.mapping else {
            throw ConfigError(field: field, "expected \(ConfigKey.variant.allowedText)")
        }
        var fields: [TransferRuleField: Node] = [:]
        for (key, value) in try YAMLInput.entries(mapping, field: field) {
            guard let known = TransferRuleField(rawValue: key) else {
                throw ConfigError(field: "\(field).\(key)", "unknown field (allowed: \(TransferRuleField.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            fields[known] = value
        }
        func scalar(_ node: Node, _ path: String, _ expected: String) throws -> String {
            guard let text = node.scalar?.string, !text.isEmpty, node.scalar?.tag != Tag(.null), text != "~", text != "null" else {
                throw ConfigError(field: path, "missing its value (\(expected))")
            }
            return text
        }
        func number(_ node: Node, _ path: String, _ domain: ConfigKey.RealDomain) throws -> Double {
            _ = try scalar(node, path, "a number \(domain.text)")
            return try KeyReader.real(try YAMLInput.numberText(node, field: path, expected: "a number \(domain.text)"), field: path, domain)
        }
        var name = defaultName
        if let node = fields[.name] {
            name = try scalar(node, "\(field).name", "a name of letters, digits, '-', '_' and '.'")
            guard name.count <= 64, name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }),
                  name.unicodeScalars.allSatisfy(\.isASCII) else {
                throw ConfigError(field: "\(field).name", "'\(InputText.excerpt(name))' is not allowed (at most 64 ASCII letters, digits, '-', '_' and '.')")
            }
        }
        let choices = TransferSelection.allCases.map(\.rawValue).joined(separator: ", ")
        guard let selectionNode = fields[.selection] else {
            throw ConfigError(field: "\(field).selection", "missing (one of \(choices))")
        }
        let selectionText = try scalar(selectionNode, "\(field).selection", "one of \(choices)")
        guard let selection = TransferSelection(rawValue: selectionText) else {
            throw ConfigError(field: "\(field).selection", "'\(InputText.excerpt(selectionText))' is not allowed (one of \(choices))")
        }
        var fraction: Double?
        if let node = fields[.fraction] {
            let domain = ConfigKey.RealDomain.closed(0, 1)
            fraction = try number(node, "\(field).fraction", domain)
        }
        var recipe = TransferRecipe(name: name, selection: selection)
        var noise: Double?
        if let node = fields[.transform] {
            let path = "\(field).transform"
            let allowed = TransferTransform.allCases.map(\.rawValue).joined(separator: ", ")
            guard let transforms = node.mapping else {
                throw ConfigError(field: path, "expected a mapping of transforms (\(allowed)) to their parameters")
            }
            for (key, value) in try YAMLInput.entries(transforms, field: path) {
                guard let transform = TransferTransform(rawValue: key) else {
                    throw ConfigError(field: "\(path).\(key)", "unknown transform (allowed: \(allowed))")
                }
                let at = "\(path).\(key)"
                switch transform {
                case .scale:
                    recipe.scale = try number(value, at, .finite)
                case .noise:
                    noise = try number(value, at, .nonNegative)
                case .freeze:
                    let text = try scalar(value, at, "true or false")
                    guard let flag = Bool(text.lowercased()) else { throw ConfigError(field: at, "expected true or false, got '\(InputText.excerpt(text))'") }
                    recipe.freeze = flag
                }
            }
        }
        if recipe.freeze && selection == .coordinates {
            throw ConfigError(field: "\(field).transform.freeze", "the coordinates selection inherits single coordinates, not filters, so there is nothing to freeze")
        }
        return (recipe, fraction, noise)
    }
}
