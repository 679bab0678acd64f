import Platform
import Yams

/// The one reader of a config key's value, for the synthetic configs (``ConfigKey``) and the
/// deep ones (``DeepConfigKey``) alike: the value must be a scalar of the key's ``ConfigKey/Kind``
/// under the one scalar policy (numbers plain, unquoted, underscores only between digits;
/// `YAMLInput.numberText`). Errors are one line naming `field` and the allowed values.
package enum KeyReader {
    /// The scalar text of `node` for a key of `kind`: a mapping or a list is refused, and so is
    /// a quoted number.
    package static func text(_ node: Node, field: String, kind: ConfigKey.Kind) throws -> String {
        try text(node, field: field, expected: kind.allowedText, refusingQuotes: kind.isNumber)
    }

    /// The scalar text of `node` where a non-empty text (a label, a name) is expected.
    package static func label(_ node: Node, field: String) throws -> String {
        try text(node, field: field, expected: "a text value", refusingQuotes: false)
    }

    private static func text(_ node: Node, field: String, expected: String, refusingQuotes: Bool) throws -> String {
        guard let scalar = node.scalar else {
            throw ConfigError(field: field, "expected \(expected), got a \(node.mapping != nil ? "mapping" : "list")")
        }
        if refusingQuotes && (scalar.style == .singleQuoted || scalar.style == .doubleQuoted) {
            throw ConfigError(field: field, "expected \(expected), got a quoted text '\(InputText.excerpt(scalar.string))'")
        }
        guard !scalar.string.isEmpty else { throw ConfigError(field: field, "expected \(expected), got nothing") }
        return scalar.string
    }

    /// An integer in `range`; an integral number in exponent form (`1e3`) counts.
    package static func integer(_ text: String, field: String, _ range: ClosedRange<Int>) throws -> Int {
        let allowed = ConfigKey.Kind.integer(range).allowedText
        let number = try YAMLInput.numberText(text, field: field, expected: allowed)
        let value: Int
        if let i = Int(number) { value = i }
        else if let x = Double(number), x.isFinite, x == x.rounded(), abs(x) <= 9e15 { value = Int(x) }
        else { throw ConfigError(field: field, "expected \(allowed), got '\(InputText.excerpt(text))'") }
        guard range.contains(value) else { throw ConfigError(field: field, "\(value) is outside the allowed range: \(allowed)") }
        return value
    }

    /// A finite number in `domain`.
    package static func real(_ text: String, field: String, _ domain: ConfigKey.RealDomain) throws -> Double {
        guard let value = Double(try YAMLInput.numberText(text, field: field, expected: "a finite number \(domain.text)")), value.isFinite else {
            throw ConfigError(field: field, "expected a finite number \(domain.text), got '\(InputText.excerpt(text))'")
        }
        guard domain.contains(value) else { throw ConfigError(field: field, "\(text) is outside the allowed range: \(domain.text)") }
        return value
    }

    /// An integer in [0, 2⁶⁴).
    package static func seed(_ text: String, field: String) throws -> UInt64 {
        let allowed = ConfigKey.Kind.seed.allowedText
        guard let value = UInt64(try YAMLInput.numberText(text, field: field, expected: allowed)) else {
            throw ConfigError(field: field, "expected \(allowed), got '\(InputText.excerpt(text))'")
        }
        return value
    }

    /// `true` or `false` (any letter case).
    package static func flag(_ text: String, field: String) throws -> Bool {
        guard let value = Bool(text.lowercased()) else { throw ConfigError(field: field, "expected true or false, got '\(InputText.excerpt(text))'") }
        return value
    }

    /// One of the names of a closed vocabulary `E`.
    package static func choice<E: RawRepresentable & CaseIterable>(_ text: String, field: String, as: E.Type = E.self) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: text) else {
            throw ConfigError(field: field, "'\(InputText.excerpt(text))' is not allowed (one of \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return value
    }
}
